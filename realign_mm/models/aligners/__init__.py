from .procedure_aligner import ProcedureAligner

__all__ = ['ProcedureAligner']
