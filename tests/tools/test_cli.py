"""The thin tools: flags merge into the config, bad keys are refused."""
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from realign_mm.utils import check_cfg_options, close_distributed
from tests.conftest import CONFIGS, ROOT


def test_unknown_cfg_option_key_is_refused():
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'))
    check_cfg_options(cfg, {'train_cfg.max_iters': 3})
    with pytest.raises(KeyError, match="unknown config key 'trian_cfg'.*"
                       "train_cfg"):
        check_cfg_options(cfg, {'trian_cfg.max_iters': 3})


def test_a_cfg_option_into_a_list_must_name_one_of_its_items():
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'))
    steps = len(cfg.train_dataloader.dataset.pipeline)
    check_cfg_options(cfg, {'train_dataloader.dataset.pipeline.0.fps': 1})
    # a field the step does not set yet may be added
    check_cfg_options(cfg, {'train_dataloader.dataset.pipeline.0.new': 1})
    with pytest.raises(KeyError, match=f'pipeline is a list of {steps} '
                       f'items, it has no item {steps}'):
        check_cfg_options(
            cfg, {f'train_dataloader.dataset.pipeline.{steps}.fps': 1})
    with pytest.raises(KeyError, match="'fps' must be an item index"):
        check_cfg_options(cfg, {'train_dataloader.dataset.pipeline.fps': 1})


def test_benchmark_overrides_are_checked_like_cfg_options():
    """The benchmark tools' ``--cfg-options`` go through merge_overrides:
    a misspelt top-level key or class option is refused before any run."""
    from realign_mm.experiments import merge_overrides
    from realign_mm.utils.config_check import ConfigKeyError
    path = osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py')
    with pytest.raises(KeyError, match="override: unknown config key "
                       "'trian_cfg'"):
        merge_overrides(Config.fromfile(path), {'trian_cfg.max_iters': 3})
    with pytest.raises(ConfigKeyError, match="did you mean 'epsilon'"):
        merge_overrides(Config.fromfile(path),
                        {'model.align_loss.epsilonn': 0.01})


def test_train_tool_rejects_a_misspelt_key(tmp_path):
    proc = subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools', 'train.py'),
        osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'),
        '--work-dir', str(tmp_path), '--cfg-options', 'trian_cfg.max_iters=1'
    ], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode != 0
    assert "unknown config key 'trian_cfg'" in proc.stderr


def test_mmaction_train_tool_runs_our_config(tiny_synthetic, tmp_path):
    """mmaction2's own tools/train.py trains our config (custom_imports)."""
    import mmaction
    tool = osp.join(osp.dirname(mmaction.__file__), '.mim', 'tools',
                    'train.py')
    opts = [f'{k}={v}' for k, v in {
        'train_dataloader.dataset.data_root': tiny_synthetic,
        'train_dataloader.dataset.split_file':
        osp.join(tiny_synthetic, 'splits.json'),
        'train_dataloader.batch_size': 4,
        'train_cfg.max_iters': 2,
        'model.align_loss.solver.n_outer': 2,
    }.items()]
    proc = subprocess.run([
        sys.executable, tool,
        osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'),
        '--work-dir', str(tmp_path), '--no-validate', '--cfg-options', *opts
    ], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert osp.isfile(tmp_path / 'iter_2.pth')


def test_test_tool_refuses_a_trained_config_without_checkpoint(tmp_path):
    proc = subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools', 'test.py'),
        osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'),
        '--work-dir', str(tmp_path)
    ], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode != 0
    assert 'no checkpoint was given' in proc.stderr
    assert '--random-weights' in proc.stderr


def test_close_distributed_tears_the_group_down(tmp_path):
    """The tools end a finished run by destroying the process group (left
    to the interpreter's exit, gloo could abort a rank of a finished
    run); without a group it does nothing."""
    import torch.distributed as dist
    close_distributed()  # no group: a no-op
    dist.init_process_group('gloo', init_method=f'file://{tmp_path}/store',
                            rank=0, world_size=1)
    assert dist.is_initialized()
    close_distributed()
    assert not dist.is_initialized()


def test_close_distributed_frees_dropped_runners_while_the_group_lives(
        tmp_path):
    """A finished Runner is garbage in a reference cycle (with its loops);
    its DDP model holds the group. close_distributed collects it before
    destroying the group, not at the interpreter's exit."""
    import gc

    import torch.distributed as dist
    freed_with_group = []

    class Cycle:  # stands for the runner <-> loop cycle

        def __init__(self):
            self.me = self

        def __del__(self):
            freed_with_group.append(dist.is_initialized())

    dist.init_process_group('gloo', init_method=f'file://{tmp_path}/store',
                            rank=0, world_size=1)
    gc.disable()  # no automatic collection between the lines below
    try:
        Cycle()
        close_distributed()
    finally:
        gc.enable()
    assert freed_with_group == [True]
    assert not dist.is_initialized()
