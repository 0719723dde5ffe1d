"""Property tests of the R-FPGW solver (hypothesis, derandomised for CI)."""
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from realign_mm.ot import (TemporalStructure, fused_partial_gw,
                           normalized_times, sqeuclidean_cost)

PROPERTY = settings(max_examples=25, deadline=None, derandomize=True)


def _features(n, m, seed, dtype=torch.float32, dim=8):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(1, n, dim, generator=g, dtype=dtype)
    y = torch.randn(1, m, dim, generator=g, dtype=dtype)
    return x, y


def _cost(x, y):
    cost = sqeuclidean_cost(x, y)
    return cost / cost.amax((1, 2), keepdim=True).clamp_min(1e-12)


def _temporal(n, dtype=torch.float32):
    mask = torch.ones(1, n, dtype=torch.bool)
    return TemporalStructure(normalized_times(mask).to(dtype), mask, 0.2)


@PROPERTY
@given(n=st.integers(1, 512), m=st.integers(1, 512),
       epsilon=st.floats(1e-3, 1.0), fraction=st.floats(0.1, 0.95),
       seed=st.integers(0, 2**16))
def test_exact_mass_plans_respect_the_marginals(n, m, epsilon, fraction,
                                                seed):
    x, y = _features(n, m, seed)
    mass = fraction  # uniform weights: sum a = sum b = 1
    res = fused_partial_gw(
        _cost(x, y), _temporal(n), _temporal(m), alpha=0.5,
        epsilon=epsilon, epsilon_start=max(epsilon, 0.05), mass=mass,
        n_outer=6, n_inner=20, n_inner_last=3000, tol_inner=1e-6,
        overrelax=1.5)
    plan = res.plan
    assert torch.isfinite(plan).all() and torch.isfinite(res.value).all()
    assert (plan >= 0).all()
    assert (plan.sum(2) <= (1 + 1e-3) / n).all()  # rows <= a
    assert (plan.sum(1) <= (1 + 1e-3) / m).all()  # columns <= b
    assert abs(res.mass.item() - mass) <= 1e-3 * mass


@PROPERTY
@given(n=st.integers(2, 40), m=st.integers(2, 40),
       seed=st.integers(0, 2**16), model=st.sampled_from(
           ['mass', 'sink', 'tau', 'balanced']))
def test_permuting_a_videos_frames_permutes_the_plan(n, m, seed, model):
    x, y = _features(n, m, seed, dtype=torch.float64)
    if model == 'balanced':
        m = n
        y = y[:, :n]
    perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    options = dict(mass=dict(mass=0.7), sink=dict(sink_cost=0.5),
                   tau=dict(tau=0.5), balanced={})[model]
    kwargs = dict(alpha=0.5, epsilon=0.05, n_outer=30, n_inner=300,
                  tol_inner=1e-12, tol_outer=1e-12, **options)
    # a permutation-equivariant structure: feature distances, scaled to
    # [0, 1] like the cost (unscaled, G / epsilon reaches thousands and the
    # solver stops unconverged, where rounding decides the last digits)
    ref = fused_partial_gw(_cost(x, y), _cost(x, x), _cost(y, y), **kwargs)
    xp = x[:, perm]
    res = fused_partial_gw(_cost(xp, y), _cost(xp, xp), _cost(y, y),
                           **kwargs)
    torch.testing.assert_close(res.plan, ref.plan[:, perm], rtol=1e-6,
                               atol=1e-9)
    torch.testing.assert_close(res.value, ref.value)


@PROPERTY
@given(n=st.integers(3, 60), m=st.integers(3, 60),
       seed=st.integers(0, 2**16), model=st.sampled_from(
           ['mass', 'sink', 'tau']))
def test_masked_frames_carry_zero_mass(n, m, seed, model):
    g = torch.Generator().manual_seed(seed)
    x, y = _features(n, m, seed)
    mask_x = torch.rand(1, n, generator=g) > 0.3
    mask_y = torch.rand(1, m, generator=g) > 0.3
    mask_x[0, 0] = mask_y[0, -1] = True  # at least one real frame each
    a = mask_x.float() / mask_x.sum()
    b = mask_y.float() / mask_y.sum()
    cost = _cost(x, y)
    cost[~(mask_x[:, :, None] & mask_y[:, None, :])] = float('nan')
    options = dict(mass=dict(mass=0.5), sink=dict(sink_cost=0.5),
                   tau=dict(tau=0.5))[model]
    struct_x = TemporalStructure(normalized_times(mask_x), mask_x, 0.2)
    struct_y = TemporalStructure(normalized_times(mask_y), mask_y, 0.2)
    res = fused_partial_gw(cost, struct_x, struct_y, a, b, alpha=0.5,
                           epsilon=0.05, **options)
    assert torch.isfinite(res.plan).all()
    assert (res.plan[~mask_x] == 0).all()
    assert (res.plan.transpose(1, 2)[~mask_y] == 0).all()
    assert (res.sink_x[~mask_x] == 0).all()
    assert (res.sink_y[~mask_y] == 0).all()
    assert res.plan[0][mask_x[0]][:, mask_y[0]].sum() > 0
