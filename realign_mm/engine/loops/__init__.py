from .plan_cca_loop import PlanCCALoop

__all__ = ['PlanCCALoop']
