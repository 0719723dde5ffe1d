"""The solver contract's values: presets, merging, dtype-aware tolerances,
the relative outer stop."""
import pytest
import torch

from realign_mm.ot import PRESETS, SolverOptions, fused_partial_gw, \
    solver_options
from realign_mm.ot.options import inner_tolerance


def test_a_dict_goes_on_top_of_its_base_preset():
    training = PRESETS['training'][0]
    assert solver_options(dict(n_outer=3), base='training') == \
        training.replace(n_outer=3)
    assert solver_options(dict(n_outer=3)) == SolverOptions(n_outer=3)
    assert solver_options(None, base='training') == training
    with pytest.raises(TypeError, match='n_outer'):
        solver_options(dict(n_outr=3))


def test_the_loss_keeps_the_training_budget():
    """Every reported training result used 10 steps of up to 50 Sinkhorn
    iterations at tolerance 1e-6: the loss's config dict goes on top of
    that, not of the POT-call default."""
    from realign_mm.models.losses import FPGWLoss
    loss = FPGWLoss(solver=dict(grad='envelope'))
    assert (loss.solver.n_inner, loss.solver.n_inner_last,
            loss.solver.tol_inner, loss.solver.tol_outer) == (50, None, 1e-6,
                                                              0.0)
    assert FPGWLoss(solver='fast').solver == 'fast'


def test_inner_tolerance_follows_the_precision():
    options = SolverOptions()
    assert inner_tolerance(options, torch.float64) == 1e-6
    assert inner_tolerance(options, torch.float32) == 3e-5
    assert inner_tolerance(options.replace(tol_inner=1e-3),
                           torch.float64) == 1e-3


def test_the_outer_loop_stops_on_the_relative_plan_change():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(2, 30, 3, generator=g, dtype=torch.float64)
    y = torch.rand(2, 40, 3, generator=g, dtype=torch.float64)
    cost = torch.cdist(x, y)**2
    cx, cy = torch.cdist(x, x), torch.cdist(y, y)
    stopped = fused_partial_gw(cost, cx, cy, alpha=0.5, epsilon=0.05,
                               mass=0.75, n_outer=50)
    full = fused_partial_gw(cost, cx, cy, alpha=0.5, epsilon=0.05,
                            mass=0.75, n_outer=50, tol_outer=0.0)
    assert stopped.n_outer < full.n_outer == 50
    torch.testing.assert_close(stopped.value, full.value, rtol=1e-2, atol=0)
