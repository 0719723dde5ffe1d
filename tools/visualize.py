"""Draw what a model found: per-task scores, key-step timelines and the
transport map of a pair (PNG files).

    python tools/visualize.py configs/realign/realign_mlp_synthetic.py \
        work_dirs/demo/realign/iter_3000.pth --out-dir work_dirs/pictures
"""
import argparse

from mmengine.config import Config, DictAction
from mmengine.runner import Runner


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint', nargs='?', default=None,
                        help='omit for models without weights')
    parser.add_argument('--out-dir', default='work_dirs/pictures')
    parser.add_argument('--task', help='task to draw (default: the first)')
    parser.add_argument('--videos', type=int, default=4,
                        help='videos on the timeline')
    parser.add_argument('--protocol', default='egoprocel',
                        choices=['egoprocel', 'pooled'])
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    parser.add_argument('--work-dir', help='logs of the test run')
    parser.add_argument('--launcher', default='none', help=argparse.SUPPRESS)
    return parser.parse_args()


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    from realign_mm.apis import visualize_run
    from realign_mm.utils import apply_cli_args
    cfg = apply_cli_args(cfg, args)
    cfg.load_from = args.checkpoint
    paths = visualize_run(Runner.from_cfg(cfg), args.out_dir, args.task,
                          args.videos, args.protocol)
    print('\n'.join(paths))


if __name__ == '__main__':
    main()
