"""The main job: train REALIGN on the embedded synthetic procedures, fit
REALIGN-CCA, evaluate both and the untrained features in the same run, print
the key-step table.

    python tools/demo.py --work-dir work_dirs/demo
"""
import argparse
import os.path as osp

import realign_mm  # noqa: F401  (registers modules, applies compat)
from realign_mm.experiments import run_demo

CONFIGS = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                   'configs', 'realign')


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--work-dir', default='work_dirs/demo')
    parser.add_argument('--data-root', default='data/synthetic')
    parser.add_argument('--config',
                        default=osp.join(CONFIGS, 'realign_mlp_synthetic.py'))
    parser.add_argument(
        '--baseline-config',
        default=osp.join(CONFIGS, 'untrained_features_synthetic.py'))
    parser.add_argument(
        '--cca-config',
        default=osp.join(CONFIGS, 'realign-cca_linear_synthetic.py'))
    parser.add_argument('--max-iters', type=int, default=None)
    args = parser.parse_args()
    tables = run_demo(args.work_dir, args.config, args.baseline_config,
                      args.data_root, args.max_iters, args.cca_config)
    print('\n' + tables)


if __name__ == '__main__':
    main()
