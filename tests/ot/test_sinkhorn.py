"""One Sinkhorn contract, run against every implementation: the torch
log-domain and scaling solvers and the Triton kernels (under
``TRITON_INTERPRET=1`` on CPU). Each takes a :class:`SinkhornProblem`,
returns a :class:`SinkhornOutput` and reaches the fixed point of a float64
log-domain reference solved to 1e-13."""
import os

import pytest
import torch

os.environ.setdefault('TRITON_INTERPRET', '1')  # before triton compiles

from realign_mm.ot import (SinkhornOutput, SinkhornProblem,  # noqa: E402
                           sinkhorn_log, sinkhorn_scaling)

EPS = 0.05


def _triton(problem, state=None, **kw):
    from realign_mm.ot.triton.ops import sinkhorn_log_triton
    return sinkhorn_log_triton(problem, state, **kw)


def _has_triton():
    try:
        import triton  # noqa: F401
    except ImportError:
        return False
    return True


#: name -> (solve, dtype, plan tolerance)
IMPLEMENTATIONS = {
    'torch log': (sinkhorn_log, torch.float64, 1e-10),
    'torch scaling': (sinkhorn_scaling, torch.float64, 1e-10),
    'triton': (_triton, torch.float32, 2e-6),
}


def _problem(kind, dtype):
    """3 pairs of 9 x 11 frames, pair 1 with 2 padded rows, pair 2 with 3
    padded columns; ``kind``: balanced, relaxed (lam 0.7), dummy (exact
    mass 0.8) or sink (free sink of cost 0.3, lam 0.7)."""
    g = torch.Generator().manual_seed(2)
    cost = torch.rand(3, 9, 11, generator=g, dtype=torch.float64)
    mask_x = torch.ones(3, 9, dtype=torch.bool)
    mask_y = torch.ones(3, 11, dtype=torch.bool)
    mask_x[1, 7:] = False
    mask_y[2, :3] = False
    a = mask_x / mask_x.sum(1, keepdim=True)
    b = mask_y / mask_y.sum(1, keepdim=True)
    log_a = torch.where(mask_x, a.clamp_min(1e-300).log(), 0.)
    log_b = torch.where(mask_y, b.clamp_min(1e-300).log(), 0.)
    log_k = log_a[:, :, None] + log_b[:, None] - cost / EPS
    log_k = log_k.masked_fill(~(mask_x[:, :, None] & mask_y[:, None]), -1e9)
    extra, lam = {}, 1.0
    if kind == 'dummy':
        mass = torch.full((3, ), 0.2, dtype=torch.float64).log()
        extra = dict(log_k_col=(log_a + mass[:, None]).masked_fill(
            ~mask_x, -1e9), log_k_row=(log_b + mass[:, None]).masked_fill(
                ~mask_y, -1e9), log_mass_col=mass, log_mass_row=mass)
    elif kind == 'sink':
        extra = dict(log_k_col=(log_a - 0.3 / EPS).masked_fill(~mask_x, -1e9),
                     log_k_row=(log_b - 0.3 / EPS).masked_fill(~mask_y, -1e9))
    if kind in ('relaxed', 'sink'):
        lam = 0.7
    cast = {k: v.to(dtype) for k, v in extra.items()}
    return SinkhornProblem(log_k.to(dtype), log_a.to(dtype), log_b.to(dtype),
                           mask_x, mask_y, lam_a=lam, lam_b=lam, **cast)


def _plan(problem, state):
    if state.plan is not None:
        return state.plan
    return torch.exp(problem.log_k + state.u[:, :, None] + state.v[:, None])


@pytest.mark.parametrize('kind', ['balanced', 'relaxed', 'dummy', 'sink'])
@pytest.mark.parametrize('name', list(IMPLEMENTATIONS))
def test_every_implementation_meets_the_contract(name, kind):
    solve, dtype, atol = IMPLEMENTATIONS[name]
    if name == 'triton' and not _has_triton():
        pytest.skip('triton is not installed')
    ref_problem = _problem(kind, torch.float64)
    ref = sinkhorn_log(ref_problem, max_iter=20000, tol=1e-13)
    problem = _problem(kind, dtype)
    out = solve(problem, max_iter=1000, tol=1e-6 if dtype ==
                torch.float32 else 1e-12, check_every=10)
    assert isinstance(out, SinkhornOutput)
    assert 0 < out.iterations <= 1000 and float(out.error) < 1e-5
    plan = _plan(problem, out.state).double()
    expected = _plan(ref_problem, ref.state)
    torch.testing.assert_close(plan, expected, atol=atol, rtol=0)
    # padded frames carry nothing
    assert (plan[1, 7:] == 0).all() and (plan[2, :, :3] == 0).all()
    if kind == 'balanced':
        torch.testing.assert_close(plan.sum(2), ref_problem.log_a.exp() *
                                   ref_problem.mask_x, atol=1e-6, rtol=0)
    if kind == 'dummy':  # the real block carries the exact mass 0.8
        torch.testing.assert_close(plan.sum((1, 2)),
                                   torch.full((3, ), 0.8,
                                              dtype=torch.float64),
                                   atol=1e-6, rtol=0)


@pytest.mark.parametrize('solve', [sinkhorn_log, sinkhorn_scaling])
def test_warm_start_and_overrelaxation_keep_the_fixed_point(solve):
    problem = _problem('sink', torch.float64)
    ref = sinkhorn_log(problem, max_iter=20000, tol=1e-13)
    half = solve(problem, max_iter=5, tol=0.0)
    out = solve(problem, half.state, max_iter=5000, tol=1e-12,
                overrelax=1.5)
    torch.testing.assert_close(_plan(problem, out.state),
                               _plan(problem, ref.state), atol=1e-10, rtol=0)


def test_one_signature():
    """The three implementations share their parameters (the Triton one
    adds ``launch``, the scaling one ``absorb_at`` and ``dummy_shift``)."""
    import inspect
    pytest.importorskip('triton')
    from realign_mm.ot.triton.ops import sinkhorn_log_triton
    base = list(inspect.signature(sinkhorn_log).parameters)
    assert base == ['problem', 'state', 'max_iter', 'tol', 'check_every',
                    'overrelax']
    for fn, extra in ((sinkhorn_scaling, ['absorb_at', 'dummy_shift']),
                      (sinkhorn_log_triton, ['launch'])):
        assert list(inspect.signature(fn).parameters) == base + extra
