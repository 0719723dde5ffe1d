"""Host side of the Triton path: launch the kernels on batched tensors."""
import math
from typing import Optional

import torch
import triton
from torch import Tensor

from ..sinkhorn import SinkhornOutput, SinkhornProblem, SinkhornState
from .dispatch import MAX_COLS  # a tile holds whole rows, in registers
from .kernels import _assemble_kernel, _sinkhorn_kernel

__all__ = [
    'assemble_log_kernel', 'sinkhorn_log_triton', 'sinkhorn_launch_config'
]


def _block(n: int, cap: int) -> int:
    return max(16, min(cap, triton.next_power_of_2(max(n, 1))))




def sinkhorn_launch_config(n: int, m: int) -> dict:
    """Tile sizes and warps of :func:`sinkhorn_log_triton` for ``n x m``
    pairs: tiles of whole rows, about 8192 entries."""
    block_m = _block(m, MAX_COLS)
    block_n = max(4, min(triton.next_power_of_2(max(n, 1)),
                         8192 // block_m))
    return dict(BLOCK_N=block_n, BLOCK_M=block_m, num_warps=8)


def assemble_log_kernel(base: Tensor, cross: Tensor, const_x: Tensor,
                        const_y: Tensor, s_cross: float,
                        s_const: float) -> Tensor:
    """``base + s_cross * cross - s_const * (const_x + const_y)`` in one
    pass; ``const_x`` ``(B, N, 1)``, ``const_y`` ``(B, 1, M)``."""
    batch, n, m = base.shape
    out = torch.empty_like(base)
    bn, bm = _block(n, 32), _block(m, 64)
    grid = (batch, triton.cdiv(n, bn), triton.cdiv(m, bm))
    _assemble_kernel[grid](
        base.contiguous(), cross.contiguous(),
        const_x.reshape(batch, n).contiguous(),
        const_y.reshape(batch, m).contiguous(), out, n, m, float(s_cross),
        float(s_const), BLOCK_N=bn, BLOCK_M=bm)
    return out


def sinkhorn_log_triton(problem: SinkhornProblem,
                        state: Optional[SinkhornState] = None,
                        *,
                        max_iter: int = 50,
                        tol: float = 1e-6,
                        check_every: int = 10,
                        overrelax: float = 1.0,
                        launch: Optional[dict] = None) -> SinkhornOutput:
    """:func:`~realign_mm.ot.sinkhorn.sinkhorn_log`, fused: ``check_every``
    iterations per launch, one program per pair; same signature, updates
    and fixed point (float32). The returned state carries the plan. With
    ``tol <= 0`` the error is returned as a 0-dim tensor, so that no host
    sync stalls the GPU.

    ``launch`` overrides the tile sizes and warps of
    :func:`sinkhorn_launch_config` (for tuning).
    """
    log_k, log_a, log_b = problem.log_k, problem.log_a, problem.log_b
    mask_x, mask_y = problem.mask_x, problem.mask_y
    lam_a, lam_b = problem.lam_a, problem.lam_b
    log_k_col, log_k_row = problem.log_k_col, problem.log_k_row
    log_mass_col, log_mass_row = problem.log_mass_col, problem.log_mass_row
    if overrelax != 1:
        raise ValueError('the Triton Sinkhorn runs plain updates: '
                         'overrelax must be 1')
    if log_k.dtype != torch.float32:
        raise TypeError(f'the Triton path is float32, got {log_k.dtype}')
    batch, n, m = log_k.shape
    if m > MAX_COLS:
        raise ValueError(f'the Triton Sinkhorn holds whole rows: at most '
                         f"{MAX_COLS} columns, got {m}; use backend='torch'")
    if state is None:
        state = SinkhornState.zeros(log_a, log_b)
    u = state.u.contiguous().clone()
    v = state.v.contiguous().clone()
    ue = state.u_extra.contiguous().clone()
    ve = state.v_extra.contiguous().clone()
    u_prev = torch.empty_like(u)
    plan = torch.empty_like(log_k)  # P0, then the plan, in place
    # PC, AR, and ALPHA (two slots)
    scratch = [plan, torch.empty_like(u), torch.empty_like(u),
               u.new_empty(2, batch, n)]
    dummy_n = log_k.new_zeros(batch, n)
    dummy_m = log_k.new_zeros(batch, m)
    dummy_b = log_k.new_zeros(batch)
    args = [
        log_k.contiguous(), log_a.contiguous(), log_b.contiguous(),
        mask_x.to(torch.int8).contiguous(), mask_y.to(torch.int8).contiguous(),
        dummy_n if log_k_col is None else log_k_col.contiguous(),
        dummy_m if log_k_row is None else log_k_row.contiguous(),
        dummy_b if log_mass_col is None else log_mass_col.contiguous(),
        dummy_b if log_mass_row is None else log_mass_row.contiguous(),
        u, v, ue, ve, u_prev, *scratch, n, m, float(lam_a), float(lam_b)
    ]
    flags = dict(HAS_COL=log_k_col is not None,
                 HAS_ROW=log_k_row is not None,
                 MASS_COL=log_mass_col is not None,
                 MASS_ROW=log_mass_row is not None,
                 EXACT_A=lam_a == 1, EXACT_B=lam_b == 1,
                 **(launch or sinkhorn_launch_config(n, m)))
    flags.update(EVEN_N=n % flags['BLOCK_N'] == 0,
                 EVEN_M=m == flags['BLOCK_M'])
    done, err = 0, float('inf')
    while done < max_iter:
        steps = min(check_every, max_iter - done)
        _sinkhorn_kernel[(batch, )](*args, steps, **flags)
        done += steps
        err = (u - u_prev).abs().max()
        if tol > 0:  # a host sync; with tol <= 0 the GPU is never waited on
            err = float(err)
            if not math.isfinite(err) or err < tol:
                break
    return SinkhornOutput(SinkhornState(u, v, ue, ve, plan=plan), done, err)
