"""Key-step discovery and its metrics."""
from .metrics import KeyStepMetric
from .report import keystep_table

__all__ = ['KeyStepMetric', 'keystep_table']
