"""Structure matrices as operators: what the GW term needs from ``C``.

The square-loss GW gradient only ever uses two products with a structure
matrix ``C`` (see :func:`realign_mm.ot.costs.square_loss_product`):
``C @ X`` and ``(C * C) @ p``. A structure is any object with

* ``matmul(x)``: ``C @ x`` for ``x`` of shape ``(B, N, K)``,
* ``rmatmul(x)``: ``x @ C`` for ``x`` of shape ``(B, K, N)``,
* ``square_matmul(p)``: ``(C \\odot C) @ p``,
* ``dense()``: the ``(B, N, N)`` matrix, and ``shape``.

:class:`DenseStructure` wraps any matrix (feature or mixed structures).
:class:`TemporalStructure` is the temporal Laplace structure
``C_ik = 1 - exp(-|t_i - t_k| / s)`` applied in O(N L K) through
:class:`~realign_mm.ot.laplace_filter.LaplaceKernel`, using

.. math::
    C x = \\mathbf{1} (\\mathbf{1}^\\top x) - K_s x, \\qquad
    (C \\odot C) p = \\mathbf{1} (\\mathbf{1}^\\top p) - 2 K_s p + K_{s/2} p,

since ``(1 - e^{-d/s})^2 = 1 - 2 e^{-d/s} + e^{-d/(s/2)}``: the squared
structure is again a sum of Laplace kernels.
"""
from typing import Optional, Union

import torch
from torch import Tensor

from .laplace_filter import LaplaceKernel
from .sinkhorn import matvec

__all__ = ['DenseStructure', 'TemporalStructure', 'as_structure']


class DenseStructure:
    """A structure given as a ``(B, N, N)`` symmetric matrix."""

    def __init__(self, matrix: Tensor):
        if matrix.dim() != 3 or matrix.shape[1] != matrix.shape[2]:
            raise ValueError(f'a structure matrix must be (B, N, N), got '
                             f'{tuple(matrix.shape)}')
        self.matrix = matrix
        self._square = None

    @property
    def shape(self) -> torch.Size:
        return self.matrix.shape

    def dense(self) -> Tensor:
        return self.matrix

    def matmul(self, x: Tensor) -> Tensor:
        return torch.bmm(self.matrix, x)

    def rmatmul(self, x: Tensor) -> Tensor:
        """``x @ C`` for ``x`` of shape ``(B, K, N)``."""
        return torch.bmm(x, self.matrix)

    def square_matmul(self, p: Tensor) -> Tensor:
        if self._square is None:  # reused across mirror-descent steps
            self._square = self.matrix * self.matrix
        if p.shape[-1] == 1:  # the marginal: a mat-vec
            return matvec(self._square, p[..., 0])[..., None]
        return torch.bmm(self._square, p)

    def masked(self, mask: Tensor) -> 'DenseStructure':
        """Zero the rows and columns of padded frames (may hold NaN)."""
        keep = mask[:, :, None] & mask[:, None, :]
        return DenseStructure(
            torch.where(keep, self.matrix, self.matrix.new_zeros(())))

    def detach(self) -> 'DenseStructure':
        return DenseStructure(self.matrix.detach())

    def to(self, dtype: torch.dtype) -> 'DenseStructure':
        """The structure in ``dtype`` (differentiable)."""
        if self.matrix.dtype == dtype:
            return self
        return DenseStructure(self.matrix.to(dtype))


class TemporalStructure:
    """Temporal Laplace structure ``C_ik = 1 - exp(-|t_i - t_k| / s)``.

    Equal to :func:`~realign_mm.ot.costs.temporal_structure` with the rows and
    columns of padded frames set to zero, without ever forming the matrix.

    Args:
        times (Tensor): ``(B, N)`` frame times, non-decreasing over the real
            frames (e.g. :func:`~realign_mm.ot.costs.normalized_times`).
        mask (Tensor): ``(B, N)`` bool, True for real frames.
        scale (float): Laplace scale ``s``.
        chunk (int): chunk length of the Laplace filter. Defaults to 32.
        dense_below (int): for fewer frames than this the products use the
            dense matrix (built once) instead of the filter: a batched GEMM
            on a small matrix beats the filter's several small kernels
            there. Same result to float round-off. Defaults to None: 160 on
            CPU, and 2048 on CUDA, where one batched GEMM beats the filter's
            many small kernels (the measurements behind both thresholds:
            docs/solver.md).
    """

    def __init__(self, times: Tensor, mask: Tensor, scale: float,
                 chunk: int = 32, dense_below: Optional[int] = None):
        if dense_below is None:
            dense_below = 2048 if times.is_cuda else 160
        if times.shape != mask.shape or times.dim() != 2:
            raise ValueError(f'times {tuple(times.shape)} and mask '
                             f'{tuple(mask.shape)} must both be (B, N)')
        if not bool(torch.isfinite(times[mask]).all()):
            raise ValueError('frame times must be finite')
        self.times, self.mask, self.scale = times, mask, scale
        self.weight = mask.to(times.dtype)[:, :, None]
        self.full = bool(mask.all())  # no padding: skip the masking passes
        # padded frames take the time of the last real frame before them, so
        # the time axis stays non-decreasing; their rows are zeroed anyway
        filled = torch.where(mask, times, times.new_full((), -float('inf')))
        filled = torch.cummax(filled, dim=1).values
        filled = torch.where(torch.isfinite(filled), filled,
                             times.new_zeros(()))
        self.chunk, self.dense_below = chunk, dense_below
        self._dense = self.kernel = self.kernel_half = None
        if times.shape[1] < dense_below:
            self._dense = DenseStructure(self.dense())
        else:
            self.kernel = LaplaceKernel(filled, scale, chunk)
            self.kernel_half = LaplaceKernel(filled, scale / 2, chunk)

    @property
    def shape(self) -> torch.Size:
        batch, n = self.times.shape
        return torch.Size((batch, n, n))

    def dense(self) -> Tensor:
        gap = (self.times[:, :, None] - self.times[:, None, :]).abs()
        keep = self.mask[:, :, None] & self.mask[:, None, :]
        return torch.where(keep, 1 - torch.exp(-gap / self.scale),
                           gap.new_zeros(()))

    def matmul(self, x: Tensor) -> Tensor:
        if self._dense is not None:
            return self._dense.matmul(x)
        if self.full:
            return self.kernel.complement(x)
        w = self.weight.to(x.dtype)
        return w * self.kernel.complement(x * w)

    def rmatmul(self, x: Tensor) -> Tensor:
        """``x @ C`` for ``x`` of shape ``(B, K, N)``."""
        if self._dense is not None:
            return self._dense.rmatmul(x)
        if self.full:
            return self.kernel.complement(x, right=True)
        w = self.weight.to(x.dtype).transpose(1, 2)
        return w * self.kernel.complement(x * w, right=True)

    def square_matmul(self, p: Tensor) -> Tensor:
        if self._dense is not None:
            return self._dense.square_matmul(p)
        w = self.weight.to(p.dtype)
        p = p * w
        return w * (p.sum(1, keepdim=True) - 2 * self.kernel.apply(p) +
                    self.kernel_half.apply(p))

    def masked(self, mask: Tensor) -> 'TemporalStructure':
        if torch.equal(mask, self.mask):
            return self
        return TemporalStructure(self.times, self.mask & mask, self.scale,
                                 self.chunk, self.dense_below)

    def detach(self) -> 'TemporalStructure':
        return self  # built from times only: nothing to differentiate

    def to(self, dtype: torch.dtype) -> 'TemporalStructure':
        """The structure with its times in ``dtype``."""
        if self.times.dtype == dtype:
            return self
        return TemporalStructure(self.times.to(dtype), self.mask, self.scale,
                                 self.chunk, self.dense_below)


Structure = Union[DenseStructure, TemporalStructure]


def as_structure(struct: Union[Tensor, Structure]) -> Structure:
    """Wrap a plain ``(B, N, N)`` tensor as a :class:`DenseStructure`."""
    if isinstance(struct, Tensor):
        return DenseStructure(struct)
    return struct
