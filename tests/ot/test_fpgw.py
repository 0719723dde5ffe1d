"""The R-FPGW solver against POT and hand-checked properties."""
import numpy as np
import ot
import pytest
import torch

from realign_mm.ot import (fgw_objective, fused_partial_gw,
                           laplace_diagonal_prior, normalized_times,
                           sqeuclidean_cost, temporal_structure)


def _problem(batch=2, n=12, m=15, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, n, 3, generator=g, dtype=dtype)
    y = torch.randn(batch, m, 3, generator=g, dtype=dtype)
    cost = sqeuclidean_cost(x, y)
    cost = cost / cost.amax((1, 2), keepdim=True)
    cx = temporal_structure(
        normalized_times(torch.ones(batch, n, dtype=torch.bool)).to(dtype),
        0.3)
    cy = temporal_structure(
        normalized_times(torch.ones(batch, m, dtype=torch.bool)).to(dtype),
        0.3)
    return cost, cx, cy


TIGHT = dict(n_outer=3000, n_inner=3000, tol_outer=1e-13, tol_inner=1e-13)


@pytest.mark.parametrize('sinkhorn', ['scaling', 'log'])
def test_balanced_equals_pot_entropic_fgw(sinkhorn):
    cost, cx, cy = _problem()
    n, m = cost.shape[1:]
    res = fused_partial_gw(cost, cx, cy, alpha=0.5, epsilon=0.05,
                           sinkhorn=sinkhorn, **TIGHT)
    for b in range(cost.shape[0]):
        ref = ot.gromov.entropic_fused_gromov_wasserstein(
            cost[b].numpy(), cx[b].numpy(), cy[b].numpy(),
            np.full(n, 1 / n), np.full(m, 1 / m), loss_fun='square_loss',
            epsilon=0.05, alpha=0.5, symmetric=True, max_iter=10000,
            tol=1e-13)
        np.testing.assert_allclose(res.plan[b].numpy(), ref, atol=1e-6)
        expected = fgw_objective(cost[b:b + 1], cx[b:b + 1], cy[b:b + 1],
                                 torch.from_numpy(ref)[None], 0.5)
        np.testing.assert_allclose(res.value[b].item(), expected.item(),
                                   rtol=1e-6)


def _trajectory_problem(n, m, seed, dim=16, outliers=0.25):
    """Two noisy, time-warped copies of one smooth trajectory, a quarter of
    X's frames replaced by outliers (the setting of the solver notes)."""
    rng = np.random.default_rng(seed)
    basis = rng.normal(size=(3, dim))

    def path(t):
        return np.sin(np.outer(t, [3.0, 6.0, 9.0])) @ basis / 3

    x = path(np.linspace(0, 1, n)) + 0.05 * rng.normal(size=(n, dim))
    y = path(np.linspace(0, 1, m)**1.3) + 0.05 * rng.normal(size=(m, dim))
    bad = rng.random(n) < outliers
    x[bad] = rng.normal(size=(bad.sum(), dim))
    cost = sqeuclidean_cost(torch.tensor(x)[None], torch.tensor(y)[None])
    cost = cost / cost.max()
    ones = torch.ones(1, max(n, m), dtype=torch.bool)
    cx = temporal_structure(normalized_times(ones[:, :n]).double(), 0.3)
    cy = temporal_structure(normalized_times(ones[:, :m]).double(), 0.3)
    return cost, cx, cy


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_exact_mass_approaches_pot_partial_fgw(seed):
    n, m, mass = 24, 30, 0.75
    cost, cx, cy = _trajectory_problem(n, m, seed)
    ref_plan, log = ot.gromov.partial_fused_gromov_wasserstein(
        cost[0].numpy(), cx[0].numpy(), cy[0].numpy(), np.full(n, 1 / n),
        np.full(m, 1 / m), m=mass, alpha=0.5, numItermax=int(1e6), log=True)
    ref_value = log['partial_fgw_dist']
    # our objective evaluates POT's plan to POT's own value
    ours_on_ref = fgw_objective(cost, cx, cy,
                                torch.from_numpy(ref_plan)[None], 0.5)
    assert ours_on_ref.item() == pytest.approx(ref_value, rel=1e-9)
    gaps, plan = [], None
    for eps in (0.01, 0.003, 0.001, 0.0003):  # annealed, warm-started
        res = fused_partial_gw(cost, cx, cy, alpha=0.5, epsilon=eps,
                               mass=mass, n_outer=50, n_inner=1000,
                               tol_outer=1e-8, tol_inner=1e-8,
                               plan_init=plan)
        plan = res.plan
        assert res.mass.item() == pytest.approx(mass, abs=1e-5)
        assert (res.plan.sum(2) <= 1 / n + 1e-6).all()
        assert (res.plan.sum(1) <= 1 / m + 1e-6).all()
        assert res.sink_x.sum().item() == pytest.approx(1 - mass, abs=1e-5)
        gaps.append(abs(res.value.item() - ref_value) / ref_value)
    assert gaps[-1] < 0.05
    assert gaps[-1] < gaps[0]


def test_sink_takes_an_outlier_frame():
    cost, cx, cy = _problem(batch=1, n=10, m=10, seed=2)
    cost = cost * 0.1
    cost[0, 3, :] = 5.0  # frame 3 of X matches nothing
    res = fused_partial_gw(cost, cx, cy, alpha=0.0, epsilon=0.01,
                           sink_cost=0.5, n_outer=50, n_inner=500)
    assert res.sink_x[0, 3] > 0.09  # nearly all of its 1/10 mass
    assert res.plan[0, 3].sum() < 1e-3
    rows = res.plan.sum(2) + res.sink_x
    np.testing.assert_allclose(rows.numpy(), 0.1, atol=1e-5)


def test_kl_relaxed_marginals_shrink_mass():
    cost, cx, cy = _problem()
    loose = fused_partial_gw(cost, cx, cy, alpha=0.5, epsilon=0.05, tau=0.05)
    tight = fused_partial_gw(cost, cx, cy, alpha=0.5, epsilon=0.05, tau=50.)
    assert (loose.mass < tight.mass).all()
    assert (tight.mass - 1).abs().max() < 0.05


def test_padded_frames_carry_zero_mass_and_change_nothing():
    cost, cx, cy = _problem(batch=1, n=10, m=12, seed=4)
    ref = fused_partial_gw(cost, cx, cy, alpha=0.5, epsilon=0.05,
                           sink_cost=0.5)
    pad_cost = torch.full((1, 14, 12), float('nan'), dtype=cost.dtype)
    pad_cost[:, :10] = cost
    pad_cx = torch.zeros(1, 14, 14, dtype=cost.dtype)
    pad_cx[:, :10, :10] = cx
    a = torch.zeros(1, 14, dtype=cost.dtype)
    a[:, :10] = 0.1
    res = fused_partial_gw(pad_cost, pad_cx, cy, a, alpha=0.5, epsilon=0.05,
                           sink_cost=0.5)
    assert (res.plan[:, 10:] == 0).all()
    np.testing.assert_allclose(res.plan[:, :10].numpy(), ref.plan.numpy(),
                               atol=1e-10)
    assert torch.isfinite(res.value).all()


def test_envelope_gradient_matches_finite_differences_at_fixed_plan():
    cost, cx, cy = _problem(batch=1, n=6, m=7, seed=5)
    cost.requires_grad_(True)
    cx = cx.clone().requires_grad_(True)
    res = fused_partial_gw(cost, cx, cy, alpha=0.5, epsilon=0.05, mass=0.8)
    res.value.sum().backward()
    plan = res.plan.detach()

    def energy(c, s):
        return fgw_objective(c, s, cy, plan, 0.5).sum().item()

    h = 1e-6
    for (i, j) in [(0, 0), (2, 5), (5, 6)]:
        d = torch.zeros_like(cost)
        d[0, i, j] = h
        fd = (energy(cost.detach() + d, cx.detach()) -
              energy(cost.detach() - d, cx.detach())) / (2 * h)
        assert cost.grad[0, i, j].item() == pytest.approx(fd, rel=1e-6)
    for (i, k) in [(0, 1), (3, 4)]:
        d = torch.zeros_like(cx)
        d[0, i, k] = h
        fd = (energy(cost.detach(), cx.detach() + d) -
              energy(cost.detach(), cx.detach() - d)) / (2 * h)
        assert cx.grad[0, i, k].item() == pytest.approx(fd, rel=1e-5)
    # and the cost gradient is (1 - alpha) T*, as POT's fgw2 sets it
    np.testing.assert_allclose(cost.grad.numpy(), 0.5 * plan.numpy(),
                               atol=1e-12)


def test_unrolled_gradient_flows_through_iterations():
    cost, cx, cy = _problem(batch=1, n=6, m=6, seed=6)
    cost.requires_grad_(True)
    res = fused_partial_gw(cost, cx, cy, alpha=0.5, epsilon=0.1,
                           sink_cost=0.5, grad='unrolled', n_outer=3,
                           n_inner=20)
    res.value.sum().backward()
    assert torch.isfinite(cost.grad).all()
    # differs from the envelope gradient (1 - alpha) T*: the plan moves
    assert not torch.allclose(cost.grad, 0.5 * res.plan.detach())


def test_unrolled_gradient_is_finite_with_padded_frames():
    """Padded rows are 0 / 0 inside the scaling updates: their gradient must
    not turn into NaN on its way back to the real entries."""
    cost, cx, cy = _problem(batch=2, n=8, m=6, seed=7)
    a = torch.full((2, 8), 1 / 8, dtype=cost.dtype)
    a[1, 5:] = 0
    a[1, :5] = 1 / 5
    cost.requires_grad_(True)
    for extra in (dict(mass=0.7), dict(sink_cost=0.5)):
        cost.grad = None
        res = fused_partial_gw(cost, cx, cy, a, alpha=0.5, epsilon=0.1,
                               grad='unrolled', n_outer=3, n_inner=20,
                               overrelax=1.5, **extra)
        res.value.sum().backward()
        assert torch.isfinite(cost.grad).all()
        assert (cost.grad[1, 5:] == 0).all()
        assert (res.plan[1, 5:] == 0).all()


def test_prior_shapes_the_plan_towards_the_diagonal():
    cost = torch.zeros(1, 8, 8, dtype=torch.float64)
    cx = torch.zeros(1, 8, 8, dtype=torch.float64)
    mask = torch.ones(1, 8, dtype=torch.bool)
    prior = laplace_diagonal_prior(mask, mask, 0.1).double()
    res = fused_partial_gw(cost, cx, cx, alpha=0.5, epsilon=1.0, prior=prior)
    diag = torch.diagonal(res.plan[0]).sum()
    assert diag > 0.5  # uniform would give 1/8


def test_bad_inputs_are_refused():
    cost, cx, cy = _problem()
    with pytest.raises(ValueError, match='NaN'):
        bad = cost.clone()
        bad[0, 0, 0] = float('nan')
        fused_partial_gw(bad, cx, cy, alpha=0.5, epsilon=0.05)
    with pytest.raises(ValueError, match='mass'):
        fused_partial_gw(cost, cx, cy, alpha=0.5, epsilon=0.05, mass=2.0)
    with pytest.raises(ValueError, match='excludes'):
        fused_partial_gw(cost, cx, cy, alpha=0.5, epsilon=0.05, mass=0.5,
                         tau=1.0)
    with pytest.raises(ValueError, match='sum'):
        a = torch.full(cost.shape[:2], 2.0, dtype=cost.dtype)
        fused_partial_gw(cost, cx, cy, a, alpha=0.5, epsilon=0.05)


def _small_problems(seed, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(4, 10, 3, generator=g, dtype=dtype)
    y = torch.rand(4, 12, 3, generator=g, dtype=dtype)
    return (torch.cdist(x, y)**2, torch.cdist(x, x), torch.cdist(y, y))


@pytest.mark.parametrize('seed', range(6))
def test_defaults_meet_the_partial_constraints(seed):
    """A POT user's call with no solver option: the returned plan is on
    POT's partial polytope (T 1 <= a, T^T 1 <= b, sum T = m) to round-off
    at any epsilon (the final rounding), and at epsilon 1e-2 its objective
    is that of the converged entropic solution to 3 % (median 0.1 %)."""
    cost, cx, cy = _small_problems(seed)
    a, b = torch.full((4, 10), .1, dtype=cost.dtype), torch.full(
        (4, 12), 1 / 12, dtype=cost.dtype)
    results = {eps: fused_partial_gw(cost, cx, cy, alpha=0.5, epsilon=eps,
                                     mass=0.75) for eps in (1e-2, 1e-3)}
    for eps, res in results.items():
        plan = res.plan
        assert (plan.sum(2) <= a + 1e-15).all()
        assert (plan.sum(1) <= b + 1e-15).all()
        assert (plan.sum((1, 2)) - 0.75).abs().max() < 1e-12, eps
        torch.testing.assert_close(res.sink_x, a - plan.sum(2))
    converged = fused_partial_gw(cost, cx, cy, alpha=0.5, epsilon=1e-2,
                                 mass=0.75, n_outer=100, n_inner=2000,
                                 tol_outer=1e-12, tol_inner=1e-12)
    gap = (results[1e-2].value / converged.value - 1).abs()
    assert gap.max() < 0.03 and gap.median() < 1e-3, gap


def test_rounding_lands_on_the_partial_polytope():
    """Hand-checkable: a plan with too much mass in one row and too little
    in total is scaled into its bounds, then topped up along the slacks."""
    from realign_mm.ot.fpgw import _round_partial
    a = torch.tensor([[0.5, 0.5]], dtype=torch.float64)
    b = torch.tensor([[0.5, 0.5]], dtype=torch.float64)
    plan = torch.tensor([[[0.6, 0.0], [0.0, 0.1]]], dtype=torch.float64)
    out = _round_partial(plan, a, b, mass=0.8)
    # row 0 scaled to 0.5 (total 0.6); slacks r = c = (0, 0.4); the
    # missing 0.2 goes to entry (1, 1)
    torch.testing.assert_close(
        out, torch.tensor([[[0.5, 0.0], [0.0, 0.3]]], dtype=torch.float64))
    heavy = torch.tensor([[[0.4, 0.1], [0.1, 0.4]]], dtype=torch.float64)
    torch.testing.assert_close(_round_partial(heavy, a, b, 0.5), heavy / 2)
