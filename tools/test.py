"""Evaluate a REALIGN model: key-step discovery and the P/R/F1/IoU table."""
import argparse
import os

from mmengine.config import Config, DictAction
from mmengine.runner import Runner


def parse_args():
    parser = argparse.ArgumentParser(description='Test a procedure aligner')
    parser.add_argument('config', help='test config file path')
    parser.add_argument(
        'checkpoint', nargs='?', default=None,
        help='checkpoint file (omit for models without weights, e.g. the '
        'untrained-features baseline)')
    parser.add_argument(
        '--random-weights', action='store_true',
        help='score a config that trains a model without a checkpoint '
        '(its weights as initialised), on purpose')
    parser.add_argument('--work-dir', help='the dir to save logs')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config settings, key=value (dotted keys)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main():
    args = parse_args()
    cfg = Config.fromfile(args.config)
    from realign_mm.utils import (apply_cli_args, close_distributed,
                                  prepare_distributed)
    cfg = apply_cli_args(cfg, args)
    if (args.checkpoint is None and cfg.get('train_cfg') is not None
            and not args.random_weights):
        raise SystemExit(
            f'{args.config} trains a model (it has a train_cfg) but no '
            'checkpoint was given, so its weights would be the untrained '
            'initialisation: pass the checkpoint, or --random-weights to '
            'score the untrained model on purpose')
    cfg.load_from = args.checkpoint
    prepare_distributed(cfg)
    Runner.from_cfg(cfg).test()
    close_distributed()


if __name__ == '__main__':
    main()
