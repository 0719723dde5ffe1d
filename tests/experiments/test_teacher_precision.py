"""The plan's label agreement: hand-worked plans, then the driver and its
tool on tiny synthetic data."""
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config

from realign_mm.apis import init_aligner
from realign_mm.experiments import label_agreement, plan_label_agreement
from tests.conftest import CONFIGS, ROOT, synthetic_cfg_options


def test_label_agreement_by_hand():
    labels_x = torch.tensor([[1, 2, 0, 0]])
    labels_y = torch.tensor([[1, 2, 2, 0]])
    plan = torch.zeros(1, 4, 4)
    plan[0, 0, 0] = plan[0, 1, 2] = 0.25  # two same-step matches
    plan[0, 2, 1] = 0.25  # background onto a step
    # frame 3 (background) is left to the sink
    out = label_agreement(plan, labels_x, labels_y)
    assert out['same_step_share'] == pytest.approx(2 / 3)
    # same-step pairs: (0, 0), (1, 1), (1, 2) of 16
    assert out['chance'] == pytest.approx(3 / 16)
    assert out['matched_mass'] == pytest.approx(0.75)
    assert out['background_unmatched'] == pytest.approx(0.5)
    assert out['steps_unmatched'] == pytest.approx(0.0)


def _model_and_videos(root, config):
    from mmaction.registry import DATASETS
    cfg = Config.fromfile(osp.join(CONFIGS, *config))
    cfg.merge_from_dict(synthetic_cfg_options(root))
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    return init_aligner(cfg), [dataset[i] for i in range(len(dataset))]


def test_the_driver_aligns_every_same_task_pair(tiny_synthetic):
    model, videos = _model_and_videos(
        tiny_synthetic, ('realign', 'realign_mlp_synthetic.py'))
    out = plan_label_agreement(model, videos, num_frames=8, draws=2)
    assert out['pairs'] == 2  # 2 test videos of each of 2 tasks
    assert 0 <= out['same_step_share'] <= 1 and 0 < out['chance'] < 1
    assert 0 < out['matched_mass'] <= 1 + 1e-5
    tcc, _ = _model_and_videos(tiny_synthetic,
                               ('baselines', 'tcc_mlp_synthetic.py'))
    with pytest.raises(ValueError, match='no plan'):
        plan_label_agreement(tcc, videos)


def test_the_tool_prints_the_row(tiny_synthetic):
    opts = [f'{k}={v}' for k, v in synthetic_cfg_options(
        tiny_synthetic).items()]
    out = subprocess.run(
        [sys.executable,
         osp.join(ROOT, 'tools', 'benchmark', 'teacher_precision.py'),
         osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'),
         '--split', 'test', '--num-frames', '8', '--cfg-options', *opts],
        capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    row = out.stdout.strip().splitlines()[-1]
    share, chance = (float(c) for c in row.strip('|').split('|')[:2])
    assert 0 <= share <= 1 and 0 < chance < 1
