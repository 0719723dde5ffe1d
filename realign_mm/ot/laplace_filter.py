"""The Laplace kernel ``K_ik = exp(-|t_i - t_k| / s)`` applied in O(N L K).

For non-decreasing times ``t`` the kernel is *semiseparable*: it splits
into a causal and an anti-causal first-order recursive filter,

.. math::
    (K x)_i = \\sum_{k \\le i} e^{-(t_i - t_k)/s} x_k
            + \\sum_{k > i} e^{-(t_k - t_i)/s} x_k ,

and every block of ``K`` away from the diagonal has rank one,
``e^{-(t_i - t_k)/s} = e^{-(t_i - e)/s} \\, e^{-(e - t_k)/s}`` for any ``e``
between ``t_k`` and ``t_i``. :class:`LaplaceKernel` cuts the frames into
chunks of ``L`` (32) frames and applies

* the dense ``L x L`` diagonal blocks (one batched GEMM, exact), and
* one causal and one anti-causal scan over the chunk summaries
  ``f_c = sum_{k in c} e^{-(end_c - t_k)/s} x_k``, carried from chunk to
  chunk by the factor ``e^{-(end_c - end_{c'})/s}`` (a ``C x C`` triangular
  product, ``C = N / L``), then spread into the next chunk's frames by the
  rank-one factor ``e^{-(t_i - end_{c-1})/s}``.

Every exponent is ``<= 0``: no overflow whatever the scale, and signed
inputs are fine. Cost ``O(N L K + C^2 K)`` per pair for ``x`` of shape
``(N, K)``, against ``O(N^2 K)`` for the dense product.
"""
import math

import torch
from torch import Tensor

__all__ = ['LaplaceKernel', 'laplace_filter']


class LaplaceKernel:
    """Precomputed factors of the Laplace kernel of a batch of time axes.

    Args:
        times (Tensor): ``(B, N)`` non-decreasing frame times.
        scale (float): Laplace scale ``s`` (> 0).
        chunk (int): frames per chunk ``L``. Defaults to 32.
    """

    def __init__(self, times: Tensor, scale: float, chunk: int = 32):
        if not scale > 0 or not math.isfinite(scale):
            raise ValueError(f'scale must be a positive number, got {scale}')
        if times.dim() != 2:
            raise ValueError(f'times must be (B, N), got {tuple(times.shape)}')
        if times.shape[1] > 1 and bool((times[:, 1:] < times[:, :-1]).any()):
            raise ValueError('times must be non-decreasing along the frames')
        batch, n = times.shape
        self.batch, self.n = batch, n
        self.chunk = length = max(1, min(chunk, n))
        self.chunks = chunks = -(-n // length)
        pad = chunks * length - n
        # factors in float64: z = t / s can be large (small scales), and
        # float32 differences of large z lose digits; cast when applied
        z = times.to(torch.float64) / scale
        if pad:
            z = torch.cat([z, z[:, -1:].expand(batch, pad)], 1)
        zc = z.view(batch, chunks, length)
        start, end = zc[:, :, :1], zc[:, :, -1:]  # (B, C, 1)
        # diagonal blocks, (B*C, L, L)
        self.blocks = torch.exp(-(zc[..., :, None] - zc[..., None, :]).abs()
                                ).view(batch * chunks, length, length)
        # summary weights of each chunk seen from its end / its start
        summary = torch.stack([(zc - end).exp(), (start - zc).exp()], 2)
        self.summary = summary.view(batch * chunks, 2, length)
        # carries between chunk ends (causal) and chunk starts (anti-causal)
        ends, starts = end[..., 0], start[..., 0]  # (B, C)
        gap_end = (ends[:, :, None] - ends[:, None, :]).clamp_min(0)
        gap_start = (starts[:, None, :] - starts[:, :, None]).clamp_min(0)
        self.carry_fwd = torch.tril(torch.exp(-gap_end))
        self.carry_bwd = torch.triu(torch.exp(-gap_start))
        # rank-one spread of the previous / next chunk's total into frames
        # (the first / last chunk receives zeros, see apply)
        prev_end = torch.cat([start[:, :1], end[:, :-1]], 1)
        next_start = torch.cat([start[:, 1:], end[:, -1:]], 1)
        spread = torch.stack([(prev_end - zc).exp(), (zc - next_start).exp()],
                             3)  # (B, C, L, 2)
        self.spread = spread.view(batch * chunks, length, 2)
        self._cache = {}

    def apply(self, x: Tensor) -> Tensor:
        """``K @ x`` for ``x`` of shape ``(B, N, W)`` (frame axis 1)."""
        return self._apply(x, complement=False, right=False)

    def complement(self, x: Tensor, right: bool = False) -> Tensor:
        """``(1 1^T - K) @ x`` in the same passes as :meth:`apply` (the
        column sums ride along as a third summary), or ``x @ (1 1^T - K)``
        for ``x`` of shape ``(B, W, N)`` when ``right``."""
        return self._apply(x, complement=True, right=right)

    def _apply(self, x: Tensor, complement: bool, right: bool) -> Tensor:
        frame_axis = 2 if right else 1
        if x.shape[0] != self.batch or x.shape[frame_axis] != self.n:
            raise ValueError(f'x {tuple(x.shape)} does not match the kernel '
                             f'of {self.batch} x {self.n} frames')
        batch, chunks, length = self.batch, self.chunks, self.chunk
        width = x.shape[3 - frame_axis]
        pad = chunks * length - self.n
        if pad:
            shape = (batch, width, pad) if right else (batch, pad, width)
            x = torch.cat([x, x.new_zeros(shape)], frame_axis)
        blocks, summary, spread = self._factors(x.dtype, complement)
        if right:
            # (B, W, C, L) -> (B*C, W, L): contiguous runs of L frames, a
            # cheap copy (a full transpose costs several times more)
            xb = x.view(batch, width, chunks, length).transpose(1, 2)
            xb = xb.reshape(batch * chunks, width, length)
            summaries = torch.bmm(xb, summary.transpose(1, 2)).view(
                batch, chunks, width, -1).permute(0, 1, 3, 2)
        else:
            xb = x.reshape(batch * chunks, length, width)
            summaries = torch.bmm(summary, xb).view(batch, chunks, -1, width)
        fwd = torch.bmm(self.carry_fwd.to(x.dtype), summaries[:, :, 0])
        bwd = torch.bmm(self.carry_bwd.to(x.dtype), summaries[:, :, 1])
        # chunk c receives the causal total of c-1 and the anti-causal of c+1
        zero = fwd.new_zeros(batch, 1, width)
        totals = [torch.cat([zero, fwd[:, :-1]], 1),
                  torch.cat([bwd[:, 1:], zero], 1)]
        if complement:  # every frame also receives the column sums
            totals.append(summaries[:, :, 2].sum(1, keepdim=True).expand(
                batch, chunks, width))
        # in place: baddbmm out of place would copy the whole block product
        if right:  # blocks are symmetric: x_c @ block_c
            totals = torch.stack(totals, 3).view(batch * chunks, width, -1)
            y = torch.bmm(xb, blocks)
            y.baddbmm_(totals, spread.transpose(1, 2))
            y = y.view(batch, chunks, width, length).transpose(1, 2)
            return y.reshape(batch, width, chunks * length)[..., :self.n]
        totals = torch.stack(totals, 2).view(batch * chunks, -1, width)
        y = torch.bmm(blocks, xb)
        y.baddbmm_(spread, totals)
        return y.view(batch, chunks * length, width)[:, :self.n]

    def _factors(self, dtype: torch.dtype, complement: bool) -> tuple:
        """Block, summary and spread factors (negated, with a ones column
        for the column sums, when ``complement``), cached per dtype."""
        key = (dtype, complement)
        if key not in self._cache:
            blocks = self.blocks.to(dtype)
            summary = self.summary.to(dtype)
            spread = self.spread.to(dtype)
            if complement:
                blocks, spread = -blocks, -spread
                summary = torch.cat([summary, torch.ones_like(summary[:, :1])],
                                    1)
                spread = torch.cat([spread, torch.ones_like(spread[..., :1])],
                                   2)
            self._cache[key] = (blocks, summary, spread)
        return self._cache[key]


def laplace_filter(x: Tensor, times: Tensor, scale: float,
                   chunk: int = 32) -> Tensor:
    """Apply ``K_ik = exp(-|t_i - t_k| / scale)`` along axis 1 of ``x``.

    Args:
        x (Tensor): ``(B, N, K)``.
        times (Tensor): ``(B, N)`` non-decreasing frame times.
        scale (float): Laplace scale ``s``.
        chunk (int): frames per chunk. Defaults to 32.

    Returns:
        Tensor: ``(B, N, K)``, equal to ``K @ x`` and differentiable in ``x``.
    """
    return LaplaceKernel(times.to(x.dtype), scale, chunk).apply(x)
