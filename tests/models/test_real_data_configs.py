"""The real-data configs (CaptainCook4D features) through train_step /
test_step on a tiny input, the feature-dimension check, and the published
benchmark configs (ImageNet weights by default) built with downloads
failing."""
import glob
import os.path as osp

import mmengine.runner.checkpoint as mm_checkpoint
import pytest
import torch
from mmaction.registry import MODELS
from mmengine.config import Config
from mmengine.optim import OptimWrapper

from tests.conftest import CONFIGS
from tests.models.test_procedure_aligner import _batch

FAMILY = sorted(
    glob.glob(osp.join(CONFIGS, '*', '*_captaincook4d-pe.py')))
BENCHMARKS = sorted(glob.glob(osp.join(CONFIGS, 'realign', '*_r50-cnc_*.py')))


def test_the_family_is_complete():
    names = {osp.relpath(c, CONFIGS) for c in FAMILY}
    assert {
        'realign/realign_mlp_captaincook4d-pe.py',
        'realign/untrained_features_captaincook4d-pe.py',
        'baselines/kot_mlp_captaincook4d-pe.py',
        'baselines/gw_mlp_captaincook4d-pe.py',
        'baselines/tcc_mlp_captaincook4d-pe.py',
        'baselines/random_labels_captaincook4d-pe.py'
    } <= names


def _context_batch(num_videos, window=21):
    """Features as the CaptainCook4D pipeline packs them, (T, W, 768)."""
    batch = _batch(num_videos, dim=768)
    if window > 1:
        batch['inputs'] = [x[:, None].expand(-1, window, -1) + 0.1 *
                           torch.randn(len(x), window, 768)
                           for x in batch['inputs']]
    return batch


@pytest.mark.parametrize('config', FAMILY, ids=lambda c: osp.relpath(
    c, CONFIGS))
def test_family_config_steps(config):
    cfg = Config.fromfile(config)
    splits = {k: cfg[f'{k}_dataloader'].dataset.split
              for k in ('train', 'val', 'test') if cfg[f'{k}_dataloader']}
    assert splits == dict(train='train', val='val', test='test') if \
        cfg.train_cfg else dict(val='val', test='test')
    load = cfg.test_dataloader.dataset.pipeline[0]
    window = 2 * load.get('context', 0) + 1  # what the pipeline packs
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    params = list(model.parameters())
    if params:
        optim = OptimWrapper(torch.optim.Adam(params, lr=1e-3))
        before = [p.detach().clone() for p in params]
        log = model.train_step(_context_batch(4, window), optim)
        assert all(torch.isfinite(v) for v in log.values())
        assert any(not torch.equal(a, b) for a, b in zip(before, params))
    out = model.test_step(_context_batch(2, window))
    assert out[0].pred_embedding.shape[0] == 12


def test_feature_dimension_is_checked_against_the_neck():
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'realign', 'realign_mlp_captaincook4d-pe.py'))
    model = MODELS.build(cfg.model)
    batch = _batch(2, dim=64)
    batch['data_samples'][0].set_metainfo(dict(feature_path='feats/v0.npz'))
    with pytest.raises(ValueError, match=r'the features have 64 channels but '
                       r'FrameEmbeddingNeck expects in_channels=768 .*'
                       r'feats/v0.npz'):
        model.test_step(batch)


def test_residual_neck_starts_as_the_identity():
    from realign_mm.models import FrameEmbeddingNeck
    neck = FrameEmbeddingNeck(16, out_channels=None, residual=True)
    neck.init_weights()
    x = torch.randn(2, 5, 16)
    torch.testing.assert_close(neck(x), x, rtol=0, atol=0)
    with pytest.raises(ValueError, match='keeps the 16 input channels'):
        FrameEmbeddingNeck(16, out_channels=8, residual=True)


@pytest.fixture
def no_downloads(monkeypatch):
    def refuse(url, *args, **kwargs):
        raise ConnectionRefusedError(f'download of {url} refused')

    monkeypatch.setattr(torch.hub, 'load_state_dict_from_url', refuse)
    monkeypatch.setattr(mm_checkpoint, 'load_url', refuse)


@pytest.mark.parametrize('config', BENCHMARKS, ids=osp.basename)
def test_published_benchmark_configs(config, no_downloads):
    cfg = Config.fromfile(config)
    # the paper's setting: ImageNet ResNet-50 to layer3, context neck,
    # 32 frames with context, K = 7
    assert cfg.model.backbone.pretrained.startswith('https://')
    assert cfg.model.backbone.depth == 50
    assert cfg.model.backbone.out_indices == (2, )
    assert cfg.model.neck.type == 'ContextEmbeddingNeck'
    sampling = cfg.train_dataloader.dataset.pipeline[1]
    assert (sampling.num_frames, sampling.context) == (32, 1)
    assert cfg.test_evaluator.num_keysteps == 7
    with pytest.raises(ConnectionRefusedError, match='resnet50'):
        MODELS.build(cfg.model).init_weights()  # would fetch the weights
    cfg.model.backbone.pretrained = None
    model = MODELS.build(cfg.model)
    model.init_weights()
    assert sum(p.numel() for p in model.backbone.parameters()) > 8e6


def test_context_neck_starts_as_the_window_mean():
    from realign_mm.models import FrameEmbeddingNeck, IdentityNeck
    neck = FrameEmbeddingNeck(8, out_channels=None, residual=True,
                              context_window=5)
    neck.init_weights()
    x = torch.randn(2, 6, 5, 8)
    torch.testing.assert_close(neck(x), x.mean(2))
    assert torch.equal(IdentityNeck()(x), x[:, :, 2])  # the sampled frame
    with pytest.raises(ValueError, match='context window of 3 frames'):
        neck(x[:, :, :3])
    with pytest.raises(ValueError, match='needs \\(B, T, W, C\\) features'):
        neck(x[:, :, 0])
