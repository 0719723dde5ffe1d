"""Helpers shared by ``tools/train.py``, ``tools/test.py`` and the
benchmark tools."""
import argparse
import datetime
import difflib
import os
import os.path as osp
from typing import Optional

import torch
from mmengine.config import Config, DictAction
from mmengine.logging import print_log

from .config_check import check_config_keys

__all__ = [
    'check_cfg_options', 'merge_cfg_options', 'load_config',
    'model_tool_parser', 'apply_cli_args', 'enable_amp', 'prepare_distributed',
    'close_distributed'
]


def check_cfg_options(cfg: Config, options: Optional[dict],
                      source: str = '--cfg-options') -> None:
    """Refuse ``--cfg-options`` that would not set what they name.

    * a top-level key the config lacks: ``merge_from_dict`` would silently
      add a misspelt key (``trian_cfg.max_iters=10``) that nothing reads;
    * a step into a list (``...dataset.pipeline.0.fps``) that is not an
      index of it, or past its end: mmengine raises a bare ``TypeError``
      or a ``KeyError`` quoting the whole list, naming neither the option
      nor the list's length.

    Nested new keys of dicts are checked against the classes they configure
    by :func:`~realign_mm.utils.config_check.check_config_keys`.
    """
    for key in options or {}:
        top = key.split('.')[0]
        if top not in cfg:
            close = difflib.get_close_matches(top, list(cfg.keys()), n=3)
            hint = f'; did you mean {close}?' if close else ''
            raise KeyError(f'{source}: unknown config key {top!r} in '
                           f'{key!r} (config {cfg.filename}){hint}')
        _check_list_steps(cfg, key, source)


def _check_list_steps(cfg: Config, key: str, source: str) -> None:
    """Every part of ``key`` that steps into a list is an index of it."""
    parts = key.split('.')
    node = cfg[parts[0]]  # the caller checked that it exists
    for depth, part in enumerate(parts[1:], start=1):
        if isinstance(node, (list, tuple)):
            where = '.'.join(parts[:depth])
            if not part.isdigit():
                raise KeyError(
                    f'{source}: {key!r}: {where} is a list of {len(node)} '
                    f'items, so {part!r} must be an item index (e.g. '
                    f'{where}.0.{part})')
            if int(part) >= len(node):
                raise KeyError(
                    f'{source}: {key!r}: {where} is a list of {len(node)} '
                    f'items, it has no item {part} (config {cfg.filename})')
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:  # a new key, or a value replaced whole: nothing to step into
            return


def merge_cfg_options(cfg: Config, options: Optional[dict]) -> Config:
    """``cfg`` with ``--cfg-options`` merged in, every key checked
    (:func:`check_cfg_options`, then
    :func:`~realign_mm.utils.config_check.check_config_keys`)."""
    if options:
        check_cfg_options(cfg, options)
        cfg.merge_from_dict(options)
    check_config_keys(cfg)
    return cfg


def load_config(path: str, options: Optional[dict] = None) -> Config:
    """The config at ``path`` with ``--cfg-options`` merged in and checked
    (:func:`merge_cfg_options`)."""
    return merge_cfg_options(Config.fromfile(path), options)


def model_tool_parser(doc: str,
                      checkpoint: bool = True) -> argparse.ArgumentParser:
    """The arguments of a benchmark tool that reads one config's model:
    ``config``, an optional ``checkpoint`` (without it, the weights at
    initialisation) and ``--cfg-options``; the description and examples
    are the tool's module ``doc`` (first paragraph, then the rest)."""
    parser = argparse.ArgumentParser(
        description=doc.split('\n\n')[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=doc.split('\n\n', 1)[1])
    parser.add_argument('config')
    if checkpoint:
        parser.add_argument('checkpoint', nargs='?', default=None,
                            help='omit for the weights at initialisation')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        default={}, help='config overrides (dotted keys)')
    return parser


def apply_cli_args(cfg: Config, args) -> Config:
    """Merge the flags common to train and test into ``cfg``."""
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return merge_cfg_options(cfg, args.cfg_options)


def enable_amp(cfg: Config) -> None:
    """Switch to ``AmpOptimWrapper`` (bf16) on CUDA; a no-op on CPU."""
    if not torch.cuda.is_available():
        print_log('--amp: no CUDA device, mixed precision is a no-op on CPU',
                  logger='current')
        return
    wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
    if wrapper not in ('OptimWrapper', 'AmpOptimWrapper'):
        raise ValueError(f'--amp does not support optim_wrapper {wrapper}')
    cfg.optim_wrapper.type = 'AmpOptimWrapper'
    cfg.optim_wrapper.setdefault('dtype', 'bfloat16')


def prepare_distributed(cfg: Config) -> None:
    """Let mmengine's launchers run on CPU-only machines (backend gloo).

    mmengine 0.10.7's ``init_dist`` calls ``torch.cuda.set_device`` and
    fails on a CPU-only torch. The Runner only calls it when no process
    group exists, so on CPU we create the gloo group here from the variables
    ``torchrun`` (``--launcher pytorch``) or Slurm (``--launcher slurm``)
    set, and the Runner carries on with it; the model wrapper is told to
    use no device ids (DDP on CPU modules). ``env_cfg.dist_cfg.timeout``
    (seconds) bounds how long a collective waits for a dead or paused
    rank, as mmengine's ``init_dist`` does on GPUs.
    """
    launcher = cfg.get('launcher', 'none')
    if launcher == 'none' or torch.cuda.is_available():
        return
    import torch.distributed as dist
    if dist.is_initialized():
        return
    cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    if launcher == 'slurm':
        env = os.environ
        env.setdefault('RANK', env['SLURM_PROCID'])
        env.setdefault('WORLD_SIZE', env['SLURM_NTASKS'])
        env.setdefault('LOCAL_RANK', env.get('SLURM_LOCALID', '0'))
        if 'MASTER_ADDR' not in env:
            import subprocess
            nodes = env['SLURM_NODELIST']
            env['MASTER_ADDR'] = subprocess.getoutput(
                f'scontrol show hostname {nodes} | head -n1')
        env.setdefault('MASTER_PORT', '29500')
    elif launcher != 'pytorch':
        raise ValueError(f'launcher {launcher!r} is not supported on CPU')
    timeout = cfg.env_cfg.get('dist_cfg', {}).get('timeout')
    dist.init_process_group(
        backend='gloo', init_method='env://',
        **({} if timeout is None else dict(
            timeout=datetime.timedelta(seconds=timeout))))
    # mmengine wraps the model with device_ids=[LOCAL_RANK], which DDP
    # refuses for CPU modules: keep the user's wrapper options, no device
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        broadcast_buffers=False,
        find_unused_parameters=cfg.get('find_unused_parameters', False))
    wrapper.setdefault('type', 'MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper


def close_distributed() -> None:
    """End a finished distributed run cleanly on every rank.

    A process group left to the interpreter's exit can abort a rank after
    the run has finished (gloo: "terminate called without an active
    exception", its threads destroyed while still joinable), and torchrun
    then reports the whole job as failed. A barrier, then
    ``destroy_process_group``, on the success path only (after an error a
    barrier could wait for a rank that is gone). A no-op without a group.

    The caller drops its runner first. A finished mmengine ``Runner`` sits
    in a reference cycle with its loops, so its DDP model, which holds the
    group and its pending work, would otherwise be freed only by the
    interpreter's final collection, after the group is destroyed and while
    the interpreter is being torn down; ``gc.collect()`` frees it here.
    """
    import gc

    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        gc.collect()
        dist.barrier()
        dist.destroy_process_group()
