"""The embedded end-to-end job: synthetic data -> train -> evaluate -> table."""
import os.path as osp
from typing import Dict, Optional

from mmengine.config import Config
from mmengine.runner import Runner

from realign_mm.evaluation import keystep_table
from realign_mm.evaluation.protocols import EVAL_PROTOCOLS
from realign_mm.synthetic import generate_dataset
from .ablation import merge_overrides

__all__ = ['run_demo']

def _metric_tables(runner: Runner) -> Dict[str, dict]:
    metric = runner.test_evaluator.metrics[0]
    return metric.per_task


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
    overrides = {
        'train_dataloader.dataset.data_root': data_root,
        'train_dataloader.dataset.split_file': data_root + '/splits.json',
        'val_dataloader.dataset.data_root': data_root,
        'val_dataloader.dataset.split_file': data_root + '/splits.json',
        'test_dataloader.dataset.data_root': data_root,
        'test_dataloader.dataset.split_file': data_root + '/splits.json',
    }
    results = {}
    cfg = merge_overrides(Config.fromfile(config), overrides)
    cfg.work_dir = osp.join(work_dir, 'realign')
    if max_iters is not None:
        cfg.train_cfg.max_iters = max_iters
        cfg.train_cfg.val_interval = max_iters
        for scheduler in cfg.param_scheduler:
            if 'T_max' in scheduler:
                scheduler.T_max = max_iters
    runner = Runner.from_cfg(cfg)
    runner.train()
    runner.test()
    results['REALIGN'] = _metric_tables(runner)

    if cca_config is not None:  # one closed-form fit, no iterations
        cca = merge_overrides(Config.fromfile(cca_config), overrides)
        cca.work_dir = osp.join(work_dir, 'realign-cca')
        runner = Runner.from_cfg(cca)
        runner.train()
        runner.test()
        results['REALIGN-CCA'] = _metric_tables(runner)

    base = merge_overrides(Config.fromfile(baseline_config), overrides)
    base.work_dir = osp.join(work_dir, 'untrained')
    runner = Runner.from_cfg(base)
    runner.test()
    results['untrained features'] = _metric_tables(runner)

    tables = '\n\n'.join(
        keystep_table({m: r[protocol] for m, r in results.items()}, protocol,
                      ['untrained features', 'REALIGN'] +
                      (['REALIGN-CCA'] if cca_config is not None else []))
        for protocol in EVAL_PROTOCOLS)
    with open(osp.join(work_dir, 'keysteps.md'), 'w') as f:
        f.write(tables + '\n')
    return tables
