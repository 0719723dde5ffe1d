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
import math
from dataclasses import dataclass
from typing import NamedTuple, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from torch import Tensor

__all__ = [
    'SinkhornState', 'SinkhornProblem', 'SinkhornOutput', 'sinkhorn_log', 'sinkhorn_scaling', 'exp_flush',
    'logsumexp', 'NEG_INF'
]

#: Finite stand-in for log(0) on padded entries: keeps every logsumexp finite
#: (so unrolled gradients never see ``-inf - -inf``) while ``exp`` gives 0.
NEG_INF = -1e9


def exp_flush(x: Tensor) -> Tensor:
    """``exp(x)``, flushed to exactly 0 well before the subnormal range.

    Computed as ``exp(max(x, c))``, ``c = log(tiny) + 20``, with the
    results at or below ``2 e^c`` (about ``1e-29`` in float32) set to 0:
    exactly 0 at and below ``c + log 2`` (padded entries hold ``NEG_INF``),
    exact above. Why (``exp`` of far-negative floats and subnormal plan
    entries are slow paths on CPU; measured in docs/solver.md).
    """
    cutoff, floor = _flush_bounds(x.dtype)
    y = torch.exp(x.clamp_min(cutoff))
    if y.requires_grad:
        return F.threshold(y, floor, 0.0)
    return F.threshold_(y, floor, 0.0)


def _exp_flush_(x: Tensor) -> Tensor:
    """:func:`exp_flush` in place (no gradient)."""
    cutoff, floor = _flush_bounds(x.dtype)
    return F.threshold_(x.clamp_min_(cutoff).exp_(), floor, 0.0)


def _flush_bounds(dtype: torch.dtype) -> Tuple[float, float]:
    """The clamp ``c = log(tiny) + 20`` of :func:`exp_flush` and the floor
    ``2 e^c`` at or below which its results are set to 0."""
    cutoff = math.log(torch.finfo(dtype).tiny) + 20
    return cutoff, 2 * math.exp(cutoff)


def _absorbed_kernel(log_k: Tensor, u: Tensor, v: Tensor) -> Tensor:
    """``exp_flush(log_k + u (+) v)`` with one allocation when no gradient
    is needed (each pass over ``(B, N, M)`` costs as much as a mat-vec)."""
    if log_k.requires_grad or u.requires_grad or v.requires_grad:
        return exp_flush(log_k + u[:, :, None] + v[:, None, :])
    return _exp_flush_(torch.add(log_k, u[:, :, None]).add_(v[:, None, :]))


def logsumexp(x: Tensor, dim: int) -> Tensor:
    """``log sum exp`` along ``dim``, ignoring terms below ``max - 80``.

    Those terms change the result by less than ``N e^-80`` relative; skipping
    them keeps ``exp`` on its fast path (see :func:`exp_flush`), which makes
    this several times faster than :func:`torch.logsumexp` on kernels whose
    entries sit far below their row maximum (small epsilon).
    """
    top = x.detach().amax(dim, keepdim=True)
    shifted = (x - top).clamp_min(-80.0)
    return torch.log(torch.exp(shifted).sum(dim)) + top.squeeze(dim)


@dataclass
class SinkhornState:
    """Log-scalings of one batch: ``u (B, N)``, ``v (B, M)``, and the scalar
    potentials ``u_extra (B,)`` of the extra row and ``v_extra (B,)`` of the
    extra column (zero when free or absent). ``plan``, when a solver sets
    it, is the real block ``exp(K + u (+) v)`` it already formed."""
    u: Tensor
    v: Tensor
    u_extra: Tensor
    v_extra: Tensor
    plan: Optional[Tensor] = None

    def rescaled(self, factor: float) -> 'SinkhornState':
        """Potentials for a new epsilon: ``eps u`` is kept, so ``u`` is
        multiplied by ``eps_old / eps_new``."""
        return SinkhornState(self.u * factor, self.v * factor,
                             self.u_extra * factor, self.v_extra * factor)

    @classmethod
    def zeros(cls, log_a: Tensor, log_b: Tensor) -> 'SinkhornState':
        batch = log_a.shape[0]
        zero = log_a.new_zeros(batch)
        return cls(
            torch.zeros_like(log_a), torch.zeros_like(log_b), zero,
            zero.clone())


@dataclass
class SinkhornProblem:
    """One batch of (unbalanced) Sinkhorn problems, what every Sinkhorn
    implementation takes (:func:`sinkhorn_log`, :func:`sinkhorn_scaling`,
    the Triton ``sinkhorn_log_triton``).

    Attributes:
        log_k (Tensor): ``(B, N, M)`` real-block log-kernel, ``NEG_INF`` on
            padded entries.
        log_a (Tensor): ``(B, N)`` log row targets (any finite value on
            padded rows).
        log_b (Tensor): ``(B, M)`` log column targets.
        mask_x (Tensor): ``(B, N)`` bool real rows.
        mask_y (Tensor): ``(B, M)`` bool real columns.
        lam_a (float): row exponent, 1 for exact marginals,
            ``tau / (tau + eps)`` for KL-relaxed ones.
        lam_b (float): column exponent.
        log_k_col (Tensor, optional): ``(B, N)`` extra-column log-kernel.
        log_k_row (Tensor, optional): ``(B, M)`` extra-row log-kernel.
        log_mass_col (Tensor, optional): ``(B,)`` log mass of the extra
            column (a dummy point); None leaves it free (a sink).
        log_mass_row (Tensor, optional): ``(B,)`` log mass of the extra row.
    """
    log_k: Tensor
    log_a: Tensor
    log_b: Tensor
    mask_x: Tensor
    mask_y: Tensor
    lam_a: float = 1.0
    lam_b: float = 1.0
    log_k_col: Optional[Tensor] = None
    log_k_row: Optional[Tensor] = None
    log_mass_col: Optional[Tensor] = None
    log_mass_row: Optional[Tensor] = None


class SinkhornOutput(NamedTuple):
    """What every Sinkhorn implementation returns: the final state, the
    iterations run and the last error (``max |u_new - u_old|``; a 0-dim
    tensor from the Triton path when ``tol <= 0``, to avoid a host sync)."""
    state: SinkhornState
    iterations: int
    error: Union[float, Tensor]


def matvec(matrix: Tensor, x: Tensor) -> Tensor:
    """``matrix @ x`` for ``(B, N, M)`` and ``(B, M)``, as ``x^T matrix^T``.

    The same product; written as a row vector times the transposed view
    it takes the faster GEMM path on CPU, as fast as the column product
    ``s^T K``.
    """
    return torch.bmm(x[:, None, :], matrix.transpose(1, 2))[:, 0]


def _lse_rows(log_k: Tensor, v: Tensor, extra: Optional[Tensor],
              v_extra: Tensor) -> Tensor:
    """``LSE_j(K_ij + v_j)`` merged with the extra column, ``(B, N)``."""
    s = logsumexp(log_k + v[:, None, :], dim=2)
    if extra is not None:
        s = torch.logaddexp(s, extra + v_extra[:, None])
    return s


def _lse_cols(log_k: Tensor, u: Tensor, extra: Optional[Tensor],
              u_extra: Tensor) -> Tensor:
    """``LSE_i(K_ij + u_i)`` merged with the extra row, ``(B, M)``."""
    s = logsumexp(log_k + u[:, :, None], dim=1)
    if extra is not None:
        s = torch.logaddexp(s, extra + u_extra[:, None])
    return s


def sinkhorn_log(problem: SinkhornProblem,
                 state: Optional[SinkhornState] = None,
                 *,
                 max_iter: int = 50,
                 tol: float = 1e-6,
                 check_every: int = 10,
                 overrelax: float = 1.0) -> SinkhornOutput:
    """Run log-domain Sinkhorn iterations on a batch of pairs.

    The signature every implementation shares:

    Args:
        problem (SinkhornProblem): kernels, targets, masks, exponents.
        state (SinkhornState, optional): warm start.
        max_iter (int): most iterations. Defaults to 50.
        tol (float): stop when ``max |u_new - u_old| < tol``; for exact
            marginals this is the largest log-ratio between the row sums and
            their targets, i.e. the marginal error. Defaults to 1e-6.
        check_every (int): how often to test ``tol`` (a host sync).
        overrelax (float): over-relaxation ``w`` in ``[1, 2)``: between
            checks ``u <- (1 - w) u_old + w u``; 1 (default) is plain
            Sinkhorn. Same fixed point.

    Returns:
        SinkhornOutput: the final state, the iterations run, the last error.
    """
    log_k, log_a, log_b, mask_x, mask_y, lam_a, lam_b, log_k_col, \
        log_k_row, log_mass_col, log_mass_row = _fields(problem)
    if state is None:
        state = SinkhornState.zeros(log_a, log_b)
    u, v, u_extra, v_extra = state.u, state.v, state.u_extra, state.v_extra
    err = float('inf')
    n_iter = 0
    if not 1 <= overrelax < 2:
        raise ValueError(f'overrelax must be in [1, 2), got {overrelax}')

    def relax(old, new, w):
        return new if w == 1 else torch.lerp(old, new, w)

    for n_iter in range(1, max_iter + 1):
        check = n_iter % check_every == 0 or n_iter == max_iter
        w = 1.0 if check else overrelax
        u_prev = u
        u = relax(u, lam_a * (log_a - _lse_rows(log_k, v, log_k_col,
                                                 v_extra)), w)
        u = torch.where(mask_x, u, torch.zeros_like(u))
        if log_mass_row is not None:
            u_extra = relax(
                u_extra, log_mass_row - logsumexp(log_k_row + v, dim=1), w)
        v = relax(v, lam_b * (log_b - _lse_cols(log_k, u, log_k_row,
                                                 u_extra)), w)
        v = torch.where(mask_y, v, torch.zeros_like(v))
        if log_mass_col is not None:
            v_extra = relax(
                v_extra, log_mass_col - logsumexp(log_k_col + u, dim=1), w)
        if check:
            err = float((u - u_prev).detach().abs().max())
            if err < tol:
                break
    return SinkhornOutput(SinkhornState(u, v, u_extra, v_extra), n_iter, err)


def _fields(problem: SinkhornProblem) -> tuple:
    return (problem.log_k, problem.log_a, problem.log_b, problem.mask_x,
            problem.mask_y, problem.lam_a, problem.lam_b, problem.log_k_col,
            problem.log_k_row, problem.log_mass_col, problem.log_mass_row)


def _extended_kernel(log_k: Tensor, u: Tensor, v: Tensor,
                     log_k_col: Optional[Tensor], ue: Tensor,
                     log_k_row: Optional[Tensor], ve: Tensor) -> Tensor:
    """``exp_flush`` of the log-kernel with the extra column and row appended
    and the potentials absorbed, ``(B, N [+1], M [+1])``: entry ``(i, j)`` is
    ``exp(K_ij + u_i + v_j)``, the extra column ``exp(k^c_i + u_i + v^c)``,
    the extra row ``exp(k^r_j + u^r + v_j)``, the corner 0. One mat-vec with
    it updates the real and the extra scalings together."""
    batch, n, m = log_k.shape
    extra_col, extra_row = log_k_col is not None, log_k_row is not None
    if not (extra_col or extra_row):
        return _absorbed_kernel(log_k, u, v)
    col = row = None
    if extra_col:
        col = log_k_col + u + ve[:, None]  # (B, N)
    if extra_row:
        row = log_k_row + v + ue[:, None]  # (B, M)
        if extra_col:
            row = torch.cat([row, row.new_full((batch, 1), NEG_INF)], 1)
    if log_k.requires_grad or u.requires_grad or v.requires_grad:
        ext = log_k + u[:, :, None] + v[:, None, :]  # autograd: no out=
        if extra_col:
            ext = torch.cat([ext, col[:, :, None]], 2)
        if extra_row:
            ext = torch.cat([ext, row[:, None, :]], 1)
        return exp_flush(ext)
    ext = log_k.new_empty((batch, n + extra_row, m + extra_col))
    torch.add(log_k, u[:, :, None], out=ext[:, :n, :m])
    ext[:, :n, :m].add_(v[:, None, :])
    if extra_col:
        ext[:, :n, m] = col
    if extra_row:
        ext[:, n] = row
    return _exp_flush_(ext)


def _scaling_update(old: Tensor, target: Tensor, sums: Tensor, omega: float,
                    log_damp: Optional[Tensor], lam: Optional[Tensor],
                    keep: Optional[Tensor]) -> Tensor:
    """One scaling update from the current ``sums = K~ t`` (overwritten).

    Exact marginals: ``new = target / sums``, over-relaxed linearly,
    ``(1 - omega) old + omega new``, kept above ``new / 2`` (the lerp may
    overshoot below 0 far from the fixed point). Near the fixed point this
    is the log-domain ``old^(1 - omega) new^omega`` to first order (same
    fixed point, same rate) without transcendentals (faster than
    ``exp(omega log r)`` or a ``pow``). KL-relaxed marginals, in the log
    domain: ``new = (target / sums)^lam e^{log_damp}``, then
    ``old^(1 - omega) new^omega``. Entries in ``keep`` (padded frames,
    free sinks) stay 1.
    """
    if sums.requires_grad or old.requires_grad:  # unrolled: out of place
        if keep is not None:  # no 0 / 0 on kept entries: NaN gradients
            sums = sums.masked_fill(keep, 1.0)
            target = target.masked_fill(keep, 1.0)
        log_new = (target / sums).log()
        if lam is not None:
            log_new = lam * log_new + log_damp
        if omega != 1:
            log_new = omega * log_new + (1 - omega) * old.log()
        new = log_new.exp()
        return new if keep is None else new.masked_fill(keep, 1.0)
    if lam is None:  # exact marginals
        new = sums.reciprocal_().mul_(target)
        if omega != 1:  # lerp, kept above new / 2 (it may overshoot to < 0)
            new = torch.maximum(torch.lerp(old, new, omega), new.mul_(0.5))
    else:  # KL-relaxed: in the log domain
        log_new = sums.div_(target).log_().mul_(-lam).add_(log_damp)
        if omega != 1:
            log_new = log_new.mul_(omega).add_(old.log(), alpha=1 - omega)
        new = log_new.exp_()
    if keep is not None:
        new.masked_fill_(keep, 1.0)
    return new


def _dummy_shift(k_dummy: Tensor, s: Tensor, t: Tensor, a: Tensor,
                 b: Tensor, n: int, m: int) -> Tuple[Tensor, Tensor, Tensor]:
    """Exact dual ascent along the slow mode of the dummy column.

    Rows that send most of their mass to the dummy column (set ``O``) and
    the dummy column's scaling form a nearly flat direction of the dual
    when ``a_O = sum_O a`` is close to the dummy mass ``b^c`` (uniform
    weights, ``m = k / N``): Sinkhorn creeps along it, leaking mass of
    outlier frames into the real block, which costs value. Scaling ``s_O``
    by ``1 / x`` and the dummy column by ``x`` changes the dual by

    .. math::
        (b^c - a_O) \\log x - L (1/x - 1) - D (x - 1)

    (``L``: real mass of the rows in ``O``, ``D``: dummy mass of the other
    rows), maximised at the positive root of ``D x^2 - (b^c - a_O) x - L``.
    Called right after a row update, when the rows sum to ``a``, so that
    ``L`` needs no mat-vec; ``k_dummy`` (``(B, N)``, contiguous) is the
    dummy column of the absorbed kernel. For the columns, pass the
    transposed problem (the dummy row, ``t, s, b, a, m, n``). Returns the
    new ``s, t`` and the factors ``x`` (1 where skipped).
    """
    dummy = k_dummy * s[:, :n] * t[:, m, None]  # (B, N)
    outlier = dummy > 0.5 * a[:, :n]
    inside = outlier.to(dummy.dtype)
    # one reduction for a_O, the outliers' dummy mass and all dummy mass
    mass_o, dummy_o, dummy_all = torch.stack(
        [a[:, :n] * inside, dummy * inside, dummy]).sum(2)
    leak = (mass_o - dummy_o).clamp_min_(0)  # rows exact: real = a - dummy
    other = dummy_all - dummy_o
    lin = b[:, m] - mass_o
    # the positive root in the form free of cancellation for each sign
    denom = (lin.square() + 4 * other * leak).sqrt_().add_(lin.abs())
    x = torch.where(lin > 0, denom / (2 * other), 2 * leak / denom)
    # skipped: a leak within rounding of the rows' sums (nothing to move),
    # or no other dummy mass with lin >= 0 (no finite maximum)
    rounding = 100 * torch.finfo(a.dtype).eps
    valid = (leak > rounding * mass_o) & ((other > 0) | (lin < 0))
    x = torch.where(valid, x, 1.0).clamp_(math.exp(-40), math.exp(40))
    scale = torch.where(outlier, x[:, None].reciprocal(), 1.0)
    s = torch.cat([s[:, :n] * scale, s[:, n:]], 1)
    t = torch.cat([t[:, :m], (t[:, m] * x)[:, None], t[:, m + 1:]], 1)
    return s, t, x


def sinkhorn_scaling(problem: SinkhornProblem,
                     state: Optional[SinkhornState] = None,
                     *,
                     max_iter: int = 50,
                     tol: float = 1e-6,
                     check_every: int = 10,
                     overrelax: float = 1.0,
                     absorb_at: float = 15.0,
                     dummy_shift: bool = True) -> SinkhornOutput:
    """Same fixed point as :func:`sinkhorn_log`, with scalings and absorption.

    The stabilised scaling form (Schmitzer, 2019): the current potentials
    ``u, v`` are absorbed into ``K~ = exp(K + u (+) v)`` (after one
    log-domain update on a cold start, which keeps every row of ``K~``
    representable), the extra column and row appended to it as one more
    column and row (see :func:`_extended_kernel`); the iterations then
    update scalings ``s, t`` by one mat-vec each,

    .. math::
        s \\leftarrow \\big(a / \\tilde K t\\big)^{\\lambda}
        \\, e^{(\\lambda - 1) u}

    (the extra entries with ``lambda = 1`` and their own mass; free sinks and
    padded frames keep scaling 1), optionally over-relaxed with
    ``w = overrelax`` in ``[1, 2)`` (Thibault et al., 2017; see
    :func:`_scaling_update`; same fixed point, far fewer iterations at small
    epsilon, measured), except on the checked sweeps, and re-absorb
    ``log s, log t`` whenever one exceeds ``absorb_at`` (tested every
    ``check_every`` iterations). If a row underflows, one log-domain update
    restores it. One exp over ``(B, N, M)`` per absorption instead of two
    per iteration; the returned state carries the plan
    ``K~ diag(s) diag(t)``.

    With a dummy point (exact mass) the checked sweeps also step along the
    dummy point's slow mode (``dummy_shift=True``, see
    :func:`_dummy_shift`; exact marginals only; its effect on the value
    is measured in docs/solver.md). Other arguments as
    :func:`sinkhorn_log`; ``absorb_at`` is the log-scaling
    beyond which the scalings are absorbed into the kernel.
    """
    log_k, log_a, log_b, mask_x, mask_y, lam_a, lam_b, log_k_col, \
        log_k_row, log_mass_col, log_mass_row = _fields(problem)

    def log_step(state):
        # one log-domain update: every row of the kernel made representable
        return sinkhorn_log(problem, state, max_iter=1, tol=0.0)

    if not 1 <= overrelax < 2:
        raise ValueError(f'overrelax must be in [1, 2), got {overrelax}')
    done, err = 0, float('inf')
    if state is None:  # cold start: absorb after one log-domain update
        state, _, err = log_step(state)
        done = 1
    n, m = log_k.shape[1:]
    extra_row, extra_col = log_k_row is not None, log_k_col is not None

    def targets(real, log_target, has_extra, lam, log_mass):
        """Targets, kept entries (scaling fixed at 1) and exponents of the
        extended scalings: real frames, then the extra point if any."""
        target = torch.where(real, log_target.exp(),
                             torch.zeros_like(log_target))
        keep, lam_vec = ~real, None
        if has_extra:  # exact mass, or a free sink whose scaling stays 1
            free = log_mass is None
            mass = target.new_ones(len(target)) if free else log_mass.exp()
            target = torch.cat([target, mass[:, None]], 1)
            keep = torch.cat([keep, keep.new_full((len(keep), 1), free)], 1)
        if lam != 1:  # KL-relaxed real marginals; the extra point is exact
            lam_vec = torch.full_like(target, lam)
            lam_vec[:, real.shape[1]:] = 1.0
        return target, (keep if bool(keep.any()) else None), lam_vec

    a, keep_x, lam_x = targets(mask_x, log_a, extra_row, lam_a, log_mass_row)
    b, keep_y, lam_y = targets(mask_y, log_b, extra_col, lam_b, log_mass_col)
    shift = (dummy_shift and log_mass_col is not None and
             log_mass_row is not None and lam_a == lam_b == 1
             and not log_k.requires_grad)
    kern = s = t = None
    while done < max_iter:
        u, v, ue, ve = state.u, state.v, state.u_extra, state.v_extra
        kern = _extended_kernel(log_k, u, v, log_k_col, ue, log_k_row, ve)
        if shift:  # the dummy column / row, gathered once per absorption
            k_col, k_row = kern[:, :n, m].contiguous(), kern[:, n, :m]
        s = kern.new_ones(kern.shape[:2])
        t = kern.new_ones(kern.shape[0], kern.shape[2])
        # (lam - 1) u of the KL-relaxed update, fixed between absorptions
        damp_x = damp_y = None
        if lam_x is not None:
            u_ext = torch.cat([u, ue[:, None]], 1) if extra_row else u
            damp_x = (lam_x - 1) * u_ext
        if lam_y is not None:
            v_ext = torch.cat([v, ve[:, None]], 1) if extra_col else v
            damp_y = (lam_y - 1) * v_ext
        absorbed = converged = False
        while done < max_iter and not absorbed:
            done += 1
            s_prev = s
            check = done % check_every == 0 or done == max_iter
            # over-relaxed sweeps between checks; the checked sweep (the only
            # one the loop can stop on) is plain, so the columns come out exact
            omega = 1.0 if check else overrelax
            s = _scaling_update(s, a, matvec(kern, t), omega, damp_x, lam_x,
                                keep_x)
            if check:
                ratio = s[:, :n] / s_prev[:, :n]  # this sweep's change
                moved = [ratio.new_ones(1)]  # the dummy shifts' factors
            shift_now = check and shift and done < max_iter
            if shift_now:  # rows exact (plain sweep): shift the rows' mode
                s, t, x = _dummy_shift(k_col, s, t, a, b, n, m)
                moved.append(x)
            t = _scaling_update(t, b, torch.bmm(s[:, None, :], kern)[:, 0],
                                omega, damp_y, lam_y, keep_y)
            if shift_now:  # columns exact: the same for the columns
                t, s, x = _dummy_shift(k_row, t, s, b, a, m, n)
                moved.append(x)
            if not check:
                continue
            moved = torch.cat(moved)
            # one host sync every check_every iterations: the ranges of the
            # sweep's ratio (error = its largest |log|), the shift, s and t
            stats = torch.cat([
                torch.stack(torch.aminmax(x)) for x in (ratio, moved, s, t)
            ]).tolist()
            if all(0 < x < math.inf for x in stats):
                logs = [abs(math.log(x)) for x in stats]
                err, step, big = max(logs[:2]), max(logs[2:4]), max(logs[4:])
            else:  # a row underflowed or overflowed
                err = step = big = math.inf
            absorbed = big > absorb_at or not math.isfinite(big)
            converged = err < tol and step < tol
            if converged or not math.isfinite(err):
                break
        if not math.isfinite(float(s.detach().sum() + t.detach().sum())):
            # a row underflowed: one log-domain update, then absorb again
            state, _, err = log_step(state)
            done += 1
            kern = None
            continue
        log_s, log_t = s.log(), t.log()
        state = SinkhornState(
            u + log_s[:, :n], v + log_t[:, :m],
            ue + log_s[:, n] if extra_row else ue,
            ve + log_t[:, m] if extra_col else ve)
        if converged or not absorbed:
            break
    if kern is not None:
        real = kern[:, :n, :m]
        if kern.requires_grad:
            state.plan = real * s[:, :n, None] * t[:, None, :m]
        elif extra_row or extra_col:  # a fresh contiguous plan
            state.plan = torch.mul(real, s[:, :n, None]).mul_(t[:, None, :m])
        else:  # the kernel is not needed any more: scale it in place
            state.plan = kern.mul_(s[:, :, None]).mul_(t[:, None, :])
    return SinkhornOutput(state, done, err)
