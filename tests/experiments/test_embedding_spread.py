"""The embeddings' spread on the sphere: by hand, the shortcut it
measures, and the tool on tiny synthetic data."""
import math
import os.path as osp
import subprocess
import sys

import pytest
import torch

from realign_mm.experiments import sphere_spread
from tests.conftest import CONFIGS, ROOT, synthetic_cfg_options


def test_sphere_spread_by_hand():
    # two orthogonal frames: mean direction (1, 1) / sqrt 2
    out = sphere_spread(torch.tensor([[1.0, 0.0], [0.0, 3.0]]))
    assert out['cone'] == pytest.approx(1 / math.sqrt(2))
    assert out['spread'] == pytest.approx(1 / math.sqrt(2))
    # balanced: no common direction
    out = sphere_spread(torch.tensor([[2.0, 0.0], [-1.0, 0.0]]))
    assert out == dict(cone=0.0, spread=1.0)


def test_a_common_vector_narrows_the_cone_and_the_distances():
    """The shortcut: adding one vector to every frame leaves the frames'
    arrangement (their differences) as it was but shrinks the spread and,
    with it, every squared distance between the normalised embeddings."""
    emb = torch.randn(200, 16, generator=torch.Generator().manual_seed(0))
    shifted = emb + 50 * torch.ones(16)
    before, after = sphere_spread(emb), sphere_spread(shifted)
    assert before['cone'] < 0.5 and after['cone'] > 0.99
    assert after['spread'] < before['spread'] / 10

    def mean_sq_dist(x):
        return torch.cdist(*(2 * [torch.nn.functional.normalize(x, dim=1)
                                  ])).pow(2).mean()

    assert mean_sq_dist(shifted) < mean_sq_dist(emb) / 100


def test_the_tool_prints_the_row(tiny_synthetic):
    opts = [f'{k}={v}' for k, v in synthetic_cfg_options(
        tiny_synthetic).items()]
    out = subprocess.run(
        [sys.executable,
         osp.join(ROOT, 'tools', 'benchmark', 'embedding_spread.py'),
         osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'),
         '--split', 'test', '--cfg-options', *opts],
        capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    cone, spread = (float(c) for c in
                    out.stdout.strip().splitlines()[-1].strip('|').split('|'))
    assert -1 <= cone <= 1 and 0 <= spread <= 1
