"""PlanCCALoop through a real Runner on tiny synthetic features."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from realign_mm.engine.loops.plan_cca_loop import _last_linear
from tests.conftest import CONFIGS, synthetic_cfg_options

RIDGE = 2.0


def _cfg(root, work_dir, **loop):
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'))
    cfg.merge_from_dict(synthetic_cfg_options(root))
    cfg.work_dir = str(work_dir)
    cfg.model.neck = dict(type='FrameEmbeddingNeck', in_channels=64,
                          out_channels=8, num_layers=0)
    cfg.model.contrastive_loss = None
    cfg.model.align_loss.solver.n_outer = 3
    cfg.train_dataloader.dataset.pipeline[0].jitter = False  # fixed frames
    cfg.train_cfg = dict(type='PlanCCALoop', ridge=RIDGE, **loop)
    cfg.optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.0))
    cfg.param_scheduler = []
    return cfg


def _fitted(runner):
    model = runner.model
    layer = _last_linear(model.neck)
    with torch.no_grad():
        feats, tasks = runner.train_loop._layer_inputs(model, layer)
    return layer, torch.cat(feats).double(), tasks


def test_fit_validates_saves_and_meets_the_constraint(tiny_synthetic,
                                                      tmp_path):
    runner = Runner.from_cfg(_cfg(tiny_synthetic, tmp_path))
    runner.train()
    assert runner.iter == 1
    assert 'val/keystep/pooled/f1' in runner.message_hub.log_scalars
    # 2 tasks x 3 training videos: 3 pairs each
    assert runner.message_hub.get_scalar('train/pairs').current() == 6
    state = torch.load(osp.join(str(tmp_path), 'iter_1.pth'),
                       weights_only=True)
    layer, frames, _ = _fitted(runner)
    assert torch.equal(state['state_dict']['neck.mlp.1.weight'],
                       layer.weight)
    # the fitted map W^T (u - m) on the training frames it was fitted on:
    # zero mean, and W^T (Sigma + rho sigma^2 I) W = I
    weight = layer.weight.T.double()
    mean = frames.mean(0)
    assert torch.allclose(layer.bias.double(), -(mean @ weight), atol=1e-5)
    cov = (frames - mean).T @ (frames - mean) / len(frames)
    reg = cov + RIDGE * torch.trace(cov) / len(cov) * torch.eye(len(cov))
    assert torch.allclose(weight.T @ reg @ weight,
                          torch.eye(8, dtype=torch.float64), atol=1e-4)


def test_plan_and_linear_time_correspondences_differ(tiny_synthetic,
                                                     tmp_path):
    weights = []
    for corr in ('plan', 'linear_time'):
        runner = Runner.from_cfg(
            _cfg(tiny_synthetic, tmp_path / corr, correspondence=corr))
        runner.train()
        weights.append(_last_linear(runner.model.neck).weight.clone())
    assert not torch.allclose(weights[0], weights[1], atol=1e-3)


def test_refuses_a_neck_that_changes_the_layer_output(tiny_synthetic,
                                                      tmp_path):
    cfg = _cfg(tiny_synthetic, tmp_path)
    cfg.model.neck = dict(type='FrameEmbeddingNeck', in_channels=64,
                          out_channels=None, num_layers=1, residual=True)
    with pytest.raises(ValueError, match='residual'):
        Runner.from_cfg(cfg).train()


def test_refuses_unknown_correspondence_unequal_lengths_and_no_plan(
        tiny_synthetic, tmp_path):
    with pytest.raises(ValueError, match='correspondence'):
        Runner.from_cfg(_cfg(tiny_synthetic, tmp_path / 'a',
                             correspondence='dtw')).train()
    cfg = _cfg(tiny_synthetic, tmp_path / 'b')
    cfg.train_dataloader.dataset.pipeline[0].num_frames = None
    with pytest.raises(ValueError, match='same number of frames'):
        Runner.from_cfg(cfg).train()
    cfg = _cfg(tiny_synthetic, tmp_path / 'c')
    cfg.model.align_loss = dict(type='TCCLoss')
    with pytest.raises(ValueError, match='TCCLoss gives no transport plan'):
        Runner.from_cfg(cfg).train()


def test_refuses_non_finite_inputs(tiny_synthetic, tmp_path):
    import numpy as np
    runner = Runner.from_cfg(_cfg(tiny_synthetic, tmp_path))
    dataset = runner.train_dataloader.dataset
    path = dataset.get_data_info(0)['feature_path']
    feats = np.load(path)
    feats[:, 5] = np.nan  # every frame the pipeline may sample
    np.save(tmp_path / 'nan.npy', feats)
    original = dataset.get_data_info

    def with_nan(index):
        info = original(index)
        if index == 0:
            info['feature_path'] = str(tmp_path / 'nan.npy')
        return info

    dataset.get_data_info = with_nan
    with pytest.raises(ValueError, match='NaN or inf'):
        runner.train()


def test_pairs_are_same_task_and_capped_per_task():
    from types import SimpleNamespace

    from realign_mm.engine import PlanCCALoop
    tasks = ['a', 'b', 'a', 'a', 'b', 'c']
    every = PlanCCALoop._pairs(SimpleNamespace(max_pairs_per_task=None),
                               tasks)
    assert every == [(0, 2), (0, 3), (2, 3), (1, 4)]  # 'c' has no partner
    capped = PlanCCALoop._pairs(SimpleNamespace(max_pairs_per_task=2), tasks)
    assert len(capped) == 3 and set(capped) <= set(every)
    assert (1, 4) in capped
