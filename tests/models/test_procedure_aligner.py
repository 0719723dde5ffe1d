"""The aligner through train_step / test_step, built from the real config."""
import os.path as osp

import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.optim import OptimWrapper

from tests.conftest import CONFIGS


def _batch(num_videos, length=12, dim=64, tasks=None, seed=0):
    g = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for i in range(num_videos):
        n = length - (i % 3)  # ragged lengths
        inputs.append(torch.randn(n, dim, generator=g))
        s = ActionDataSample()
        s.set_metainfo(dict(video_id=f'v{i}', task=(tasks or ['t'])[i % len(
            tasks or ['t'])]))
        s.set_field(torch.randint(0, 3, (n, )), 'gt_frame_labels')
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples)


@pytest.fixture
def model():
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'))
    torch.manual_seed(0)
    return MODELS.build(cfg.model)


def test_train_step_updates_weights(model):
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-2))
    before = [p.detach().clone() for p in model.parameters()]
    log = model.train_step(_batch(4), optim)
    assert set(log) == {'loss', 'loss_fpgw', 'loss_contrast'}
    assert all(torch.isfinite(v) for v in log.values())
    assert log['loss_fpgw'] > 0
    changed = [not torch.equal(a, b) for a, b in zip(before,
                                                      model.parameters())]
    assert all(changed)


def test_test_step_stores_per_frame_embeddings(model):
    data = _batch(3)
    out = model.test_step(data)
    for sample, x in zip(out, data['inputs']):
        emb = sample.pred_embedding
        assert emb.shape == (x.shape[0], 128)
        torch.testing.assert_close(emb.norm(dim=1), torch.ones(len(emb)))
    tensor = model(**model.data_preprocessor(_batch(2)), mode='tensor')
    assert tensor.shape == (2, 12, 128)


def test_pairs_must_share_a_task(model):
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-2))
    with pytest.raises(ValueError, match='different tasks'):
        model.train_step(_batch(4, tasks=['a', 'b']), optim)
    with pytest.raises(ValueError, match='even batch'):
        model.train_step(_batch(3), optim)


def test_nan_loss_stops_with_video_ids(model):
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-2))
    with torch.no_grad():
        model.neck.mlp[-1].weight.fill_(float('nan'))
    with pytest.raises((FloatingPointError, ValueError), match='NaN|nan'):
        model.train_step(_batch(4), optim)


def test_contrastive_loss_prefers_matching_embeddings():
    from realign_mm.models import InterSequenceContrastiveLoss
    loss = InterSequenceContrastiveLoss(temperature=0.1)
    g = torch.Generator().manual_seed(0)
    x = torch.nn.functional.normalize(torch.randn(2, 6, 8, generator=g),
                                      dim=-1)
    plan = torch.eye(6).expand(2, 6, 6) / 6
    mask = torch.ones(2, 6, dtype=torch.bool)
    aligned = loss(x, x.clone(), plan, mask, mask)
    shuffled = loss(x, x[:, torch.randperm(6, generator=g)], plan, mask, mask)
    assert aligned < shuffled
