"""The fused GPU path of the solver (Triton), chosen by
:func:`resolve_backend`; kernels import only when it is used."""
from .dispatch import MAX_COLS, resolve_backend, triton_available

__all__ = ['resolve_backend', 'triton_available', 'MAX_COLS']
