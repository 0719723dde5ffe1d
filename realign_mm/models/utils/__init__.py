"""Model helpers (no registry entries)."""
from .gather_layer import GatherLayer, gather_with_grad
from .plan_cca import plan_cca, plan_cross_covariance

__all__ = [
    'GatherLayer', 'gather_with_grad', 'plan_cca', 'plan_cross_covariance'
]
