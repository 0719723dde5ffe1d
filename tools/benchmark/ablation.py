"""Train and evaluate every method and ablation, several seeds, two datasets.

(a) the embedded synthetic procedures, (b) real EgoProceL step timelines
(the GTCC JSON of ../shared/data, its train / val split) with features
synthesised on them. Writes ``<work-dir>/ablation.md`` (mean ± std of F1 and
IoU per method) and ``<work-dir>/ablation.png``.

Example::

    python tools/benchmark/ablation.py --work-dir work_dirs/ablation
    python tools/benchmark/ablation.py --iters 20 --seeds 0 \\
        --methods REALIGN 'KOT (OPEL)' --datasets synthetic
    # a variant of every method: overrides after the dataset's
    python tools/benchmark/ablation.py --methods REALIGN-CCA \\
        --cfg-options train_cfg.ridge=3.0
"""
import argparse
import os
import os.path as osp
import time

from mmengine.config import Config, DictAction

from realign_mm.experiments import (METHODS, ablation_table, dataset_overrides,
                                    merge_overrides, run_ablation)
from realign_mm.synthetic import features_on_gtcc_timelines, generate_dataset
from realign_mm.visualization import plot_ablation

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--work-dir', default='work_dirs/ablation')
    parser.add_argument('--iters', type=int, default=1000,
                        help='training iterations per run')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--methods', nargs='+', default=list(METHODS),
                        choices=list(METHODS))
    parser.add_argument('--datasets', nargs='+',
                        default=['synthetic', 'egoprocel-synth'],
                        choices=['synthetic', 'egoprocel-synth'])
    parser.add_argument(
        '--shared', default=osp.join(ROOT, '..', 'shared', 'data'),
        help='the shared data folder (EgoProceL GTCC JSON)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={},
                        help='overrides for every method and dataset, '
                        "merged after the dataset's")
    return parser.parse_args()


def main():
    args = parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    data_dir = osp.join(args.work_dir, 'data')
    configs = osp.join(ROOT, 'configs')
    datasets = {}
    if 'synthetic' in args.datasets:
        root = osp.join(data_dir, 'synthetic')
        if not osp.isfile(osp.join(root, 'splits.json')):
            generate_dataset(root)
        datasets['synthetic'] = dataset_overrides('synthetic', root)
    if 'egoprocel-synth' in args.datasets:
        ann = osp.join(args.shared, 'annotations', 'egoprocel_gtcc')
        if not osp.isfile(osp.join(ann, 'egoprocel.json')):
            raise FileNotFoundError(
                f'{ann}/egoprocel.json not found: pass --shared')
        root = osp.join(data_dir, 'egoprocel_synth', 'features')
        if not osp.isdir(root):
            features_on_gtcc_timelines(
                osp.join(ann, 'egoprocel.json'), root)
        datasets['egoprocel-synth'] = dataset_overrides(
            'egoprocel-synth', root, configs, ann)
    for name, overrides in datasets.items():
        datasets[name] = {**overrides, **args.cfg_options}
        for method in args.methods:  # refuse a bad override before any run
            merge_overrides(
                Config.fromfile(osp.join(configs, METHODS[method][0])),
                datasets[name])
    start = time.time()
    results = run_ablation(configs, datasets, args.work_dir, args.methods,
                           args.seeds, args.iters)
    table = ablation_table(results)
    options = ' '.join(f'{k}={v}' for k, v in args.cfg_options.items())
    command = (f'python tools/benchmark/ablation.py --iters {args.iters} '
               f'--seeds {" ".join(map(str, args.seeds))}'
               + (f' --cfg-options {options}' if options else ''))
    header = f'`{command}` ({(time.time() - start) / 60:.0f} min)\n\n'
    with open(osp.join(args.work_dir, 'ablation.md'), 'w') as f:
        f.write(header + table)
    chart = plot_ablation(results, osp.join(args.work_dir, 'ablation.png'))
    print(header + table)
    print(f'chart: {chart}')


if __name__ == '__main__':
    main()
