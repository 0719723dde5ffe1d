"""Train and evaluate REALIGN, its baselines and its ablations on the same
data with the same evaluation, over several seeds (issue: baselines)."""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmengine.config import Config
from mmengine.runner import Runner

from realign_mm.evaluation.protocols import EVAL_PROTOCOLS, metric_key
from realign_mm.utils import check_cfg_options
from realign_mm.utils.config_check import check_config_keys

__all__ = ['METHODS', 'dataset_overrides', 'merge_overrides', 'set_max_iters',
           'run_method', 'run_ablation', 'ablation_table']

#: method name -> (config relative to configs/, trained?)
METHODS = {
    'REALIGN': ('realign/realign_mlp_synthetic.py', True),
    'REALIGN-CCA': ('realign/realign-cca_linear_synthetic.py', True),
    'KOT (OPEL)': ('baselines/kot_mlp_synthetic.py', True),
    'GW (balanced)': ('baselines/gw_mlp_synthetic.py', True),
    'TCC': ('baselines/tcc_mlp_synthetic.py', True),
    'untrained features': ('realign/untrained_features_synthetic.py', False),
    'random labels': ('baselines/random_labels_synthetic.py', False),
    'REALIGN, no partial': ('ablations/realign_no-partial_synthetic.py',
                            True),
    'REALIGN, alpha = 0': ('ablations/realign_alpha0_synthetic.py', True),
    'REALIGN, no contrastive': ('ablations/realign_no-contrast_synthetic.py',
                                True),
}

_METRICS = tuple(metric_key(p, s) for p in EVAL_PROTOCOLS
                 for s in ('f1', 'iou'))


def dataset_overrides(name: str, data_root: str,
                      config_dir: Optional[str] = None,
                      shared_annotations: Optional[str] = None) -> dict:
    """Dataloader overrides for ``'synthetic'`` (a folder written by
    :func:`~realign_mm.synthetic.generate_dataset`) or ``'egoprocel-synth'``
    (features written by :func:`~realign_mm.synthetic.
    features_on_gtcc_timelines` on the GTCC JSON, its train / val split)."""
    if name == 'synthetic':
        opts = {}
        for loader in ('train', 'val', 'test'):
            opts[f'{loader}_dataloader.dataset.data_root'] = data_root
            opts[f'{loader}_dataloader.dataset.split_file'] = osp.join(
                data_root, 'splits.json')
        return opts
    if name == 'egoprocel-synth':
        cfg = Config.fromfile(
            osp.join(config_dir, 'realign', 'realign_mlp_egoprocel-synth.py'))
        opts = {}
        for loader in ('train', 'val', 'test'):
            dataset = cfg[f'{loader}_dataloader'].dataset
            dataset.ann_file = osp.join(shared_annotations, 'egoprocel.json')
            dataset.split_file = osp.join(
                shared_annotations, 'gtcc_reproduce_data_splits.json')
            dataset.data_prefix = dict(features=data_root)
            # the data sets the frame rate; each method keeps its own
            # sampling (how many frames, jittered or not) of its pipeline
            dataset.pop('pipeline')
            opts[f'{loader}_dataloader.dataset'] = dataset.to_dict()
            opts[f'{loader}_dataloader.dataset.pipeline.0.fps'] = \
                cfg.feature_fps
        return opts
    raise ValueError(f'unknown dataset {name!r}')


def merge_overrides(cfg: Config, overrides: dict) -> Config:
    """``cfg`` with dotted-key ``overrides`` merged in and checked
    (:func:`~realign_mm.utils.check_cfg_options` for each key, then
    :func:`~realign_mm.utils.config_check.check_config_keys`).
    ``...dataset`` keys replace the whole dataset dict (keeping the
    config's pipeline when they bring none), and keys under a section the
    config switched off (``train_dataloader = None`` in a test-only config)
    are left out."""
    for key, value in overrides.items():
        top = key.split('.', 1)[0]
        if '.' in key and top in cfg and cfg[top] is None:
            continue
        check_cfg_options(cfg, {key: value}, source='override')
        if key.endswith('.dataset'):  # replace whole dataset dicts
            if 'pipeline' not in value:  # ... but keep the config's pipeline
                value = dict(value, pipeline=cfg[top].dataset.pipeline)
            value = dict(_delete_=True, **value)
        cfg.merge_from_dict({key: value})
    check_config_keys(cfg)
    return cfg


def set_max_iters(cfg: Config, max_iters: int) -> None:
    """Train for ``max_iters`` iterations, validating at the end, with every
    cosine schedule's period ``T_max`` set to match."""
    cfg.train_cfg.max_iters = max_iters
    cfg.train_cfg.val_interval = max_iters
    for scheduler in cfg.param_scheduler:
        if 'T_max' in scheduler:
            scheduler.T_max = max_iters


def run_method(config: str, overrides: dict, work_dir: str, seed: int,
               max_iters: int, train: bool,
               metrics: Sequence[str] = _METRICS) -> Dict[str, float]:
    """Train (if ``train``) and test one config; the test ``metrics``
    (names without the ``keystep/`` prefix)."""
    cfg = merge_overrides(Config.fromfile(config), overrides)
    cfg.work_dir = work_dir
    cfg.randomness = dict(seed=seed)
    cfg.log_level = 'WARNING'
    cfg.experiment_name = f'{osp.basename(config)}-seed{seed}'
    if train:
        set_max_iters(cfg, max_iters)
        cfg.default_hooks.checkpoint.interval = max_iters
        cfg.default_hooks.logger.interval = max(1, max_iters // 10)
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    else:
        cfg.train_dataloader = cfg.train_cfg = cfg.optim_wrapper = None
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
        cfg.param_scheduler = None
    runner = Runner.from_cfg(cfg)
    if train:
        runner.train()
    scores = runner.test()
    return {m: float(scores[f'keystep/{m}']) for m in metrics}


def run_ablation(config_dir: str,
                 datasets: Dict[str, dict],
                 work_dir: str,
                 methods: Sequence[str] = tuple(METHODS),
                 seeds: Sequence[int] = (0, 1, 2),
                 max_iters: int = 1000,
                 log=print) -> Dict[str, Dict[str, List[dict]]]:
    """``results[dataset][method]`` = the metrics of every seed."""
    results: Dict[str, Dict[str, List[dict]]] = {}
    for dataset, overrides in datasets.items():
        results[dataset] = {}
        for method in methods:
            config, train = METHODS[method]
            runs = []
            for seed in (seeds if train else seeds[:1]):
                # untrained methods are deterministic given the data
                tag = method.replace(' ', '_').replace(',', '')
                runs.append(
                    run_method(
                        osp.join(config_dir, config), overrides,
                        osp.join(work_dir, dataset, tag, f'seed{seed}'),
                        seed, max_iters, train))
                log(f'{dataset:>16} | {method:<24} | seed {seed} | '
                    + ' '.join(f'{k} {100 * v:.1f}'
                               for k, v in runs[-1].items()))
            results[dataset][method] = runs
    return results


def _mean_std(runs: List[dict], key: str) -> str:
    values = 100 * np.array([r[key] for r in runs])
    if len(values) == 1:
        return f'{values[0]:.1f}'
    return f'{values.mean():.1f} ± {values.std(ddof=1):.1f}'


def ablation_table(results: Dict[str, Dict[str, List[dict]]]) -> str:
    """Markdown: mean ± std (over seeds) of F1 and IoU per method."""
    lines = []
    for dataset, methods in results.items():
        lines += [
            f'**{dataset}** (%, mean ± std over seeds; EgoProceL per-video '
            'and pooled protocols)', '',
            '| method | seeds | F1 | IoU | pooled F1 | pooled IoU |',
            '|---|---|---|---|---|---|'
        ]
        for method, runs in methods.items():
            cells = [_mean_std(runs, k) for k in _METRICS]
            lines.append(f'| {method} | {len(runs)} | ' + ' | '.join(cells) +
                         ' |')
        lines.append('')
    return '\n'.join(lines)
