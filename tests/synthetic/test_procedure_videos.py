"""Synthetic procedure videos: real mp4 files that decode to the annotated
length, distinct looks per key step, and the CPU video config trains on
them through the Runner; features extract for the feature source."""
import json
import os.path as osp

import decord
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from realign_mm.datasets.annotations import frame_labels, read_egoprocel_csv
from realign_mm.synthetic import generate_video_dataset
from tests.conftest import CONFIGS

CPU_CONFIG = osp.join(CONFIGS, 'video', 'tsn_r18_cnc_synthetic-video_cpu.py')


@pytest.fixture(scope='module')
def tiny_videos(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('videos'))
    stats = generate_video_dataset(root, num_tasks=2, videos_per_task=3,
                                   test_per_task=1, fps=4.0, size=32, seed=1)
    assert stats['videos'] == 6
    return root


def test_videos_decode_with_their_annotations(tiny_videos):
    with open(osp.join(tiny_videos, 'splits.json')) as f:
        splits = json.load(f)['splits']
    video = splits['task00']['train'][0]
    reader = decord.VideoReader(osp.join(tiny_videos, 'videos',
                                         video + '.mp4'))
    assert reader.get_avg_fps() == pytest.approx(4.0)
    segments = read_egoprocel_csv(
        osp.join(tiny_videos, 'annotations', 'task00', video + '.csv'))
    assert max(s.end for s in segments) < len(reader) / 4.0
    labels = frame_labels(segments, len(reader), 4.0)
    frames = reader.get_batch(list(range(len(reader)))).asnumpy().astype(
        float)
    # each key step looks different: its mean frame differs from the
    # background's by far more than two background frames differ
    background = frames[labels == 0].mean(0)
    steps = [s for s in np.unique(labels) if s > 0]
    assert len(steps) >= 3
    for step in steps:
        assert np.abs(frames[labels == step].mean(0) - background).mean() > 3


def _cfg(root, work_dir):
    cfg = Config.fromfile(CPU_CONFIG)
    opts = {}
    for loader in ('train', 'val', 'test'):
        opts[f'{loader}_dataloader.dataset.data_root'] = root
        opts[f'{loader}_dataloader.dataset.split_file'] = osp.join(
            root, 'splits.json')
    cfg.merge_from_dict(opts)
    cfg.work_dir = str(work_dir)
    cfg.experiment_name = f'video-{id(work_dir)}'
    cfg.train_cfg.max_iters = 2
    cfg.train_cfg.val_interval = 2
    cfg.train_dataloader.batch_size = 2
    cfg.default_hooks.checkpoint.interval = 2
    cfg.default_hooks.logger.interval = 1
    return cfg


def test_cpu_video_config_trains_and_evaluates(tiny_videos, tmp_path):
    runner = Runner.from_cfg(_cfg(tiny_videos, tmp_path))
    runner.train()
    scalars = runner.message_hub.log_scalars
    assert 'val/keystep/egoprocel/f1' in scalars
    assert np.isfinite(scalars['train/loss'].current())


def test_extract_features_for_the_feature_source(tiny_videos, tmp_path):
    from mmaction.registry import DATASETS, MODELS

    from realign_mm.apis import extract_features
    cfg = _cfg(tiny_videos, tmp_path)
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    model = MODELS.build(cfg.model)
    model.init_weights()
    assert extract_features(model, dataset, str(tmp_path / 'f')) == 2
    video = dataset.get_data_info(0)['video_id']
    emb = np.load(tmp_path / 'f' / f'{video}.npy')
    assert emb.shape[1] == 128
    assert extract_features(model, dataset, str(tmp_path / 'b'),
                            backbone_only=True, limit=1) == 1
    assert np.load(tmp_path / 'b' / f'{video}.npy').shape == (len(emb), 256)
