"""The key-step benchmark driver: config families, both protocols, the
table, and the tool's command line on tiny data."""
import os.path as osp
import subprocess
import sys

import numpy as np
import pytest
from mmengine.config import Config

from realign_mm.apis import build_dataset
from realign_mm.experiments import (HELD_OUT, METRICS, PER_TASK, UNSEEN_TASK,
                                    config_family, merge_overrides,
                                    protocol_runs, results_table,
                                    run_benchmark)
from tests.conftest import CONFIGS, ROOT, synthetic_cfg_options


def test_the_captaincook4d_family():
    family = config_family(CONFIGS, 'captaincook4d-pe')
    assert list(family)[:5] == ['REALIGN', 'REALIGN-CCA', 'KOT', 'GW', 'TCC']
    assert {'untrained features', 'random labels'} <= set(family)


def test_protocols_on_tiny_data(tiny_synthetic, tmp_path):
    opts = synthetic_cfg_options(tiny_synthetic)
    config = osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py')
    cfg = Config.fromfile(config)
    cfg.merge_from_dict(opts)
    assert protocol_runs(cfg, HELD_OUT) == {'all tasks': {}}
    runs = protocol_runs(cfg, PER_TASK)
    assert sorted(runs) == ['task00', 'task01']
    assert runs['task00']['train_dataloader.dataset.tasks'] == ['task00']
    assert runs['task00']['train_dataloader.dataset.split'] == 'test'
    methods = {'REALIGN': config, 'random labels': osp.join(
        CONFIGS, 'baselines', 'random_labels_synthetic.py')}
    unseen = protocol_runs(cfg, UNSEEN_TASK)
    assert sorted(unseen) == ['task00', 'task01']
    assert unseen['task00']['train_dataloader.dataset.tasks'] == ['task01']
    assert unseen['task00']['test_dataloader.dataset.tasks'] == ['task00']
    assert unseen['task00']['val_dataloader.dataset.split'] == 'test'
    left_out = merge_overrides(Config.fromfile(config),
                               {**opts, **unseen['task00']})
    assert build_dataset(left_out, left_out.train_dataloader.dataset
                         ).metainfo['tasks'] == ['task01']
    assert build_dataset(left_out, left_out.test_dataloader.dataset
                         ).metainfo['tasks'] == ['task00']
    one_task = merge_overrides(Config.fromfile(config), {
        **opts, 'train_dataloader.dataset.tasks': ['task00']})
    with pytest.raises(ValueError, match="no task other than 'task00'"):
        protocol_runs(one_task, UNSEEN_TASK)
    done = []
    results = run_benchmark(methods, str(tmp_path), PER_TASK, seeds=[0, 1],
                            max_iters=2, overrides=opts,
                            progress=done.append)
    # 2 seeds x 2 tasks for REALIGN, one run per task for the test-only
    assert len(done) == 6 and len(results['REALIGN']) == 2
    assert len(results['random labels']) == 1
    for runs in results.values():
        for run in runs:
            assert set(run) == set(METRICS)
            assert all(0 <= v <= 1 for v in run.values())
    table = results_table(results)
    f1 = 100 * np.array([r['egoprocel/f1'] for r in results['REALIGN']])
    assert f'| REALIGN | 2 | ' in table
    assert f'{f1.mean():.1f} ± {f1.std(ddof=1):.1f}' in table


@pytest.mark.parametrize('protocol', [HELD_OUT, PER_TASK, UNSEEN_TASK])
def test_the_tool_writes_table_and_chart(tiny_synthetic, tmp_path, protocol):
    # a fresh process: no registry scope set by the test session
    opts = [f'{k}={v}' for k, v in synthetic_cfg_options(
        tiny_synthetic).items()]
    out = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'benchmark', 'keysteps.py'),
         '--family', 'synthetic', '--methods', 'random labels',
         '--protocol', protocol, '--seeds', '0', '--work-dir', str(tmp_path),
         '--cfg-options', *opts], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-2000:]
    assert '| random labels | 1 |' in (tmp_path / 'keysteps.md').read_text()
    assert (tmp_path / 'keysteps.png').stat().st_size > 1000
    bad = subprocess.run(
        [sys.executable, osp.join(ROOT, 'tools', 'benchmark', 'keysteps.py'),
         '--family', 'synthetic', '--methods', 'SOTA'],
        capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode != 0 and "unknown methods ['SOTA']" in bad.stderr
