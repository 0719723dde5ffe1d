"""The ablation driver: every method trains / tests on the same data and the
table holds one row per method with mean ± std over seeds."""
import numpy as np
import pytest

from realign_mm.experiments import (METHODS, ablation_table, dataset_overrides,
                                    run_ablation)
from tests.conftest import CONFIGS


def test_two_methods_two_seeds_on_tiny_data(tiny_synthetic, tmp_path):
    datasets = {'synthetic': dataset_overrides('synthetic', tiny_synthetic)}
    results = run_ablation(CONFIGS, datasets, str(tmp_path),
                           ['REALIGN', 'random labels'], seeds=[0, 1],
                           max_iters=2, log=lambda *_: None)
    runs = results['synthetic']
    assert len(runs['REALIGN']) == 2  # trained: every seed
    assert len(runs['random labels']) == 1  # deterministic: one run
    for run in runs['REALIGN'] + runs['random labels']:
        assert set(run) == {'egoprocel/f1', 'egoprocel/iou', 'pooled/f1',
                            'pooled/iou'}
        assert all(0 <= v <= 1 for v in run.values())
    table = ablation_table(results)
    f1 = 100 * np.array([r['egoprocel/f1'] for r in runs['REALIGN']])
    assert f'| REALIGN | 2 | {f1.mean():.1f} ± {f1.std(ddof=1):.1f} |' in table


def test_every_method_has_a_config():
    import os.path as osp
    for name, (config, _) in METHODS.items():
        assert osp.isfile(osp.join(CONFIGS, config)), name
    with pytest.raises(ValueError, match='unknown dataset'):
        dataset_overrides('kinetics', '.')


def test_egoprocel_synth_keeps_each_methods_sampling():
    """The dataset override sets the data (files, split, frame rate); the
    number of training frames stays the method's: REALIGN-CCA fits on its
    256, REALIGN trains on its 32."""
    from mmengine.config import Config

    from realign_mm.experiments import merge_overrides
    overrides = dataset_overrides('egoprocel-synth', 'feats', CONFIGS, 'ann')
    frames = {}
    for method in ('REALIGN', 'REALIGN-CCA'):
        cfg = merge_overrides(
            Config.fromfile(f'{CONFIGS}/{METHODS[method][0]}'), overrides)
        train = cfg.train_dataloader.dataset
        assert train.ann_file == 'ann/egoprocel.json'
        assert train.data_prefix == dict(features='feats')
        assert train.split == 'train' and 'data_root' not in train
        frames[method] = train.pipeline[0].num_frames
        for loader in (cfg.train_dataloader, cfg.test_dataloader):
            assert loader.dataset.pipeline[0].fps == 1.0  # synthetic: 2.0
        assert cfg.test_dataloader.dataset.pipeline[0].num_frames is None
    assert frames == {'REALIGN': 32, 'REALIGN-CCA': 256}


def test_a_pipeline_override_must_name_a_step_of_the_pipeline():
    from mmengine.config import Config

    from realign_mm.experiments import merge_overrides
    cfg = Config.fromfile(f'{CONFIGS}/{METHODS["REALIGN"][0]}')
    with pytest.raises(KeyError, match='list of 2 items, it has no item 2'):
        merge_overrides(cfg, {'train_dataloader.dataset.pipeline.2.fps': 1})
    # a field the step does not set yet is fine (mmengine adds it)
    merged = merge_overrides(
        cfg, {'train_dataloader.dataset.pipeline.0.context': 3})
    assert merged.train_dataloader.dataset.pipeline[0].context == 3
    with pytest.raises(KeyError, match="'fps' must be an item index"):
        merge_overrides(cfg, {'train_dataloader.dataset.pipeline.fps': 1})


def test_the_tool_takes_cfg_options_and_refuses_a_bad_one(tmp_path):
    """``--cfg-options`` reach every run (and the table's command line); a
    misspelt option is refused before the first run."""
    import os.path as osp
    import subprocess
    import sys

    from tests.conftest import ROOT
    tool = [sys.executable, osp.join(ROOT, 'tools', 'benchmark',
                                     'ablation.py'),
            '--datasets', 'synthetic', '--methods', 'random labels',
            '--seeds', '0', '--work-dir', str(tmp_path)]
    bad = subprocess.run(
        tool + ['--cfg-options', 'test_evaluator.num_keystepz=5'],
        capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode != 0 and 'num_keystepz' in bad.stderr
    assert not (tmp_path / 'synthetic').exists()  # no run started
    good = subprocess.run(
        tool + ['--cfg-options', 'test_evaluator.num_keysteps=5'],
        capture_output=True, text=True, cwd=ROOT)
    assert good.returncode == 0, good.stderr[-2000:]
    table = (tmp_path / 'ablation.md').read_text()
    assert '--cfg-options test_evaluator.num_keysteps=5`' in table
    assert '| random labels | 1 |' in table
    # the override reached the run: its config was dumped with K = 5
    dumped = list((tmp_path / 'synthetic').rglob('*random_labels*.py'))
    assert dumped and 'num_keysteps=5' in dumped[0].read_text()
