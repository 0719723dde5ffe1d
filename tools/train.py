"""Train a REALIGN model (mmaction2's tools/train.py idiom)."""
import argparse
import os

from mmengine.config import Config, DictAction
from mmengine.runner import Runner


def parse_args():
    parser = argparse.ArgumentParser(description='Train a procedure aligner')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint, or without a path from the '
        'latest checkpoint in the work directory')
    parser.add_argument(
        '--amp', action='store_true', help='mixed precision (CUDA only)')
    parser.add_argument(
        '--no-validate', action='store_true', help='skip validation')
    parser.add_argument(
        '--auto-scale-lr',
        action='store_true',
        help='scale the lr by the actual over the base batch size')
    parser.add_argument('--seed', type=int, default=None, help='random seed')
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
    cfg = Config.fromfile(args.config)  # imports realign_mm (custom_imports)
    from realign_mm.utils import (apply_cli_args, close_distributed,
                                  enable_amp, prepare_distributed)
    cfg = apply_cli_args(cfg, args)
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.amp:
        enable_amp(cfg)
    if args.resume is not None:
        from realign_mm.engine import resumable_checkpoint, verify_checkpoint
        if args.resume == 'auto':  # the newest checkpoint that reads back
            path = resumable_checkpoint(cfg.work_dir)
        else:
            path, reason = args.resume, verify_checkpoint(args.resume)
            if reason is not None:
                raise SystemExit(f'--resume {path}: {reason}')
        cfg.resume, cfg.load_from = path is not None, path
    if args.auto_scale_lr:
        cfg.auto_scale_lr.enable = True
    if args.seed is not None:
        cfg.randomness.seed = args.seed
    prepare_distributed(cfg)
    Runner.from_cfg(cfg).train()
    close_distributed()


if __name__ == '__main__':
    main()
