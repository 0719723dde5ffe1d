"""Fit an aligner's linear neck in closed form from R-FPGWOT plans."""
import itertools
from collections import defaultdict
from typing import Dict, List, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import LOOPS
from mmengine.dataset import pseudo_collate
from mmengine.dist import broadcast
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import IterBasedTrainLoop
from torch import Tensor

from ...models.utils.plan_cca import plan_cca, plan_cross_covariance

__all__ = ['PlanCCALoop']

#: correspondences the fit can use: the model's transport plan, or the
#: frames at the same relative time (a control without any transport)
CORRESPONDENCES = ('plan', 'linear_time')


@LOOPS.register_module()
class PlanCCALoop(IterBasedTrainLoop):
    """Train by fitting the neck's last ``nn.Linear`` in closed form.

    One "iteration": every training video is loaded once through the train
    pipeline (which should sample the same number of frames from each,
    e.g. ``LoadFrameFeatures(num_frames=256)``) and embedded up to the
    neck's last linear layer, ``u``; for every pair of videos of the same
    task, the model's ``align_loss`` solves the transport between the
    L2-normalised ``u`` (R-FPGWOT's plan for ``FPGWLoss``); the layer is
    then set to the canonical projection of :func:`plan_cca`
    (``k = out_features``), ``f(u) = W^T (u - m)``. Everything before the
    layer (backbone, context pooling, hidden layers) stays as it is.

    Why not gradient steps: on the transport distance they can lower the
    loss by moving every embedding towards one direction (the scale
    shortcut of docs/benchmarks.md), which the variance constraint of the
    closed form rules out.

    Validation, checkpointing and logging run through the usual hooks
    (``train/cca_first``, ``train/cca_last``: the largest and smallest kept
    eigenvalue). Under distributed training every rank fits on the same
    videos and rank 0's weights are broadcast.

    Args:
        runner: the mmengine runner.
        dataloader: the train dataloader (its dataset is read; its sampler
            is not used).
        ridge (float): ``rho`` of :func:`plan_cca`, relative to the mean
            variance. Defaults to 10.
        correspondence (str): ``'plan'`` (the model's transport plan) or
            ``'linear_time'`` (frame ``i`` of one video with frame ``i`` of
            the other: the no-transport control). Defaults to ``'plan'``.
        max_pairs_per_task (int, optional): sample at most this many pairs
            of each task (with numpy's seeded generator); None: all pairs.
        pair_batch (int): pairs per solver call. Defaults to 16.
        max_iters, val_begin, val_interval: fixed to 1 (accepted so that
            schedules can be inherited).
    """

    def __init__(self,
                 runner,
                 dataloader,
                 ridge: float = 10.0,
                 correspondence: str = 'plan',
                 max_pairs_per_task=None,
                 pair_batch: int = 16,
                 max_iters: int = 1,
                 val_begin: int = 1,
                 val_interval: int = 1,
                 dynamic_intervals=None) -> None:
        if correspondence not in CORRESPONDENCES:
            raise ValueError(f'correspondence must be one of '
                             f'{CORRESPONDENCES}, got {correspondence!r}')
        if ridge < 0:
            raise ValueError(f'ridge must be >= 0, got {ridge}')
        del max_iters, val_begin, val_interval, dynamic_intervals  # one fit
        super().__init__(runner, dataloader, max_iters=1, val_begin=1,
                         val_interval=1)
        self.ridge = float(ridge)
        self.correspondence = correspondence
        self.max_pairs_per_task = max_pairs_per_task
        self.pair_batch = pair_batch

    def run(self) -> nn.Module:
        """Fit (unless a resumed run already did), validate, save."""
        runner = self.runner
        runner.call_hook('before_train')
        runner.call_hook('before_train_epoch')
        if self._iter == 0:
            runner.call_hook('before_train_iter', batch_idx=0, data_batch=None)
            logs = self.fit()
            runner.call_hook('after_train_iter', batch_idx=0, data_batch=None,
                             outputs=logs)
            self._iter += 1
            if runner.val_loop is not None:
                runner.val_loop.run()
        runner.call_hook('after_train_epoch')
        runner.call_hook('after_train')
        return runner.model

    @torch.no_grad()
    def fit(self) -> Dict[str, float]:
        """Set the neck's last linear layer to the plan-CCA projection."""
        model = self.runner.model
        model = model.module if is_model_wrapper(model) else model
        layer = _last_linear(model.neck)
        if (self.correspondence == 'plan'
                and not model.align_loss.provides_plan):
            raise ValueError(
                f'{type(model.align_loss).__name__} gives no transport plan '
                'for PlanCCALoop to fit: use FPGWLoss (or KOTLoss, GWLoss), '
                "or correspondence='linear_time'")
        model.eval()
        feats, tasks = self._layer_inputs(model, layer)
        pairs = self._pairs(tasks)
        if not pairs:
            raise ValueError(
                'PlanCCALoop needs at least one task with two training '
                'videos: it fits on pairs of videos of the same task')
        frames = torch.cat(feats).double()
        if not torch.isfinite(frames).all():
            raise ValueError(
                'PlanCCALoop: the inputs of the neck\'s last linear layer '
                'contain NaN or inf (check the training features)')
        if layer.bias is None:
            raise ValueError(
                'PlanCCALoop fits f(u) = W^T (u - m): the neck\'s last '
                'nn.Linear needs a bias to hold -W^T m')
        mean = frames.mean(0)
        cov = (frames - mean).T @ (frames - mean) / len(frames)
        units = [F.normalize(f, dim=-1) for f in feats]  # what T* sees
        cross = torch.zeros_like(cov)
        for start in range(0, len(pairs), self.pair_batch):
            chunk = pairs[start:start + self.pair_batch]
            x = torch.stack([feats[i] for i, _ in chunk])
            y = torch.stack([feats[j] for _, j in chunk])
            plan = self._correspondence(
                model, torch.stack([units[i] for i, _ in chunk]),
                torch.stack([units[j] for _, j in chunk]))
            cross += plan_cross_covariance(plan.double(), x.double(),
                                           y.double(), mean)
        weight, values = plan_cca(cross / len(pairs), cov, layer.out_features,
                                  self.ridge)
        weight = weight.to(layer.weight)
        bias = -(mean.to(weight) @ weight)
        broadcast(weight, 0)  # every rank keeps rank 0's fit
        broadcast(bias, 0)
        layer.weight.copy_(weight.T)
        layer.bias.copy_(bias)
        print_log(
            f'PlanCCALoop: fitted {type(model.neck).__name__}\'s last linear '
            f'layer ({weight.shape[0]} -> {weight.shape[1]}) on {len(pairs)} '
            f'pairs of {len(feats)} videos x {len(feats[0])} frames '
            f'({self.correspondence}); eigenvalues {float(values[0]):.4f} '
            f'to {float(values[-1]):.4f}', logger='current')
        return dict(cca_first=float(values[0]), cca_last=float(values[-1]),
                    pairs=float(len(pairs)))

    def _layer_inputs(self, model: nn.Module,
                      layer: nn.Linear) -> Tuple[List[Tensor], List[str]]:
        """What ``layer`` sees, ``(T, D)`` per training video, and tasks."""
        dataset = self.dataloader.dataset
        seen: List[Tuple[Tensor, Tensor]] = []
        handle = layer.register_forward_hook(
            lambda module, args, out: seen.append((args[0], out)))
        feats, tasks = [], []
        try:
            for index in range(len(dataset)):
                data = model.data_preprocessor(
                    pseudo_collate([dataset[index]]), False)
                emb = model(**data, mode='tensor')
                inputs, out = seen.pop()
                if model.normalize:
                    out = F.normalize(out, dim=-1)
                if out.shape != emb.shape or not torch.allclose(out, emb):
                    raise ValueError(
                        f'PlanCCALoop fits the last nn.Linear of '
                        f'{type(model.neck).__name__}, whose output must be '
                        'the embedding: this neck changes it afterwards (a '
                        'residual neck?); use FrameEmbeddingNeck with '
                        'residual=False')
                feats.append(inputs[0].reshape(-1, inputs.shape[-1]))
                tasks.append(data['data_samples'][0].metainfo['task'])
        finally:
            handle.remove()
        lengths = sorted({len(f) for f in feats})
        if len(lengths) > 1:
            raise ValueError(
                f'PlanCCALoop needs the same number of frames from every '
                f'training video, got {lengths[0]} to {lengths[-1]}: set '
                'num_frames in the train pipeline')
        return feats, tasks

    def _pairs(self, tasks: List[str]) -> List[Tuple[int, int]]:
        """Every pair of same-task videos, or a seeded sample per task."""
        by_task = defaultdict(list)
        for index, task in enumerate(tasks):
            by_task[task].append(index)
        pairs = []
        for task in sorted(by_task):
            combos = list(itertools.combinations(by_task[task], 2))
            limit = self.max_pairs_per_task
            if limit is not None and len(combos) > limit:
                keep = np.random.choice(len(combos), limit, replace=False)
                combos = [combos[i] for i in sorted(keep)]
            pairs += combos
        return pairs

    def _correspondence(self, model: nn.Module, x: Tensor,
                        y: Tensor) -> Tensor:
        """``(P, N, M)`` frame correspondences of the pairs of unit-norm
        inputs ``x``, ``y``."""
        length = x.shape[1]
        if self.correspondence == 'linear_time':
            eye = torch.eye(length, dtype=x.dtype, device=x.device)
            return eye.expand(len(x), length, length)
        mask = torch.ones(x.shape[:2], dtype=torch.bool, device=x.device)
        result = model.align_loss.align(x, y, mask, mask)
        return result.plan  # real-to-real: sink mass is left out


def _last_linear(neck: nn.Module) -> nn.Linear:
    layers = [m for m in neck.modules() if isinstance(m, nn.Linear)]
    if not layers:
        raise ValueError(f'{type(neck).__name__} has no nn.Linear layer for '
                         'PlanCCALoop to fit')
    return layers[-1]
