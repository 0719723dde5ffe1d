"""The supervised reference: its loss by hand, then the driver and its tool
on tiny synthetic data."""
import math
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from realign_mm.apis import init_aligner
from realign_mm.experiments import (cosine_step_loss, score_embeddings,
                                    train_supervised)
from tests.conftest import CONFIGS, ROOT, synthetic_cfg_options


def test_cosine_step_loss_by_hand():
    emb = torch.tensor([[[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]]])
    mask = torch.tensor([[True, True, False]])  # the third frame is padding
    labels = torch.tensor([[0, 1, 7]])
    # task 1's classifiers are the axes (scaled: only directions count)
    classifiers = torch.zeros(2, 2, 2)
    classifiers[1] = torch.tensor([[3.0, 0.0], [0.0, 2.0]])
    loss = cosine_step_loss(emb, mask, labels, torch.tensor([1]),
                            classifiers, temperature=1.0)
    # each real frame: logits (1, 0) for its own class -> log(1 + e^-1)
    assert loss.item() == pytest.approx(math.log(1 + math.exp(-1)))
    wrong = cosine_step_loss(emb, mask, 1 - labels.clamp_max(1),
                             torch.tensor([1]), classifiers, 1.0)
    assert wrong.item() == pytest.approx(math.log(1 + math.e))


def _cfg(root):
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'))
    cfg.merge_from_dict(synthetic_cfg_options(root))
    return cfg


def test_training_with_labels_separates_the_steps(tiny_synthetic):
    """On the synthetic procedures (a strong per-video nuisance) the step
    labels teach the embedder what the raw features hide: on the videos it
    learnt from and on held-out ones, the reference scores far above the
    same model untrained (same initial weights)."""
    cfg = _cfg(tiny_synthetic)
    losses = []
    model = train_supervised(cfg, iters=100, seed=0, videos_per_batch=4,
                             log=losses.append)
    first, last = (float(m.rsplit(' ', 1)[1]) for m in (losses[0],
                                                        losses[-1]))
    assert last < first / 2
    torch.manual_seed(0)
    untrained = init_aligner(cfg)
    for split, key in (('train', 'pooled/f1'), ('test', 'egoprocel/f1')):
        trained = score_embeddings(model, cfg, split)[key]
        assert trained > score_embeddings(untrained, cfg, split)[key] + 0.2


def test_the_tool_prints_the_table(tiny_synthetic):
    opts = [f'{k}={v}' for k, v in synthetic_cfg_options(
        tiny_synthetic).items()]
    out = subprocess.run(
        [sys.executable,
         osp.join(ROOT, 'tools', 'benchmark', 'supervised_reference.py'),
         osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'),
         '--splits', 'test', '--seeds', '0', '--iters', '5',
         '--videos-per-batch', '2', '--cfg-options', *opts],
        capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    row = out.stdout.strip().splitlines()[-1]
    assert row.startswith('| supervised reference, 5 iterations (test) | 1 |')
    f1 = float(row.strip('|').split('|')[4])
    assert 0 <= f1 <= 100


def test_the_tool_refuses_a_misspelt_key():
    out = subprocess.run(
        [sys.executable,
         osp.join(ROOT, 'tools', 'benchmark', 'supervised_reference.py'),
         osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'),
         '--cfg-options', 'trian_cfg.max_iters=3'],
        capture_output=True, text=True, cwd=ROOT)
    assert out.returncode != 0
    assert "unknown config key 'trian_cfg'" in out.stderr
    assert 'train_cfg' in out.stderr  # the closest name
