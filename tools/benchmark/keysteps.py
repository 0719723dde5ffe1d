"""Key-step benchmark: every method of a config family over seeds, one
table (markdown) and one chart.

    # the real CaptainCook4D table of the README (train -> test, 3 seeds)
    python tools/benchmark/keysteps.py --family captaincook4d-pe
    # one model per task, trained and evaluated on its videos (CnC / OPEL)
    python tools/benchmark/keysteps.py --family captaincook4d-pe \\
        --protocol per-task
    # tasks the training never saw: each test task left out of training
    python tools/benchmark/keysteps.py --family captaincook4d-pe \\
        --protocol unseen-task
    # choosing on val: evaluate on the val split instead of test
    python tools/benchmark/keysteps.py --family captaincook4d-pe \\
        --cfg-options test_dataloader.dataset.split=val
    # any configs, e.g. a published benchmark
    python tools/benchmark/keysteps.py \\
        --configs configs/realign/realign_r50-cnc_egoprocel-meccano.py

Writes ``<work-dir>/keysteps.md``, ``keysteps.json`` and ``keysteps.png``.
"""
import argparse
import json
import os
import os.path as osp
import time

from mmengine.config import Config, DictAction
from mmengine.utils import ProgressBar

from realign_mm.experiments import (HELD_OUT, PROTOCOLS, config_family,
                                    is_trained, merge_overrides, method_name,
                                    protocol_runs, results_table,
                                    run_benchmark)
from realign_mm.visualization import plot_ablation

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split('\n\n', 1)[1])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument('--family', help='config suffix, e.g. captaincook4d-pe')
    what.add_argument('--configs', nargs='+', help='config files')
    parser.add_argument('--methods', nargs='+',
                        help='only these methods of the family')
    parser.add_argument('--protocol', choices=PROTOCOLS, default=HELD_OUT)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2])
    parser.add_argument('--iters', type=int, default=None,
                        help="training iterations (default: the config's)")
    parser.add_argument('--work-dir', default=None)
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={}, help='overrides for every config')
    return parser.parse_args()


def main():
    args = parse_args()
    if args.family:
        methods = config_family(osp.join(ROOT, 'configs'), args.family)
        if args.methods:
            unknown = sorted(set(args.methods) - set(methods))
            if unknown:
                raise SystemExit(f'unknown methods {unknown}; the family '
                                 f'has {list(methods)}')
            methods = {m: methods[m] for m in args.methods}
    else:
        methods = {method_name(c): c for c in args.configs}
    name = args.family or osp.splitext(osp.basename(args.configs[0]))[0]
    work_dir = args.work_dir or osp.join('work_dirs', 'keysteps', name,
                                         args.protocol)
    os.makedirs(work_dir, exist_ok=True)
    total = 0
    for config in methods.values():
        cfg = merge_overrides(Config.fromfile(config), args.cfg_options)
        total += len(protocol_runs(cfg, args.protocol)) * (
            len(args.seeds) if is_trained(cfg) else 1)
    bar = ProgressBar(total)
    start = time.time()
    results = run_benchmark(methods, work_dir, args.protocol, args.seeds,
                            args.iters, args.cfg_options,
                            progress=lambda _: bar.update())
    table = results_table(results)
    options = ' '.join(f'{k}={v}' for k, v in args.cfg_options.items())
    quoted = ' '.join(f"'{m}'" if ' ' in m else m for m in methods)
    command = ('python tools/benchmark/keysteps.py ' + (
        f'--family {args.family}' if args.family else
        '--configs ' + ' '.join(args.configs)) +
        (f' --methods {quoted}' if args.methods else '') +
        f' --protocol {args.protocol} --seeds '
        + ' '.join(map(str, args.seeds)) +
        (f' --iters {args.iters}' if args.iters else '') +
        (f' --cfg-options {options}' if options else ''))
    header = (f'`{command}` ({(time.time() - start) / 60:.0f} min; %, mean ± '
              'std over seeds; EgoProceL per-video and pooled protocols)\n\n')
    with open(osp.join(work_dir, 'keysteps.md'), 'w') as f:
        f.write(header + table + '\n')
    with open(osp.join(work_dir, 'keysteps.json'), 'w') as f:
        json.dump(dict(command=command, results=results), f, indent=1)
    chart = plot_ablation({name: results},
                          osp.join(work_dir, 'keysteps.png'))
    print('\n\n' + header + table)
    print(f'\n{work_dir}/keysteps.md, chart: {chart}')


if __name__ == '__main__':
    main()
