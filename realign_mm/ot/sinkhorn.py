"""Batched, masked, log-domain (unbalanced) Sinkhorn with one extra row and
one extra column per pair.

The plan of one pair is the ``(N+1) x (M+1)`` matrix

.. math::
    T = \\begin{pmatrix} \\exp(K + u \\oplus v) & \\exp(k^c + u + v^c) \\\\
                         \\exp(k^r + u^r + v)  & 0 \\end{pmatrix}

with log-kernel ``K`` (``(B, N, M)``) for the real block, ``k^c`` (``(B, N)``)
for the extra column and ``k^r`` (``(B, M)``) for the extra row. The extra
column/row is either

* a *dummy point* of exact mass (``log_mass`` given): POT's partial problem
  (Chapel et al., 2020) written with two scalar potentials instead of padding;
* a *virtual sink frame* with a free marginal (``log_mass=None``): its
  potential stays 0, so any frame may send mass there at the price already
  folded into ``k^c`` / ``k^r``;
* absent (``None``).

Real marginals are exact (``lam = 1``) or KL-relaxed with
``lam = tau / (tau + eps)`` (Chizat et al., 2018):

.. math::
    u_i \\leftarrow \\lambda_a \\big(\\log a_i - \\mathrm{LSE}_j(K_{ij} + v_j,
    \\; k^c_i + v^c)\\big)

All potentials ``u, v`` are in units of ``eps`` (log-scalings), so the
solver is independent of ``eps`` except through the kernel.
"""
from dataclasses import dataclass
from typing import Optional, Tuple

import torch
from torch import Tensor

__all__ = ['SinkhornState', 'sinkhorn_log', 'NEG_INF']

#: Finite stand-in for log(0) on padded entries: keeps every logsumexp finite
#: (so unrolled gradients never see ``-inf - -inf``) while ``exp`` gives 0.
NEG_INF = -1e9


@dataclass
class SinkhornState:
    """Log-scalings of one batch: ``u (B, N)``, ``v (B, M)``, and the scalar
    potentials ``u_extra (B,)`` of the extra row and ``v_extra (B,)`` of the
    extra column (zero when free or absent)."""
    u: Tensor
    v: Tensor
    u_extra: Tensor
    v_extra: Tensor

    @classmethod
    def zeros(cls, log_a: Tensor, log_b: Tensor) -> 'SinkhornState':
        batch = log_a.shape[0]
        zero = log_a.new_zeros(batch)
        return cls(
            torch.zeros_like(log_a), torch.zeros_like(log_b), zero,
            zero.clone())


def _lse_rows(log_k: Tensor, v: Tensor, extra: Optional[Tensor],
              v_extra: Tensor) -> Tensor:
    """``LSE_j(K_ij + v_j)`` merged with the extra column, ``(B, N)``."""
    s = torch.logsumexp(log_k + v[:, None, :], dim=2)
    if extra is not None:
        s = torch.logaddexp(s, extra + v_extra[:, None])
    return s


def _lse_cols(log_k: Tensor, u: Tensor, extra: Optional[Tensor],
              u_extra: Tensor) -> Tensor:
    """``LSE_i(K_ij + u_i)`` merged with the extra row, ``(B, M)``."""
    s = torch.logsumexp(log_k + u[:, :, None], dim=1)
    if extra is not None:
        s = torch.logaddexp(s, extra + u_extra[:, None])
    return s


def sinkhorn_log(log_k: Tensor,
                 log_a: Tensor,
                 log_b: Tensor,
                 mask_x: Tensor,
                 mask_y: Tensor,
                 *,
                 lam_a: float = 1.0,
                 lam_b: float = 1.0,
                 log_k_col: Optional[Tensor] = None,
                 log_k_row: Optional[Tensor] = None,
                 log_mass_col: Optional[Tensor] = None,
                 log_mass_row: Optional[Tensor] = None,
                 state: Optional[SinkhornState] = None,
                 max_iter: int = 50,
                 tol: float = 1e-6,
                 check_every: int = 10) -> Tuple[SinkhornState, int, float]:
    """Run log-domain Sinkhorn iterations on a batch of pairs.

    Args:
        log_k (Tensor): ``(B, N, M)`` real-block log-kernel, ``NEG_INF`` on
            padded entries.
        log_a (Tensor): ``(B, N)`` log row targets (any finite value on padded
            rows).
        log_b (Tensor): ``(B, M)`` log column targets.
        mask_x (Tensor): ``(B, N)`` bool real rows.
        mask_y (Tensor): ``(B, M)`` bool real columns.
        lam_a (float): row exponent, 1 for exact marginals. Defaults to 1.
        lam_b (float): column exponent. Defaults to 1.
        log_k_col (Tensor, optional): ``(B, N)`` extra-column log-kernel.
        log_k_row (Tensor, optional): ``(B, M)`` extra-row log-kernel.
        log_mass_col (Tensor, optional): ``(B,)`` log mass of the extra
            column; None leaves it free.
        log_mass_row (Tensor, optional): ``(B,)`` log mass of the extra row.
        state (SinkhornState, optional): warm start.
        max_iter (int): most iterations. Defaults to 50.
        tol (float): stop when ``max |u_new - u_old| < tol``; for exact
            marginals this is the largest log-ratio between the row sums and
            their targets, i.e. the marginal error. Defaults to 1e-6.
        check_every (int): how often to test ``tol`` (a host sync).

    Returns:
        tuple: the final state, the iterations run and the last error.
    """
    if state is None:
        state = SinkhornState.zeros(log_a, log_b)
    u, v, u_extra, v_extra = state.u, state.v, state.u_extra, state.v_extra
    err = float('inf')
    n_iter = 0
    for n_iter in range(1, max_iter + 1):
        u_prev = u
        u = lam_a * (log_a - _lse_rows(log_k, v, log_k_col, v_extra))
        u = torch.where(mask_x, u, torch.zeros_like(u))
        if log_mass_row is not None:
            u_extra = log_mass_row - torch.logsumexp(log_k_row + v, dim=1)
        v = lam_b * (log_b - _lse_cols(log_k, u, log_k_row, u_extra))
        v = torch.where(mask_y, v, torch.zeros_like(v))
        if log_mass_col is not None:
            v_extra = log_mass_col - torch.logsumexp(log_k_col + u, dim=1)
        if n_iter % check_every == 0 or n_iter == max_iter:
            err = float((u - u_prev).abs().max())
            if err < tol:
                break
    return SinkhornState(u, v, u_extra, v_extra), n_iter, err
