"""Fault injection: real kills of real training processes.

A run killed with SIGKILL is resumed with ``tools/train.py --resume`` and
logs the same losses as a run never interrupted, also when its newest
checkpoint was left truncated (as a non-atomic writer killed mid-save
leaves it): the resume verifies the file and falls back to the previous
one with a warning. Checkpoints themselves are written atomically.
"""
import json
import os
import os.path as osp
import signal
import subprocess
import sys
import time

import pytest
import torch

from realign_mm.engine import (AtomicLocalBackend, resumable_checkpoint,
                               verify_checkpoint)
from tests.conftest import CONFIGS, ROOT, synthetic_cfg_options

CONFIG = osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py')


def _command(root, work_dir, max_iters):
    options = dict(synthetic_cfg_options(root))
    options.update({
        'train_cfg.max_iters': max_iters,
        'default_hooks.checkpoint.interval': 2,
        'default_hooks.checkpoint.max_keep_ckpts': 3,
        'default_hooks.logger.interval': 1,
        'log_processor.window_size': 1,
        'model.align_loss.solver.n_outer': 2,
        'train_dataloader.batch_size': 4,
        'randomness.seed': 0,
    })
    return [sys.executable, osp.join(ROOT, 'tools', 'train.py'), CONFIG,
            '--work-dir', str(work_dir), '--no-validate', '--cfg-options'
            ] + [f'{k}={v}' for k, v in options.items()]


def _losses(work_dir):
    """iteration -> loss from every run's scalars.json in ``work_dir``."""
    losses = {}
    for stamp in sorted(os.listdir(work_dir)):
        path = osp.join(work_dir, stamp, 'vis_data', 'scalars.json')
        if osp.isfile(path):
            with open(path) as f:
                for line in f:
                    row = json.loads(line)
                    if 'loss' in row:
                        losses[row['iter']] = row['loss']
    return losses


def _env():
    return dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=ROOT)


def test_sigkill_then_resume_from_a_truncated_latest(tiny_synthetic,
                                                     tmp_path):
    iters = 24
    full = tmp_path / 'full'
    subprocess.run(_command(tiny_synthetic, full, iters), check=True,
                   capture_output=True, env=_env(), cwd=ROOT)
    expected = _losses(str(full))
    assert sorted(expected) == list(range(1, iters + 1))

    killed = tmp_path / 'killed'
    proc = subprocess.Popen(_command(tiny_synthetic, killed, iters),
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=_env(), cwd=ROOT)
    deadline = time.time() + 120
    while not osp.isfile(killed / 'iter_4.pth') and time.time() < deadline:
        if proc.poll() is not None:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    saved = sorted(int(p[5:-4]) for p in os.listdir(killed)
                   if p.startswith('iter_') and p.endswith('.pth'))
    if not saved or saved[-1] >= iters:
        pytest.skip('the run finished before it could be killed')
    # atomic saves: no partial checkpoint under a real name
    for step in saved:
        assert verify_checkpoint(str(killed / f'iter_{step}.pth')) is None
    # what a non-atomic writer killed mid-save leaves: a truncated latest
    latest = killed / f'iter_{saved[-1]}.pth'
    data = latest.read_bytes()
    latest.write_bytes(data[:len(data) // 2])
    (killed / 'last_checkpoint').write_text(str(latest))
    fallback = str(killed / f'iter_{saved[-2]}.pth') if len(saved) > 1 \
        else None
    assert resumable_checkpoint(str(killed)) == fallback

    proc = subprocess.run(_command(tiny_synthetic, killed, iters) +
                          ['--resume'], capture_output=True, text=True,
                          env=_env(), cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert f'skipping checkpoint {latest}' in proc.stdout + proc.stderr
    got = _losses(str(killed))
    assert sorted(got) == list(range(1, iters + 1))
    start = saved[-2] if len(saved) > 1 else 0
    for step in range(start + 1, iters + 1):  # the resumed part
        assert got[step] == pytest.approx(expected[step], rel=1e-6), step


def test_an_interrupted_atomic_write_keeps_the_previous_file(
        tmp_path, monkeypatch):
    target = tmp_path / 'iter_2.pth'
    backend = AtomicLocalBackend()
    backend.put(b'previous', str(target))

    def killed(fd):
        raise KeyboardInterrupt  # as a kill would, mid-write

    monkeypatch.setattr(os, 'fsync', killed)
    with pytest.raises(KeyboardInterrupt):
        backend.put(b'new and longer', str(target))
    assert target.read_bytes() == b'previous'
    assert os.listdir(tmp_path) == ['iter_2.pth']  # no temporary left


def test_verify_checkpoint_reasons(tmp_path):
    good = tmp_path / 'good.pth'
    torch.save({'state_dict': {'w': torch.ones(3)}}, good)
    assert verify_checkpoint(str(good)) is None
    (tmp_path / 'empty.pth').write_bytes(b'')
    assert verify_checkpoint(str(tmp_path / 'empty.pth')) == 'empty file'
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(good.read_bytes()[:100])
    assert 'truncated' in verify_checkpoint(str(cut))
    assert verify_checkpoint(str(tmp_path / 'none.pth')) == 'no such file'
