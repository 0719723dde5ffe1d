"""The pictures are written, headless, from real solver / metric output."""
import os.path as osp

import numpy as np
from mmengine.config import Config
from mmengine.runner import Runner

from realign_mm.apis import visualize_run
from realign_mm.visualization import (plot_ablation, plot_task_scores,
                                      plot_timelines, plot_transport_map)
from tests.conftest import CONFIGS, synthetic_cfg_options

PNG = b'\x89PNG'


def _is_png(path):
    with open(path, 'rb') as f:
        return f.read(4) == PNG


def test_plot_functions_write_pngs(tmp_path):
    plan = np.eye(6)[:, :5] / 6
    paths = [
        plot_transport_map(plan, str(tmp_path / 'map.png'),
                           sink_x=np.full(6, 0.01), sink_y=np.zeros(5),
                           labels_x=np.array([0, 1, 1, 2, 2, 0]),
                           labels_y=np.array([1, 1, 2, 2, 0])),
        plot_timelines([np.array([0, 1, 1, 2])], [np.array([3, 3, 0, 1])],
                       ['v0'], str(tmp_path / 'timeline.png')),
        plot_task_scores({'a': dict(f1=.5, iou=.3), 'mean': dict(f1=.5,
                                                                 iou=.3)},
                         str(tmp_path / 'scores.png')),
        plot_ablation({'synthetic': {'A': [{'egoprocel/f1': .4}] * 2,
                                     'B': [{'egoprocel/f1': .2}]}},
                      str(tmp_path / 'ablation.png')),
    ]
    assert all(_is_png(p) for p in paths)


def test_visualize_run_draws_a_tested_model(tiny_synthetic, tmp_path):
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'))
    cfg.merge_from_dict(synthetic_cfg_options(tiny_synthetic))
    cfg.work_dir = str(tmp_path / 'work')
    cfg.experiment_name = f'visualize-{id(tmp_path)}'
    paths = visualize_run(Runner.from_cfg(cfg), str(tmp_path / 'pics'),
                          num_videos=2)
    names = sorted(osp.basename(p) for p in paths)
    assert names == ['scores.png', 'timeline_task00.png',
                     'transport_task00.png']
    assert all(_is_png(p) for p in paths)
