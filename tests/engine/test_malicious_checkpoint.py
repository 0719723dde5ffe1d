"""A checkpoint whose pickle runs code is refused on every load path a user
has (tools/test.py, tools/train.py --resume and load_from, init_aligner)
and what it would run never runs."""
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch

from realign_mm.apis import init_aligner
from realign_mm.compat import UntrustedCheckpointError
from tests.conftest import CONFIGS, ROOT, synthetic_cfg_options

CONFIG = osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py')


class _WritesAFile:
    """Unpickling this creates ``path``: the proof that code ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, 'w'))


@pytest.fixture
def evil(tmp_path):
    marker = str(tmp_path / 'pwned')
    torch.manual_seed(0)
    model = init_aligner(CONFIG)
    path = str(tmp_path / 'iter_2.pth')
    torch.save(dict(state_dict=model.state_dict(),
                    meta=dict(iter=2, hook=_WritesAFile(marker))), path)
    return path, marker


def _run(args):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    env.pop('REALIGN_TRUST_CHECKPOINTS', None)
    return subprocess.run([sys.executable] + args, capture_output=True,
                          text=True, cwd=ROOT, env=env, timeout=300)


def _options(root, work_dir):
    opts = dict(synthetic_cfg_options(root))
    opts.update({'train_cfg.max_iters': 1,
                 'model.align_loss.solver.n_outer': 1})
    return ['--work-dir', str(work_dir), '--cfg-options'] + [
        f'{k}={v}' for k, v in opts.items()]


@pytest.mark.parametrize('how', ['test', 'resume', 'load_from'])
def test_refused_by_the_tools(evil, tiny_synthetic, tmp_path, how):
    path, marker = evil
    train = osp.join(ROOT, 'tools', 'train.py')
    if how == 'test':
        args = [osp.join(ROOT, 'tools', 'test.py'), CONFIG, path] + \
            _options(tiny_synthetic, tmp_path / 'w')
    elif how == 'resume':
        args = [train, CONFIG, '--resume', path] + _options(
            tiny_synthetic, tmp_path / 'w')
    else:
        args = [train, CONFIG] + _options(tiny_synthetic, tmp_path / 'w') + \
            [f'load_from={path}']
    proc = _run(args)
    assert proc.returncode != 0
    assert 'UntrustedCheckpointError' in proc.stderr
    assert 'REALIGN_TRUST_CHECKPOINTS' in proc.stderr
    assert not osp.exists(marker)


def test_refused_by_init_aligner(evil):
    path, marker = evil
    with pytest.raises(UntrustedCheckpointError):
        init_aligner(CONFIG, path)
    assert not osp.exists(marker)
