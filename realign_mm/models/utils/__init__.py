"""Model helpers (no registry entries)."""
from .gather_layer import GatherLayer, gather_with_grad

__all__ = ['GatherLayer', 'gather_with_grad']
