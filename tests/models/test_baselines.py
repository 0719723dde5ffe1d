"""The baseline and ablation configs through train_step / test_step, and
the baseline losses on hand-checked cases."""
import glob
import os.path as osp

import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.optim import OptimWrapper

from realign_mm.models import FPGWLoss, GWLoss, KOTLoss, TCCLoss
from tests.conftest import CONFIGS
from tests.models.test_procedure_aligner import _batch

TRAINED = sorted(
    glob.glob(osp.join(CONFIGS, 'baselines', '*_mlp_synthetic.py')) +
    glob.glob(osp.join(CONFIGS, 'ablations', '*_synthetic.py')))
EXPECTED_LOSS = dict(kot='loss_kot', gw='loss_gw', tcc='loss_tcc')


@pytest.mark.parametrize('config', TRAINED, ids=osp.basename)
def test_config_trains_and_predicts(config):
    cfg = Config.fromfile(config)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-2))
    before = [p.detach().clone() for p in model.parameters()]
    log = model.train_step(_batch(4), optim)
    assert all(torch.isfinite(v) for v in log.values())
    name = EXPECTED_LOSS.get(osp.basename(config).split('_')[0], 'loss_fpgw')
    assert name in log
    assert ('loss_contrast' in log) == (cfg.model.contrastive_loss
                                        is not None)
    assert any(not torch.equal(a, b)
               for a, b in zip(before, model.parameters()))
    out = model.test_step(_batch(2))
    assert out[0].pred_embedding.shape[1] == 128


def _pair(n=10, m=12, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.nn.functional.normalize(torch.randn(2, n, 8, generator=g), dim=2)
    y = torch.nn.functional.normalize(torch.randn(2, m, 8, generator=g), dim=2)
    return x, y, torch.ones(2, n, dtype=torch.bool), torch.ones(
        2, m, dtype=torch.bool)


def test_kot_is_linear_ot_with_the_opel_prior():
    x, y, mx, my = _pair()
    kot, res = KOTLoss(solver=dict(n_outer=1, n_inner=500))(x, y, mx, my)
    ref, ref_res = FPGWLoss(alpha=0.0, prior='mixture',
                            solver=dict(n_outer=1, n_inner=500))(x, y, mx, my)
    torch.testing.assert_close(kot, ref)
    torch.testing.assert_close(res.plan, ref_res.plan)
    assert res.sink_x.sum() > 0  # the virtual frame takes some mass
    with pytest.raises(TypeError, match='alpha'):
        KOTLoss(alpha=0.5)


def test_gw_is_balanced():
    x, y, mx, my = _pair()
    _, res = GWLoss(solver=dict(n_inner=500, n_outer=20))(x, y, mx, my)
    torch.testing.assert_close(res.plan.sum(2), torch.full((2, 10), 0.1),
                               atol=1e-4, rtol=0)
    torch.testing.assert_close(res.plan.sum(1), torch.full((2, 12), 1 / 12),
                               atol=1e-4, rtol=0)
    assert (res.sink_x == 0).all()


def test_tcc_cycles_back_and_penalises_noise():
    """The cycle X -> Y -> X only needs Y to contain X's frames, in any
    order (hand-checked: the soft nearest neighbour is the same frame);
    noise on Y blurs the cycle and raises the loss."""
    t = torch.linspace(0, 1, 16)
    path = torch.stack([torch.cos(3 * t), torch.sin(3 * t), t], 1)
    x = path[None].repeat(2, 1, 1)
    mask = torch.ones(2, 16, dtype=torch.bool)
    tcc = TCCLoss(temperature=0.01)
    perm = torch.randperm(16, generator=torch.Generator().manual_seed(0))
    torch.testing.assert_close(
        tcc._cycle(x, x[:, perm], mask, mask), tcc._cycle(x, x, mask, mask))
    aligned, res = tcc(x, x.clone(), mask, mask)
    assert res.plan is None and res.distance.shape == (2, )
    noisy = x + 0.3 * torch.randn(
        x.shape, generator=torch.Generator().manual_seed(1))
    worse, _ = tcc(x, noisy, mask, mask)
    assert worse > aligned + 0.1


def test_tcc_with_the_contrastive_term_is_refused():
    cfg = Config.fromfile(osp.join(CONFIGS, 'baselines',
                                   'tcc_mlp_synthetic.py'))
    cfg.model.contrastive_loss = dict(type='InterSequenceContrastiveLoss')
    with pytest.raises(ValueError, match='no transport plan'):
        MODELS.build(cfg.model)
