"""Choose between the torch and the Triton path, and say why, once."""
import logging
import os
from functools import lru_cache
from typing import Sequence, Tuple

from torch import Tensor

__all__ = ['resolve_backend', 'triton_available']

logger = logging.getLogger('realign_mm.ot')
MAX_COLS = 4096  # the same limit as ops.MAX_COLS (ops imports triton)
_announced = set()


@lru_cache(maxsize=1)
def triton_available() -> Tuple[bool, str]:
    """``(True, version)`` when triton and our kernels import, else
    ``(False, reason)``."""
    try:
        import triton
        from . import ops  # noqa: F401  (compiles nothing yet)
    except Exception as err:  # ImportError, or a broken install
        return False, f'triton does not import ({err})'
    return True, f'triton {triton.__version__}'


def _interpreted() -> bool:
    return os.environ.get('TRITON_INTERPRET') == '1'


def resolve_backend(backend: str, like: Tensor,
                    limits: Sequence[str] = ()) -> str:
    """``'torch'`` or ``'triton'`` for tensors like ``like``.

    ``limits`` are the options of the call the Triton path cannot honour
    (:func:`~realign_mm.ot.options.triton_limits`). ``'auto'`` takes Triton
    for CUDA tensors when triton imports and ``limits`` is empty, otherwise
    torch, and logs the choice and its reason once per reason. ``'triton'``
    insists, and is refused when ``limits`` is not empty (CPU tensors need
    ``TRITON_INTERPRET=1``, the interpreter CI tests with); ``'torch'``
    never uses it.
    """
    if backend not in ('auto', 'torch', 'triton'):
        raise ValueError(f"backend must be 'auto', 'torch' or 'triton', got "
                         f'{backend!r}')
    if backend == 'torch':
        return 'torch'
    ok, why = triton_available()
    if backend == 'triton':
        if limits:
            raise ValueError("backend='triton' cannot honour "
                             + '; '.join(limits) + ": use backend='auto' "
                             "or 'torch'")
        if not ok:
            raise RuntimeError(f"backend='triton' but {why}")
        if not like.is_cuda and not _interpreted():
            raise RuntimeError(
                "backend='triton' on CPU tensors needs TRITON_INTERPRET=1 "
                '(the interpreter, for tests); use a CUDA device or '
                "backend='auto'")
        return 'triton'
    if not like.is_cuda:
        choice, reason = 'torch', 'tensors on CPU'
    elif limits:
        choice, reason = 'torch', 'Triton cannot honour ' + '; '.join(limits)
    elif not ok:
        choice, reason = 'torch', why
    else:
        choice, reason = 'triton', f'CUDA tensors, {why}'
    if (choice, reason) not in _announced:
        _announced.add((choice, reason))
        logger.info('fused_partial_gw backend: %s (%s)', choice, reason)
    return choice
