"""Regularised fused partial Gromov-Wasserstein (R-FPGW) transport, batched.

For each pair ``b`` of a batch we approximately solve

.. math::
    \\min_{T \\ge 0} \\; (1 - \\alpha) \\langle D, T \\rangle
      + \\alpha \\sum_{ijkl} (C^X_{ik} - C^Y_{jl})^2 T_{ij} T_{kl}
      + \\varepsilon \\, \\mathrm{KL}(T \\,|\\, a b^\\top \\odot w)
      + \\text{(partial transport terms)}

by mirror descent in the KL geometry (Peyre et al., ICML 2016): at outer
step k the quadratic term is linearised,
``G_k = (1 - alpha) D + 2 alpha L(C^X, C^Y) (x) T_k``, and
``T_{k+1} = argmin <G_k, T> + eps KL(T | a b^T w)`` subject to the marginal
model is solved by log-domain Sinkhorn (:func:`sinkhorn_log`), warm-started
from the previous potentials. The partial models are

* ``mass=m``: exact total mass, ``T 1 <= a``, ``T^T 1 <= b``, ``sum T = m``
  (POT's ``partial_fused_gromov_wasserstein``), via a dummy point kept as two
  scalar potentials per pair;
* ``sink_cost=zeta``: a virtual sink frame appended to each video; sending a
  frame's mass to the other video's sink costs ``zeta``;
* ``tau``: KL-relaxed marginals ``tau KL(T 1 | a) + tau KL(T^T 1 | b)``
  (combinable with the sink);
* none of them: balanced transport (``sum a == sum b``), which equals POT's
  ``entropic_fused_gromov_wasserstein`` when no prior is given.

Gradients: ``grad='envelope'`` (default) solves without a graph and
differentiates ``E(T*)`` with ``T*`` held fixed (envelope theorem);
``grad='unrolled'`` back-propagates through every iteration.
"""
from dataclasses import dataclass
from functools import partial
from typing import Optional, Union

import torch
from torch import Tensor

from .costs import StructureLike, fgw_objective, square_loss_terms
from .sinkhorn import (NEG_INF, SinkhornProblem, SinkhornState, exp_flush,
                       sinkhorn_log, sinkhorn_scaling)
from .structures import DenseStructure, as_structure
from .options import (Marginals, SolverOptions, inner_tolerance,
                      solver_options, triton_limits)
from .triton import MAX_COLS, resolve_backend

__all__ = ['FPGWResult', 'fused_partial_gw']


@dataclass
class FPGWResult:
    """Output of :func:`fused_partial_gw`.

    Attributes:
        plan (Tensor): ``(B, N, M)`` real-to-real transport plan ``T*``.
        value (Tensor): ``(B,)`` fused GW objective ``E(T*)`` (differentiable
            with respect to the cost and structures).
        mass (Tensor): ``(B,)`` total mass of ``T*`` (detached).
        sink_x (Tensor): ``(B, N)`` mass each frame of X sends to Y's sink or
            the dummy point (unmatched mass).
        sink_y (Tensor): ``(B, M)`` likewise for Y.
        n_outer (int): outer iterations run.
        n_inner (int): Sinkhorn iterations run in total.
        marginal_error (float): last Sinkhorn error (max log-ratio).
    """
    plan: Tensor
    value: Tensor
    mass: Tensor
    sink_x: Tensor
    sink_y: Tensor
    n_outer: int
    n_inner: int
    marginal_error: float

    @property
    def distance(self) -> Tensor:
        """``E(T*) / sum T*``, the FPGW distance of method.md, ``(B,)``."""
        return self.value / self.mass.clamp_min(1e-12)


def _default_weights(weights: Optional[Tensor], like: Tensor,
                     dim: int) -> Tensor:
    if weights is None:
        n = like.shape[dim]
        shape = (like.shape[0], n)
        return like.new_full(shape, 1.0 / n)
    if weights.shape != (like.shape[0], like.shape[dim]):
        raise ValueError(f'frame weights of shape {tuple(weights.shape)} do '
                         f'not match the cost {tuple(like.shape)}')
    if bool((weights < 0).any()) or not bool(torch.isfinite(weights).all()):
        raise ValueError('frame weights must be finite and non-negative')
    return weights.to(like.dtype)


def _epsilon_schedule(epsilon: float, start: Optional[float],
                      steps: int) -> list:
    """Per-step epsilon: geometric from ``start`` to ``epsilon`` over the
    first half of the steps, then ``epsilon``."""
    if start is None or start == epsilon or steps < 2:
        return [epsilon] * steps
    ramp = max(1, steps // 2)
    ratio = (epsilon / start)**(1 / ramp)
    return [max(epsilon, start * ratio**k) for k in range(ramp)] + \
        [epsilon] * (steps - ramp)


def _take_plan(state: SinkhornState, log_k: Tensor) -> Tensor:
    """The real block of the step's plan (formed by the scaling solver, or
    from the potentials), detached from the state."""
    plan = state.plan
    if plan is None:
        plan = exp_flush(log_k + state.u[:, :, None] + state.v[:, None, :])
    state.plan = None  # not carried into the next step
    return plan


def _round_partial(plan: Tensor, a: Tensor, b: Tensor,
                   mass: float) -> Tensor:
    """Round a plan onto POT's partial polytope ``T 1 <= a``,
    ``T^T 1 <= b``, ``sum T = mass``, after Altschuler et al.'s rounding
    (NeurIPS 2017): scale down the rows that exceed ``a``, then the columns
    that exceed ``b``; then scale down an excess of mass, or add a deficit
    ``d`` as the rank-one plan ``d r c^T / (sum r sum c)`` of the row and
    column slacks ``r = a - T 1``, ``c = b - T^T 1``, which stays inside
    (``d <= sum r`` since ``sum a >= mass``). The plan moves by at most the
    marginal error it had, in O(N M)."""
    tiny = torch.finfo(plan.dtype).tiny
    rows = plan.sum(2)
    plan = plan * torch.where(rows > a, a / rows.clamp_min(tiny),
                              torch.ones_like(rows))[:, :, None]
    cols = plan.sum(1)
    plan = plan * torch.where(cols > b, b / cols.clamp_min(tiny),
                              torch.ones_like(cols))[:, None, :]
    total = plan.sum((1, 2))
    plan = plan * torch.where(total > mass, mass / total.clamp_min(tiny),
                              torch.ones_like(total))[:, None, None]
    slack_r = (a - plan.sum(2)).clamp_min(0)
    slack_c = (b - plan.sum(1)).clamp_min(0)
    deficit = (mass - total).clamp_min(0)  # 0 where the excess was scaled
    scale = deficit / (slack_r.sum(1) * slack_c.sum(1)).clamp_min(tiny)
    return plan + scale[:, None, None] * slack_r[:, :, None] * \
        slack_c[:, None, :]


def _check_finite(name: str, value: Tensor, mask: Tensor) -> None:
    value = value.detach()  # else autograd keeps a copy for nothing
    # one reduction in the common case (a finite sum has no NaN or inf
    # terms; an overflowing one falls through to the exact test)
    if bool(torch.isfinite(value.sum())):
        return
    if not bool(torch.isfinite(value).logical_or_(~mask).all()):
        raise ValueError(f'{name} has NaN or inf entries at real frames')


def fused_partial_gw(cost: Tensor,
                     struct_x: StructureLike,
                     struct_y: StructureLike,
                     a: Optional[Tensor] = None,
                     b: Optional[Tensor] = None,
                     *,
                     alpha: float,
                     epsilon: float,
                     marginals: Optional[Marginals] = None,
                     mass: Optional[float] = None,
                     sink_cost: Optional[float] = None,
                     tau: Optional[float] = None,
                     prior: Optional[Tensor] = None,
                     solver: Union[None, str, dict, SolverOptions] = None,
                     plan_init: Optional[Tensor] = None,
                     **options) -> FPGWResult:
    """Solve a batch of regularised fused partial GW problems.

    The problem: ``cost``, the two structures, the weights ``a``, ``b``,
    ``prior``, ``alpha``, ``epsilon`` and the marginal model; how to solve
    it: ``solver`` (+ ``options``). Everything is checked before any work.

    Args:
        cost (Tensor): ``(B, N, M)`` feature cost D.
        struct_x (Tensor or structure): ``(B, N, N)`` symmetric structure
            of X, a matrix or an operator such as
            :class:`~realign_mm.ot.structures.TemporalStructure` (O(N M)
            products).
        struct_y (Tensor or structure): ``(B, M, M)`` structure of Y.
        a (Tensor, optional): ``(B, N)`` non-negative frame weights of X;
            zero marks a padded frame. Defaults to uniform ``1/N``.
        b (Tensor, optional): ``(B, M)`` frame weights of Y. Defaults to
            uniform ``1/M``.
        alpha (float): structure weight in [0, 1].
        epsilon (float): entropic regularisation (> 0).
        marginals (Marginals, optional): the marginal model, one tagged
            value (:class:`~realign_mm.ot.options.Marginals`: balanced,
            exact mass, sink, KL-relaxed). Defaults to balanced.
        mass, sink_cost, tau (float, optional): POT-style shorthand for
            ``marginals`` (``mass=0.75`` is ``Marginals.exact_mass(0.75)``);
            not together with ``marginals``.
        prior (Tensor, optional): ``(B, N, M)`` log-weights ``log w`` of the
            reference measure (see :mod:`realign_mm.ot.priors`).
        solver (str, dict or SolverOptions, optional): a preset of
            :data:`~realign_mm.ot.options.PRESETS` (``'default'``,
            ``'fast'``, ``'accurate'``; per size), a dict of options or
            :class:`~realign_mm.ot.options.SolverOptions`. Defaults to
            ``'default'``.
        plan_init (Tensor, optional): ``(B, N, M)`` initial plan.
        **options: :class:`SolverOptions` fields on top of ``solver``
            (``n_outer=20``, ``backend='torch'``, ...).

    Backends: ``'auto'`` takes the fused Triton kernels for CUDA tensors
    when triton imports and every option can be honoured there
    (:func:`~realign_mm.ot.options.triton_limits`), else torch, and logs
    the choice with its reason; ``'triton'`` with an option it cannot
    honour is refused before any work. The Triton kernels run the
    log-domain update, the same iteration as ``sinkhorn='scaling'``.

    Returns:
        FPGWResult: the plan, its objective and diagnostics.
    """
    if cost.dim() != 3:
        raise ValueError(f'cost must be (B, N, M), got {tuple(cost.shape)}')
    batch, n, m = cost.shape
    # the products run in the cost's precision
    struct_x = as_structure(struct_x).to(cost.dtype)
    struct_y = as_structure(struct_y).to(cost.dtype)
    if struct_x.shape != (batch, n, n) or struct_y.shape != (batch, m, m):
        raise ValueError(
            f'structures {tuple(struct_x.shape)} / {tuple(struct_y.shape)} '
            f'do not match the cost {tuple(cost.shape)}')
    if not 0 <= alpha <= 1:
        raise ValueError(f'alpha must be in [0, 1], got {alpha}')
    if not epsilon > 0:
        raise ValueError(f'epsilon must be > 0, got {epsilon}')
    if marginals is None:
        marginals = Marginals.from_keywords(mass, sink_cost, tau)
    elif mass is not None or sink_cost is not None or tau is not None:
        raise ValueError('give marginals= or the mass / sink_cost / tau '
                         'shorthand, not both')
    mass, sink_cost, tau = marginals.mass, marginals.sink_cost, marginals.tau
    opts = solver_options(solver, max(n, m), **options)
    if opts.epsilon_start is not None and not opts.epsilon_start >= epsilon:
        raise ValueError(f'epsilon_start must be >= epsilon, got '
                         f'{opts.epsilon_start} < {epsilon}')
    grad = opts.grad
    solve_inner = (partial(sinkhorn_scaling, dummy_shift=opts.dummy_shift)
                   if opts.sinkhorn == 'scaling' else sinkhorn_log)
    assemble = None
    limits = triton_limits(opts, marginals, cost.dtype, m, MAX_COLS)
    if resolve_backend(opts.backend, cost, limits) == 'triton':
        from .triton.ops import assemble_log_kernel, sinkhorn_log_triton
        solve_inner, assemble = sinkhorn_log_triton, assemble_log_kernel
    n_outer, n_inner = opts.n_outer, opts.n_inner
    tol_outer, tol_inner = opts.tol_outer, inner_tolerance(opts, cost.dtype)

    a = _default_weights(a, cost, 1)
    b = _default_weights(b, cost, 2)
    mask_x, mask_y = a > 0, b > 0
    pair_mask = mask_x[:, :, None] & mask_y[:, None, :]
    _check_finite('cost', cost, pair_mask)
    for name, struct, mask in (('struct_x', struct_x, mask_x),
                               ('struct_y', struct_y, mask_y)):
        if isinstance(struct, DenseStructure):
            _check_finite(name, struct.matrix, mask[:, :, None] & mask[:, None])
    # Padded entries may hold garbage (even NaN): zero them so that
    # 0-mass rows never turn into 0 * NaN.
    zero = cost.new_zeros(())
    padded = not (bool(mask_x.all()) and bool(mask_y.all()))
    if padded:
        cost = torch.where(pair_mask, cost, zero)
    struct_x, struct_y = struct_x.masked(mask_x), struct_y.masked(mask_y)

    sum_a, sum_b = a.sum(1), b.sum(1)  # (B,)
    balanced = mass is None and sink_cost is None and tau is None
    if balanced and not torch.allclose(sum_a, sum_b, rtol=1e-5):
        raise ValueError('balanced transport needs sum(a) == sum(b); set '
                         'mass, sink_cost or tau for partial transport')
    if mass is not None and not (0 < mass <= float(
            torch.minimum(sum_a, sum_b).min()) * (1 + 1e-6)):
        raise ValueError(f'mass must be in (0, min(sum a, sum b)], got {mass}')

    log_a = torch.where(mask_x, a.clamp_min(1e-300).log(), zero)
    log_b = torch.where(mask_y, b.clamp_min(1e-300).log(), zero)
    log_ref = log_a[:, :, None] + log_b[:, None, :]
    if prior is not None:
        log_ref = log_ref + prior.detach()
    if padded:
        log_ref = torch.where(pair_mask, log_ref,
                              log_ref.new_full((), NEG_INF))

    # Extra row / column: dummy point (exact mass) or virtual sink (free).
    log_k_col = log_k_row = log_mass_col = log_mass_row = None
    if mass is not None:
        tiny = torch.finfo(cost.dtype).tiny
        log_mass_col = (sum_a - mass).clamp_min(tiny).log()
        log_mass_row = (sum_b - mass).clamp_min(tiny).log()
        log_k_col = torch.where(mask_x, log_a + log_mass_col[:, None],
                                zero + NEG_INF)
        log_k_row = torch.where(mask_y, log_b + log_mass_row[:, None],
                                zero + NEG_INF)
    elif sink_cost is not None:
        # the sink weighs like one average real frame of the other video
        mean_a = sum_a / mask_x.sum(1).clamp_min(1)
        mean_b = sum_b / mask_y.sum(1).clamp_min(1)
        sink_col = torch.where(mask_x, log_a + mean_b.log()[:, None],
                               zero + NEG_INF)
        sink_row = torch.where(mask_y, log_b + mean_a.log()[:, None],
                               zero + NEG_INF)
    schedule = _epsilon_schedule(epsilon, opts.epsilon_start, n_outer)
    n_inner_last = n_inner if opts.n_inner_last is None else \
        opts.n_inner_last

    if plan_init is None:
        if mass is not None:
            target = torch.full_like(sum_a, mass)
        else:
            target = torch.minimum(sum_a, sum_b)
        plan = a[:, :, None] * b[:, None, :] * (target /
                                                (sum_a * sum_b))[:, None,
                                                                 None]
    else:
        plan = torch.where(pair_mask, plan_init.to(cost.dtype), zero)

    solve_grad = grad == 'unrolled' and torch.is_grad_enabled()
    state: Optional[SinkhornState] = None
    prev_eps, base, base_eps = epsilon, None, None
    inner_total, err, outer = 0, float('inf'), 0
    with torch.set_grad_enabled(solve_grad):
        c, cx, cy = ((cost, struct_x, struct_y) if solve_grad else
                     (cost.detach(), struct_x.detach(), struct_y.detach()))
        plan = plan if solve_grad else plan.detach()
        for outer, eps in enumerate(schedule, start=1):
            if state is not None and eps != prev_eps:
                state = state.rescaled(prev_eps / eps)
            prev_eps = eps
            if sink_cost is not None:
                log_k_col = sink_col - sink_cost / eps
                log_k_row = sink_row - sink_cost / eps
            lam = 1.0 if tau is None else tau / (tau + eps)
            # log kernel log_ref - G / eps, G = (1-alpha) D + 2 alpha L(x)T;
            # padded entries stay near NEG_INF (D and L(x)T are finite there)
            if eps != base_eps:  # log_ref - (1 - alpha) D / eps, cached
                base, base_eps = torch.add(log_ref, c,
                                           alpha=-(1 - alpha) / eps), eps
            if alpha > 0:
                # - 2 alpha / eps (const_x + const_y - 2 cross), in 3 passes
                const_x, const_y, cross = square_loss_terms(cx, cy, plan)
                if assemble is not None:  # one fused pass
                    log_k = assemble(base, cross, const_x, const_y,
                                     4 * alpha / eps, 2 * alpha / eps)
                else:
                    log_k = torch.add(base, cross, alpha=4 * alpha / eps)
                    log_k.sub_(const_x, alpha=2 * alpha / eps)
                    log_k.sub_(const_y, alpha=2 * alpha / eps)
            else:
                log_k = base
            last = outer == len(schedule)
            problem = SinkhornProblem(
                log_k, log_a, log_b, mask_x, mask_y, lam_a=lam, lam_b=lam,
                log_k_col=log_k_col, log_k_row=log_k_row,
                log_mass_col=log_mass_col, log_mass_row=log_mass_row)
            step = partial(solve_inner, problem, tol=tol_inner,
                           check_every=opts.check_every,
                           overrelax=opts.overrelax)
            state, n_it, err = step(
                state=state, max_iter=n_inner_last if last else n_inner)
            inner_total += n_it
            new_plan = _take_plan(state, log_k)
            # no early stop while annealing, nor a pass when it cannot stop
            if not last and eps == epsilon and tol_outer > 0:
                # the largest relative L1 change over the batch
                change = float((torch.sub(new_plan, plan).abs_().sum((1, 2))
                                / plan.sum((1, 2)).clamp_min(1e-30)).max())
                if change < tol_outer:
                    if n_inner_last > n_inner:  # polish the marginals
                        state, n_it, err = step(state=state,
                                                max_iter=n_inner_last)
                        inner_total += n_it
                        new_plan = _take_plan(state, log_k)
                    plan = new_plan
                    break
            plan = new_plan
        if mass is not None:  # exactly on POT's partial constraints
            plan = _round_partial(plan, a, b, mass)

        sink_x = plan.new_zeros(batch, n)
        sink_y = plan.new_zeros(batch, m)
        if mass is not None:  # the slack of the rounded plan
            sink_x = (a - plan.sum(2)).clamp_min(0)
            sink_y = (b - plan.sum(1)).clamp_min(0)
        elif log_k_col is not None:
            sink_x = torch.exp(log_k_col + state.u + state.v_extra[:, None])
            sink_y = torch.exp(log_k_row + state.v + state.u_extra[:, None])

    if not solve_grad:
        plan = plan.detach()
    value = fgw_objective(cost, struct_x, struct_y, plan, alpha)
    return FPGWResult(
        plan=plan,
        value=value,
        mass=plan.detach().sum((1, 2)),
        sink_x=sink_x.detach(),
        sink_y=sink_y.detach(),
        n_outer=outer,
        n_inner=inner_total,
        marginal_error=float(err))
