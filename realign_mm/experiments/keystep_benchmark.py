"""Key-step benchmark of a config family: every method, several seeds, one
of the protocols below, one table.

A *family* is the set of configs that share a dataset suffix, e.g.
``captaincook4d-pe``: ``realign/realign_mlp_captaincook4d-pe.py``,
``realign/untrained_features_captaincook4d-pe.py``,
``baselines/*_captaincook4d-pe.py`` and ``ablations/*_captaincook4d-pe.py``.
"""
import glob
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np
from mmengine.config import Config

from realign_mm.apis import build_dataset
from realign_mm.evaluation.protocols import (EGOPROCEL, EVAL_PROTOCOLS,
                                             SCORES, metric_key)

from .ablation import _mean_std, merge_overrides, run_method

__all__ = ['PER_TASK', 'HELD_OUT', 'UNSEEN_TASK', 'PROTOCOLS', 'METRICS',
           'config_family', 'method_name', 'is_trained', 'protocol_runs',
           'run_benchmark', 'results_table']

#: CnC / OPEL: one model per task, trained and evaluated on that task's
#: videos (those of the test loader)
PER_TASK = 'per-task'
#: one model for every task, trained on the train split, evaluated on the
#: held-out (test) split
HELD_OUT = 'held-out'
#: generalisation to tasks the training never saw: for each task of the
#: test loader, one model trained on the train split of every other task,
#: evaluated on that task's test videos (leave one task out)
UNSEEN_TASK = 'unseen-task'
PROTOCOLS = (HELD_OUT, PER_TASK, UNSEEN_TASK)
#: reported metrics (fractions), both evaluation protocols
METRICS = tuple(metric_key(p, s) for p in EVAL_PROTOCOLS for s in SCORES)
#: config name (without the family suffix) -> method name
_NAMES = {'realign_mlp': 'REALIGN', 'realign-cca_linear': 'REALIGN-CCA',
          'kot_mlp': 'KOT', 'gw_mlp': 'GW',
          'tcc_mlp': 'TCC', 'untrained_features': 'untrained features',
          'untrained_raw-features': 'untrained raw features',
          'untrained_context-neck': 'untrained context neck',
          'random_labels': 'random labels',
          'realign_r50-cnc': 'REALIGN (ResNet-50, CnC neck)'}
_ORDER = tuple(_NAMES.values())


def method_name(config: str) -> str:
    """``realign_mlp_<family>.py`` -> ``'REALIGN'``,
    ``ablations/realign_with-sink_<family>.py`` ->
    ``'REALIGN, with-sink'``; unknown names -> the name's words."""
    stem = osp.splitext(osp.basename(config))[0].rsplit('_', 1)[0]
    if osp.basename(osp.dirname(config)) == 'ablations':
        head, _, what = stem.partition('_')
        return f'{_NAMES.get(head + "_mlp", head)}, {what}'
    return _NAMES.get(stem, stem.replace('_', ' '))


def config_family(config_dir: str, family: str) -> Dict[str, str]:
    """``{method name: config path}`` of every config ending in
    ``_<family>.py``: methods first, then ablations."""
    found = {}
    for folder in ('realign', 'baselines', 'ablations'):
        for path in sorted(glob.glob(
                osp.join(config_dir, folder, f'*_{family}.py'))):
            found[method_name(path)] = path
    if not found:
        raise FileNotFoundError(
            f'no config *_{family}.py under {config_dir}/'
            '{realign,baselines,ablations}')
    rank = {m: i for i, m in enumerate(_ORDER)}
    return dict(sorted(found.items(),
                       key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])))


def is_trained(cfg: Config) -> bool:
    """Test-only configs set ``train_cfg = None``."""
    return cfg.get('train_cfg') is not None


def protocol_runs(cfg: Config, protocol: str) -> Dict[str, dict]:
    """``{run name: config overrides}``: one run for :data:`HELD_OUT`, one
    per task of the test loader for :data:`PER_TASK` (trained and tested on
    that task's test-loader videos) and for :data:`UNSEEN_TASK` (trained on
    the train loader's other tasks, tested on that task)."""
    if protocol == HELD_OUT:
        return {'all tasks': {}}
    if protocol not in PROTOCOLS:
        raise ValueError(f'protocol must be one of {PROTOCOLS}, got '
                         f'{protocol!r}')
    test = cfg.test_dataloader.dataset
    tasks = build_dataset(cfg, test).metainfo['tasks']
    train = cfg.get('train_dataloader')  # None: a test-only config
    train_tasks = (build_dataset(cfg, train.dataset).metainfo['tasks']
                   if protocol == UNSEEN_TASK and train else [])
    runs = {}
    for task in tasks:
        # validated and tested on the task's test-loader videos
        opts = {f'{loader}_dataloader.dataset.tasks': [task]
                for loader in ('val', 'test')}
        for key in ('split_file', 'split'):
            opts[f'val_dataloader.dataset.{key}'] = test.get(key)
        if protocol == PER_TASK:  # ... and trained on them
            opts['train_dataloader.dataset.tasks'] = [task]
            for key in ('split_file', 'split'):
                opts[f'train_dataloader.dataset.{key}'] = test.get(key)
        elif train:  # ... after training on the other tasks' train videos
            others = [t for t in train_tasks if t != task]
            if not others:
                raise ValueError(
                    f'protocol {UNSEEN_TASK!r}: the train split has no task '
                    f'other than {task!r} to train on')
            opts['train_dataloader.dataset.tasks'] = others
        runs[task] = opts
    return runs


def run_benchmark(methods: Dict[str, str],
                  work_dir: str,
                  protocol: str = HELD_OUT,
                  seeds: Sequence[int] = (0, 1, 2),
                  max_iters: Optional[int] = None,
                  overrides: Optional[dict] = None,
                  progress: Optional[Callable[[str], None]] = None
                  ) -> Dict[str, List[dict]]:
    """Train (where the config trains) and test every method.

    Returns ``{method: [metrics of each seed]}``; under :data:`PER_TASK`
    and :data:`UNSEEN_TASK` a seed's metrics are the means over the
    per-task runs. Test-only methods run once (they are deterministic).
    """
    results = {}
    for method, config in methods.items():
        cfg = merge_overrides(Config.fromfile(config), overrides or {})
        trained = is_trained(cfg)
        iters = max_iters or (cfg.train_cfg.max_iters if trained else 0)
        runs = protocol_runs(cfg, protocol)
        per_seed = []
        for seed in (seeds if trained else seeds[:1]):
            scores = []
            for run, opts in runs.items():
                tag = run.replace(' ', '_')
                scores.append(run_method(
                    config, {**(overrides or {}), **opts},
                    osp.join(work_dir, osp.splitext(osp.basename(config))[0],
                             f'seed{seed}', tag), seed, iters, trained,
                    METRICS))
                if progress is not None:
                    progress(f'{method} seed {seed} {run}')
            per_seed.append({m: float(np.mean([s[m] for s in scores]))
                             for m in METRICS})
        results[method] = per_seed
    return results


def results_table(results: Dict[str, List[dict]]) -> str:
    """Markdown: mean ± std over seeds of P / R / F1 / IoU, both
    protocols."""
    head = ['method', 'seeds'] + [
        f'{"" if p == EGOPROCEL else "pooled "}{m}'
        for p in EVAL_PROTOCOLS for m in ('P', 'R', 'F1', 'IoU')]
    lines = ['| ' + ' | '.join(head) + ' |',
             '|' + '---|' * len(head)]
    for method, runs in results.items():
        cells = [method, str(len(runs))] + [_mean_std(runs, k) for k in METRICS]
        lines.append('| ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)
