"""The embedded end-to-end job: synthetic data -> train -> evaluate -> table."""
import os.path as osp
from typing import Dict, Optional

from mmengine.config import Config
from mmengine.runner import Runner

from realign_mm.evaluation import keystep_table
from realign_mm.evaluation.protocols import EVAL_PROTOCOLS
from realign_mm.synthetic import generate_dataset
from .ablation import dataset_overrides, merge_overrides, set_max_iters

__all__ = ['run_demo']


def _per_task_scores(config: str, overrides: dict, work_dir: str,
                     train: bool,
                     max_iters: Optional[int] = None) -> Dict[str, dict]:
    """Train (if ``train``) and test ``config``; the metric's per-task
    tables of the test split."""
    cfg = merge_overrides(Config.fromfile(config), overrides)
    cfg.work_dir = work_dir
    if max_iters is not None:
        set_max_iters(cfg, max_iters)
    runner = Runner.from_cfg(cfg)
    if train:
        runner.train()
    runner.test()
    return runner.test_evaluator.metrics[0].per_task


def run_demo(work_dir: str,
             config: str,
             baseline_config: str,
             data_root: str = 'data/synthetic',
             max_iters: Optional[int] = None,
             cca_config: Optional[str] = None) -> str:
    """Train REALIGN on the embedded synthetic data and compare it with the
    untrained features (and REALIGN-CCA's closed-form fit, when given), all
    evaluated in this run.

    Args:
        work_dir (str): where logs, checkpoints and the table go.
        config (str): REALIGN config, e.g.
            ``configs/realign/realign_mlp_synthetic.py``.
        baseline_config (str): the untrained-features config.
        data_root (str): synthetic data folder (written if missing).
        max_iters (int, optional): override the training length (and the
            cosine schedule's period with it).
        cca_config (str, optional): a REALIGN-CCA config, e.g.
            ``configs/realign/realign-cca_linear_synthetic.py``.

    Returns:
        str: the markdown tables (also written to ``work_dir/keysteps.md``).
    """
    if not osp.isfile(osp.join(data_root, 'splits.json')):
        print(f'writing the synthetic dataset to {data_root}: '
              f'{generate_dataset(data_root)}')
    overrides = dataset_overrides('synthetic', data_root)
    results = {'REALIGN': _per_task_scores(
        config, overrides, osp.join(work_dir, 'realign'), True, max_iters)}
    methods = ['untrained features', 'REALIGN']
    if cca_config is not None:  # one closed-form fit, no iterations
        results['REALIGN-CCA'] = _per_task_scores(
            cca_config, overrides, osp.join(work_dir, 'realign-cca'), True)
        methods.append('REALIGN-CCA')
    results['untrained features'] = _per_task_scores(
        baseline_config, overrides, osp.join(work_dir, 'untrained'), False)

    tables = '\n\n'.join(
        keystep_table({m: r[protocol] for m, r in results.items()}, protocol,
                      methods)
        for protocol in EVAL_PROTOCOLS)
    with open(osp.join(work_dir, 'keysteps.md'), 'w') as f:
        f.write(tables + '\n')
    return tables
