"""Every repository path that README.md, docs/, tools/data/ READMEs and
configs/ quote exists in the checkout (brace lists expanded, globs must
match), so no documented command fails on a fresh clone for a missing
file."""
import glob
import itertools
import os.path as osp
import re

import pytest

from tests.conftest import ROOT

TOP = ('configs', 'tools', 'realign_mm', 'tests', 'docs', 'requirements')
PATH = re.compile(r'(?<![\w./-])(?:' + '|'.join(TOP) +
                  r')/[\w.*+{},/-]*[\w*}/]')
SOURCES = sorted(
    {osp.join(ROOT, 'README.md')} |
    set(glob.glob(osp.join(ROOT, 'docs', '**', '*.md'), recursive=True)) |
    set(glob.glob(osp.join(ROOT, 'tools', '**', '*.md'), recursive=True)) |
    set(glob.glob(osp.join(ROOT, 'configs', '**', '*.*'), recursive=True)))


def _expand(path):
    """``a/{b,c}_d`` -> ``a/b_d``, ``a/c_d``."""
    parts = re.split(r'\{([^{}]*)\}', path)
    choices = [p.split(',') if i % 2 else [p] for i, p in enumerate(parts)]
    return [''.join(c) for c in itertools.product(*choices)]


def quoted_paths(text):
    for match in PATH.finditer(text):
        path = match.group(0).rstrip('.,')
        if '<' in path or path.endswith('/') and '*' in path:
            continue
        yield from _expand(path)


def test_the_pattern_finds_paths():
    text = ('see `configs/baselines/{kot,gw}_mlp_x.py` and tools/train.py, '
            'not ../shared/configs/a.py nor work_dirs/tools/x.pth')
    assert list(quoted_paths(text)) == [
        'configs/baselines/kot_mlp_x.py', 'configs/baselines/gw_mlp_x.py',
        'tools/train.py']


@pytest.mark.parametrize('source', SOURCES,
                         ids=lambda s: osp.relpath(s, ROOT))
def test_quoted_paths_exist(source):
    with open(source, encoding='utf-8', errors='replace') as f:
        text = f.read()
    missing = [p for p in sorted(set(quoted_paths(text)))
               if not glob.glob(osp.join(ROOT, p))]
    assert not missing, f'{osp.relpath(source, ROOT)} quotes {missing}'
