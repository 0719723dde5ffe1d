"""mmengine's launchers on CPU (gloo): 2 processes train like 1 process.

Two ranks with half the batch each, cross-rank negatives on, must follow
the trajectory of one process holding the whole batch: the pair sampler
deals the same pairs out round-robin, DDP averages the gradients and the
all-gather of the contrastive negatives keeps its graph. The validation
metric is gathered once across ranks with each video counted once.
"""
import glob
import json
import os
import os.path as osp
import socket
import stat
import subprocess
import sys

import pytest

from tests.conftest import CONFIGS, ROOT, synthetic_cfg_options

CONFIG = osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py')
PAIRS = 4  # pairs per iteration, over all ranks


def _options(root, pairs_per_rank):
    opts = dict(synthetic_cfg_options(root))
    opts.update({
        'train_dataloader.batch_size': 2 * pairs_per_rank,
        # jitter draws from each process's global RNG: off, so that both
        # runs see the same frames
        'train_dataloader.dataset.pipeline.0.jitter': False,
        'train_cfg.max_iters': 3,
        'train_cfg.val_interval': 3,
        'default_hooks.logger.interval': 1,
        'default_hooks.checkpoint.interval': 3,
        'log_processor.window_size': 1,
        'model.contrastive_loss.cross_rank_negatives': True,
        'model.align_loss.solver.n_outer': 3,
    })
    return [f'{k}={v}' for k, v in opts.items()]


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return str(sock.getsockname()[1])


def _env():
    env = dict(os.environ)
    env['PATH'] = osp.dirname(sys.executable) + os.pathsep + env['PATH']
    env['OMP_NUM_THREADS'] = '1'
    return env


def _scalars(work_dir):
    """Training losses per iteration and the final validation metrics."""
    (path, ) = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))
    losses, metrics = {}, {}
    with open(path) as f:
        for line in f:
            record = json.loads(line)
            if 'loss' in record:
                losses[record['iter']] = record['loss']
            if 'keystep/egoprocel/f1' in record:
                metrics = record
    return losses, metrics


def _run(cmd, env=None):
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT,
                          env=env or _env(), timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.fixture(scope='module')
def single_process(tiny_synthetic, tmp_path_factory):
    work_dir = str(tmp_path_factory.mktemp('single'))
    _run([
        sys.executable,
        osp.join(ROOT, 'tools', 'train.py'), CONFIG, '--work-dir', work_dir,
        '--cfg-options', *_options(tiny_synthetic, PAIRS)
    ])
    return _scalars(work_dir)


def _assert_same_run(got, expected):
    losses, metrics = got
    ref_losses, ref_metrics = expected
    assert sorted(losses) == sorted(ref_losses) == [1, 2, 3]
    for it in ref_losses:
        assert losses[it] == pytest.approx(ref_losses[it], rel=1e-4)
    keys = [k for k in ref_metrics if k.startswith('keystep/')]
    assert 'keystep/egoprocel/f1' in keys
    for key in keys:
        assert metrics[key] == pytest.approx(ref_metrics[key], abs=1e-4), key


def test_dist_train_two_processes_equal_one(tiny_synthetic, single_process,
                                            tmp_path):
    work_dir = str(tmp_path / 'dist')
    env = _env()
    env['PORT'] = _free_port()
    _run([
        'bash',
        osp.join(ROOT, 'tools', 'dist_train.sh'), CONFIG, '2', '--work-dir',
        work_dir, '--cfg-options', *_options(tiny_synthetic, PAIRS // 2)
    ], env)
    _assert_same_run(_scalars(work_dir), single_process)


SRUN_STUB = """#!/usr/bin/env bash
# srun stand-in: start --ntasks local tasks with the variables Slurm sets
ntasks=1
while [[ $1 == -* ]]; do
    case $1 in
        --ntasks=*) ntasks=${1#*=} ;;
        -p) shift ;;
    esac
    shift
done
pids=()
for ((i = 0; i < ntasks; i++)); do
    SLURM_PROCID=$i SLURM_LOCALID=$i SLURM_NTASKS=$ntasks \\
    SLURM_NODELIST=stub-node SLURM_JOB_ID=1 "$@" &
    pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait $pid || status=1; done
exit $status
"""

SCONTROL_STUB = """#!/usr/bin/env bash
# scontrol stand-in: `scontrol show hostname NODES` -> this machine
echo 127.0.0.1
"""


def test_slurm_train_with_stub_srun(tiny_synthetic, single_process,
                                    tmp_path):
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    for name, text in (('srun', SRUN_STUB), ('scontrol', SCONTROL_STUB)):
        path = bin_dir / name
        path.write_text(text)
        path.chmod(path.stat().st_mode | stat.S_IEXEC)
    env = _env()
    env['PATH'] = str(bin_dir) + os.pathsep + env['PATH']
    env.update(GPUS='2', GPUS_PER_NODE='2', CPUS_PER_TASK='1',
               MASTER_PORT=_free_port())
    work_dir = str(tmp_path / 'slurm')
    _run([
        'bash',
        osp.join(ROOT, 'tools', 'slurm_train.sh'), 'cpu', 'realign', CONFIG,
        work_dir, '--cfg-options', *_options(tiny_synthetic, PAIRS // 2)
    ], env)
    _assert_same_run(_scalars(work_dir), single_process)


def _descendants(pid):
    table = subprocess.run(['ps', '-e', '-o', 'pid=,ppid='],
                           capture_output=True, text=True).stdout.split()
    children = {}
    for child, parent in zip(table[0::2], table[1::2]):
        children.setdefault(parent, []).append(child)
    found, todo = [], [str(pid)]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def test_a_paused_rank_stops_the_run_within_the_timeout(tiny_synthetic,
                                                        tmp_path):
    """SIGSTOP one of two ranks mid-run: the other waits in its all-reduce
    at most env_cfg.dist_cfg.timeout seconds (here 5), then the launcher
    stops the job with an error, instead of hanging for torch's 30 min."""
    import signal
    import time
    work_dir = str(tmp_path / 'paused')
    env = _env()
    env['PORT'] = _free_port()
    options = _options(tiny_synthetic, PAIRS // 2)
    options = [o for o in options if not o.startswith('train_cfg.max_iters')]
    options += ['train_cfg.max_iters=100000', 'env_cfg.dist_cfg.timeout=5']
    proc = subprocess.Popen([
        'bash', osp.join(ROOT, 'tools', 'dist_train.sh'), CONFIG, '2',
        '--work-dir', work_dir, '--no-validate', '--cfg-options', *options
    ], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    stopped = None
    try:
        deadline = time.time() + 180
        while time.time() < deadline and proc.poll() is None:
            logs = glob.glob(osp.join(work_dir, '*', 'vis_data',
                                      'scalars.json'))
            if logs and os.path.getsize(logs[0]) > 0:
                break  # training iterations are being logged
            time.sleep(0.2)
        assert proc.poll() is None, 'the run ended before it was paused'
        # the ranks: processes of the job's session running train.py with
        # a LOCAL_RANK of their own (not the launcher)
        ranks = []
        for pid in _descendants(proc.pid):
            try:
                with open(f'/proc/{pid}/environ', 'rb') as f:
                    environ = f.read().split(b'\0')
                with open(f'/proc/{pid}/cmdline', 'rb') as f:
                    cmdline = f.read()
            except OSError:
                continue
            if b'train.py' in cmdline and any(
                    e.startswith(b'LOCAL_RANK=') for e in environ):
                ranks.append(int(pid))
        assert len(ranks) == 2, ranks
        stopped = max(ranks)
        os.kill(stopped, signal.SIGSTOP)
        paused_at = time.time()
        proc.wait(timeout=150)
        waited = time.time() - paused_at
    finally:
        if stopped is not None:
            try:
                os.kill(stopped, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if proc.poll() is None:
            os.killpg(os.getpgid(proc.pid), signal.SIGKILL)
    assert proc.returncode != 0
    assert waited < 150, waited
    print(f"paused rank: the job stopped after {waited:.0f} s")


CCA_CONFIG = osp.join(CONFIGS, 'realign', 'realign-cca_linear_synthetic.py')


def test_dist_plan_cca_fit_equals_one_process(tiny_synthetic, tmp_path):
    """PlanCCALoop under torchrun: both ranks read every training video,
    rank 0's fit is broadcast, the checkpoint and the gathered validation
    equal one process's."""
    import torch
    opts = dict(synthetic_cfg_options(tiny_synthetic))
    opts['train_dataloader.dataset.pipeline.0.jitter'] = False
    options = [f'{k}={v}' for k, v in opts.items()]
    runs = {}
    for name, cmd, env in (
            ('single', [sys.executable,
                        osp.join(ROOT, 'tools', 'train.py')], _env()),
            ('dist', ['bash', osp.join(ROOT, 'tools', 'dist_train.sh')],
             dict(_env(), PORT=_free_port()))):
        work_dir = str(tmp_path / name)
        args = [CCA_CONFIG] + (['2'] if name == 'dist' else [])
        _run(cmd + args + ['--work-dir', work_dir, '--cfg-options', *options],
             env)
        state = torch.load(osp.join(work_dir, 'iter_1.pth'),
                           weights_only=True)['state_dict']
        runs[name] = (state, _scalars(work_dir)[1])
    (single, single_metrics), (dist, dist_metrics) = runs['single'], runs[
        'dist']
    assert sorted(single) == sorted(dist)
    for key in single:
        torch.testing.assert_close(dist[key], single[key])
    assert 'keystep/pooled/f1' in single_metrics
    for key in (k for k in single_metrics if k.startswith('keystep/')):
        assert dist_metrics[key] == pytest.approx(single_metrics[key],
                                                  abs=1e-4), key
