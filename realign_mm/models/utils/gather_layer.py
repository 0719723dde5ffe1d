"""All-gather that keeps the autograd graph across ranks."""
from typing import Tuple

import torch
import torch.distributed as dist
from mmengine.dist import get_rank, get_world_size
from torch import Tensor

__all__ = ['GatherLayer', 'gather_with_grad']


class GatherLayer(torch.autograd.Function):
    """Gather equal-shaped tensors from every rank, differentiably.

    mmaction2's ``GatherLayer`` pattern, with the backward pass summing the
    gradients every rank computed for this rank's slice (an all-reduce):
    rank ``r``'s loss also depends on rank ``k``'s features through the
    negatives, so ``d(sum_r loss_r) / d x_k`` needs all of them. With the
    gradient averaging of DDP this gives exactly the gradient of the loss
    averaged over ranks, i.e. of one process holding the whole batch.
    """

    @staticmethod
    def forward(ctx, x: Tensor) -> Tuple[Tensor, ...]:
        out = [torch.empty_like(x) for _ in range(dist.get_world_size())]
        dist.all_gather(out, x.contiguous())
        return tuple(out)

    @staticmethod
    def backward(ctx, *grads: Tensor) -> Tensor:
        stacked = torch.stack(grads)
        dist.all_reduce(stacked)
        return stacked[dist.get_rank()]


def gather_with_grad(x: Tensor) -> Tuple[Tensor, int]:
    """``(cat of x over ranks, offset of this rank's rows)``; ``(x, 0)`` when
    not distributed."""
    if get_world_size() == 1:
        return x, 0
    return torch.cat(GatherLayer.apply(x)), get_rank() * x.shape[0]
