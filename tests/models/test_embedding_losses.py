"""The embedding regularisers (ContrastiveIDMLoss, UniformityLoss) against
hand-worked examples, and in the aligner."""
import os.path as osp

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.optim import OptimWrapper

from realign_mm.models.losses import ContrastiveIDMLoss, UniformityLoss
from tests.conftest import CONFIGS
from tests.models.test_procedure_aligner import _batch


def test_hand_worked_three_frames_with_padding():
    # times 0, 1/3, 2/3; window 0.34: (0, 1) and (1, 2) are neighbours,
    # (0, 2) is far (gap 2/3, W = 13/9); D01 = 1, D12 = 1.25, D02 = 0.25
    emb = torch.tensor([[[0., 0.], [1., 0.], [0., .5], [9., 9.]]],
                       dtype=torch.float64)
    mask = torch.tensor([[True, True, True, False]])
    loss = ContrastiveIDMLoss(margin=2.0, window=0.34)(emb, mask)
    expected = (2 * (1 + 1.25) + 2 * 13 / 9 * (2 - .25)) / 9
    assert loss.item() == pytest.approx(expected, rel=1e-6)


def test_collapse_is_penalised_and_spread_is_not():
    mask = torch.ones(1, 4, dtype=torch.bool)
    loss = ContrastiveIDMLoss(margin=2.0, window=0.0)
    collapsed = torch.zeros(1, 4, 3)
    # every off-diagonal pair pushed: lambda * sum W / n^2
    t = torch.arange(4) / 4
    weights = (1 + (t[:, None] - t[None])**2) * (1 - torch.eye(4))
    assert loss(collapsed, mask).item() == pytest.approx(
        2.0 * weights.sum().item() / 16)
    spread = 2 * torch.eye(4)[None, :, :3].clone()  # pairwise D >= 4 > 2
    spread[0, 3] = torch.tensor([-2., 0, 0])
    assert loss(spread, mask).item() == 0


def test_rejects_bad_options():
    with pytest.raises(ValueError, match='margin > 0'):
        ContrastiveIDMLoss(margin=0)


def test_aligner_logs_and_trains_the_intra_video_term():
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'))
    cfg.model.embedding_loss = dict(type='ContrastiveIDMLoss',
                                    loss_weight=0.5)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-2))
    log = model.train_step(_batch(4), optim)
    assert set(log) == {'loss', 'loss_fpgw', 'loss_contrast', 'loss_idm'}
    assert log['loss_idm'] > 0
    total = log['loss_fpgw'] + log['loss_contrast'] + log['loss_idm']
    assert log['loss'].item() == pytest.approx(total.item(), rel=1e-5)


def test_uniformity_hand_worked_and_collapse():
    # two orthogonal unit frames in two videos (+ a padded one): D = 2 on
    # both ordered pairs, so log mean exp(-t D) = -2 t
    emb = torch.tensor([[[1., 0.], [5., 5.]], [[0., 1.], [0., 0.]]])
    mask = torch.tensor([[True, False], [True, False]])
    assert UniformityLoss(t=2.0)(emb, mask).item() == pytest.approx(-4.0)
    collapsed = torch.ones(2, 3, 2)
    full = torch.ones(2, 3, dtype=torch.bool)
    assert UniformityLoss()(collapsed, full).item() == pytest.approx(0.0)
    with pytest.raises(ValueError, match='t > 0'):
        UniformityLoss(t=0)


def test_plan_cycle_rewards_identifiable_frames_and_skips_sunk_ones():
    from realign_mm.models.losses import PlanCycleLoss
    n = 5
    x = torch.eye(n)[None]  # 5 distinct frames; Y = X, identity plan
    plan = torch.eye(n)[None] / n
    mask = torch.ones(1, n, dtype=torch.bool)
    loss = PlanCycleLoss(temperature=0.05)
    aligned = loss(x, x.clone(), plan, mask, mask)
    collapsed = loss(torch.ones(1, n, n), torch.ones(1, n, n), plan, mask,
                     mask)
    # collapsed: the cycle is uniform, (t_i - mu)^2 / sigma^2 averages 1
    assert collapsed.item() == pytest.approx(
        1 + 0.001 * 0.5 * torch.var(torch.arange(n) / n,
                                    unbiased=False).log().item(), rel=1e-4)
    assert aligned.item() < collapsed.item() - 0.9
    # a frame whose mass all went to the sink does not count
    sunk = plan.clone()
    sunk[0, 2] = 0
    moved = x.clone()
    moved[0, 2] = torch.tensor([9., 9, 9, 9, 9])
    y = x.clone()
    y[0, 2] = moved[0, 2]
    assert loss(moved, y, sunk, mask, mask).item() == pytest.approx(
        loss(x, x.clone(), sunk, mask, mask).item(), abs=0.05)
