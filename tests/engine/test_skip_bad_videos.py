"""skip_bad_videos really skips: a video that fails to load is replaced by
another of its task, so pairs stay same-task, training goes on, and the
skip is counted once, exactly, across dataloader workers."""
import os.path as osp
import shutil

from mmengine.config import Config
from mmengine.runner import Runner

from realign_mm.engine import SkippedVideosHook
from tests.conftest import CONFIGS, synthetic_cfg_options


def _broken_copy(root, tmp_path):
    data = tmp_path / 'data'
    shutil.copytree(root, data)
    bad = data / 'features' / 'task00_v001.npy'
    bad.write_bytes(b'')  # a 0-byte file: fails when loaded, not at listing
    return str(data)


def test_training_goes_on_and_counts_the_skip_once(tiny_synthetic, tmp_path):
    root = _broken_copy(tiny_synthetic, tmp_path)
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'))
    cfg.merge_from_dict(synthetic_cfg_options(root))
    cfg.train_dataloader.dataset.skip_bad_videos = True
    cfg.train_dataloader.num_workers = 2
    cfg.train_dataloader.persistent_workers = False
    cfg.train_dataloader.batch_size = 4
    cfg.work_dir = str(tmp_path / 'work')
    cfg.train_cfg.max_iters = 6
    cfg.train_cfg.val_interval = 100
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.default_hooks.checkpoint.interval = 100
    cfg.model.align_loss.solver.n_outer = 2
    runner = Runner.from_cfg(cfg)
    runner.train()  # the old behaviour: "belong to different tasks"
    hook = [h for h in runner.hooks if isinstance(h, SkippedVideosHook)][0]
    assert list(hook.all_skipped()) == ['task00_v001']
    assert 'cannot read features' in hook.skipped['task00_v001']


def test_replacement_is_of_the_same_task(tiny_synthetic, tmp_path):
    from mmaction.registry import DATASETS
    root = _broken_copy(tiny_synthetic, tmp_path)
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'))
    cfg.merge_from_dict(synthetic_cfg_options(root))
    dataset = DATASETS.build(
        dict(cfg.train_dataloader.dataset, skip_bad_videos=True))
    ids = [dataset.get_data_info(i)['video_id'] for i in range(len(dataset))]
    out = dataset[ids.index('task00_v001')]
    sample = out['data_samples']
    assert sample.metainfo['task'] == 'task00'
    assert sample.metainfo['video_id'] != 'task00_v001'
    assert list(sample.metainfo['skipped_videos']) == ['task00_v001']
    # a good video carries no skip record
    good = dataset[ids.index('task00_v000')]['data_samples']
    assert 'skipped_videos' not in good.metainfo
