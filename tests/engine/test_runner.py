"""A real Runner: 2 training iterations, validation, checkpoint, --resume."""
import os.path as osp
import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from realign_mm.compat import UntrustedCheckpointError, safe_torch_load
from tests.conftest import CONFIGS, synthetic_cfg_options


def _cfg(root, work_dir, max_iters):
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'))
    cfg.merge_from_dict(synthetic_cfg_options(root))
    cfg.work_dir = str(work_dir)
    cfg.train_cfg.max_iters = max_iters
    cfg.train_cfg.val_interval = 2
    cfg.train_dataloader.batch_size = 4
    cfg.default_hooks.checkpoint.interval = 2
    cfg.default_hooks.logger.interval = 1
    cfg.log_processor.window_size = 1
    cfg.model.align_loss.solver.n_outer = 3
    return cfg


def test_train_val_checkpoint_and_resume(tiny_synthetic, tmp_path):
    runner = Runner.from_cfg(_cfg(tiny_synthetic, tmp_path, 2))
    runner.train()
    ckpt = osp.join(str(tmp_path), 'iter_2.pth')
    assert osp.isfile(ckpt)
    metrics = runner.message_hub.log_scalars
    assert 'val/keystep/egoprocel/f1' in metrics
    # the checkpoint loads with torch's safe loader, no allow-list needed
    state = torch.load(ckpt, weights_only=True)
    assert state['meta']['iter'] == 2

    cfg = _cfg(tiny_synthetic, tmp_path, 4)
    cfg.resume, cfg.load_from = True, ckpt
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    assert resumed.iter == 4
    hub = resumed.message_hub.log_scalars['train/loss']
    # the loss history of iterations 1-2 came back from the checkpoint
    assert len(hub.data[0]) == 4


class _Evil:

    def __reduce__(self):
        return (print, ('this ran while loading',))


def test_untrusted_checkpoint_is_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': _Evil()}, path)
    with pytest.raises(UntrustedCheckpointError, match='REALIGN_TRUST'):
        safe_torch_load(str(path))
    from realign_mm.compat import trusted_checkpoints
    with trusted_checkpoints():
        assert 'meta' in safe_torch_load(str(path))


class _Crash(Exception):
    pass


def _losses(runner):
    """Per-iteration training loss from the message hub."""
    logs, _ = runner.message_hub.log_scalars['train/loss'].data
    return [float(v) for v in logs]


def test_resume_after_a_crash_continues_the_same_trajectory(
        tiny_synthetic, tmp_path):
    """A run killed after iteration 2 and resumed with --resume semantics
    (latest checkpoint in the work dir) logs the same losses for
    iterations 3-4 as a run that was never interrupted."""
    from mmengine.hooks import Hook

    def cfg_for(name, max_iters):
        # one message hub per run: runners made within the same second
        # share the default (time-stamped) experiment name and its hub
        cfg = _cfg(tiny_synthetic, tmp_path / name.split('-')[0], max_iters)
        cfg.experiment_name = f'{name}-{id(tmp_path)}'
        return cfg

    full = Runner.from_cfg(cfg_for('full', 4))
    full.train()
    expected = _losses(full)
    assert len(expected) == 4

    class CrashAfter(Hook):
        priority = 'LOWEST'  # after the checkpoint hook

        def after_train_iter(self, runner, batch_idx, data_batch=None,
                             outputs=None):
            if runner.iter + 1 == 2:
                raise _Crash

    crashed = Runner.from_cfg(cfg_for('crash', 4))
    crashed.register_hook(CrashAfter())
    with pytest.raises(_Crash):
        crashed.train()
    assert osp.isfile(osp.join(str(tmp_path / 'crash'), 'iter_2.pth'))

    cfg = cfg_for('crash-resumed', 4)
    cfg.resume, cfg.load_from = True, None  # --resume: the latest checkpoint
    resumed = Runner.from_cfg(cfg)
    resumed.train()
    got = _losses(resumed)
    assert got[:2] == pytest.approx(expected[:2], rel=1e-6)  # restored log
    assert got[2:] == pytest.approx(expected[2:], rel=1e-6)  # continued
