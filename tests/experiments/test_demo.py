"""The main job end to end on a tiny dataset: both tables come out, with
REALIGN, REALIGN-CCA and the untrained features."""
import os.path as osp

from realign_mm.experiments import run_demo
from tests.conftest import CONFIGS


def test_run_demo_prints_realign_and_baseline(tiny_synthetic, tmp_path):
    tables = run_demo(
        str(tmp_path),
        osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py'),
        osp.join(CONFIGS, 'realign', 'untrained_features_synthetic.py'),
        data_root=tiny_synthetic,
        max_iters=2,
        cca_config=osp.join(CONFIGS, 'realign',
                            'realign-cca_linear_synthetic.py'))
    assert 'egoprocel protocol' in tables and 'pooled protocol' in tables
    header = tables.splitlines()[2]
    assert 'untrained features F1' in header and 'REALIGN F1' in header
    assert 'REALIGN-CCA F1' in header
    rows = [r for r in tables.splitlines() if r.startswith('| task0')]
    assert len(rows) == 2 * 2  # 2 tasks x 2 protocols
    assert osp.isfile(tmp_path / 'keysteps.md')
