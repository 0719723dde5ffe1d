"""Inter-sequence contrastive loss guided by the transport plan."""
from typing import Optional

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.dist import all_gather, all_reduce, get_world_size
from torch import Tensor

from realign_mm.ot import normalized_times, sqeuclidean_cost
from ..utils import gather_with_grad

__all__ = ['InterSequenceContrastiveLoss']


def _pad_to(x: Tensor, length: int) -> Tensor:
    pad = length - x.shape[1]
    return x if pad == 0 else nn.functional.pad(x, (0, 0, 0, pad))


@MODELS.register_module()
class InterSequenceContrastiveLoss(nn.Module):
    """Cross-entropy between the plan's matches and embedding similarities
    (method.md section 2).

    For frame ``i`` of X the target over Y's frames is ``T_i. / sum_j T_ij``
    and the prediction ``softmax_j(-||x_i - y_j||^2 / temperature)``, taken
    over Y's frames and, with ``cross_batch_negatives``, every frame of the
    other videos of the batch. Each frame's cross-entropy is weighted by its
    share of the matched mass (frames sent to the sink weigh ~0); the loss
    is symmetric in X and Y and averaged over pairs.

    Args:
        temperature (float): softmax temperature. Defaults to 0.1.
        cross_batch_negatives (bool): other videos as negatives.
            Defaults to True.
        cross_rank_negatives (bool): under distributed training, the videos
            of every rank as negatives, through an autograd-aware all-gather
            (:class:`~realign_mm.models.utils.GatherLayer`): the loss then
            equals that of one process holding the whole batch. Defaults to
            False (this rank's batch only).
        same_task_negatives (bool): whether the other videos of the pair's
            own task count as negatives. They show the same steps, so their
            frames of the matched step are false negatives; False excludes
            them (they need the pairs' ``groups``). Defaults to True.
        target_smoothing (float, optional): spread each target over the
            partner's frames near in time, ``q_i = T_i. K / sum(T_i. K)`` with
            ``K_jl = exp(-|t_j - t_l| / s)`` on normalised times: frames next
            to the matched one are likely the same step and stop being
            negatives. None keeps the plan's rows. Defaults to None.
        loss_weight (float): ``lambda_c``. Defaults to 1.0.
    """

    def __init__(self,
                 temperature: float = 0.1,
                 cross_batch_negatives: bool = True,
                 cross_rank_negatives: bool = False,
                 same_task_negatives: bool = True,
                 target_smoothing: Optional[float] = None,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if cross_rank_negatives and not cross_batch_negatives:
            raise ValueError('cross_rank_negatives needs cross_batch_negatives')
        self.temperature = temperature
        self.cross_batch_negatives = cross_batch_negatives
        self.cross_rank_negatives = cross_rank_negatives
        self.same_task_negatives = same_task_negatives
        if target_smoothing is not None and target_smoothing <= 0:
            raise ValueError(f'target_smoothing must be > 0, got '
                             f'{target_smoothing}')
        self.target_smoothing = target_smoothing
        self.loss_weight = loss_weight

    def forward(self, x: Tensor, y: Tensor, plan: Tensor, mask_x: Tensor,
                mask_y: Tensor, groups: Optional[Tensor] = None) -> Tensor:
        """Args: ``x (B, N, d)``, ``y (B, M, d)``, ``plan (B, N, M)``
        (detached), masks ``(B, N)`` / ``(B, M)``, ``groups (B,)`` the task
        of each pair (needed when ``same_task_negatives`` is False)."""
        if not self.same_task_negatives and groups is None:
            raise ValueError('same_task_negatives=False needs the task of '
                             'each pair (groups)')
        batch, n, m = plan.shape
        length = max(n, m)
        if self.cross_rank_negatives:  # one padded length on every rank
            length = _max_over_ranks(length, plan.device)
        videos = torch.cat([_pad_to(x, length), _pad_to(y, length)])
        masks = torch.cat([
            nn.functional.pad(mask_x, (0, length - n)),
            nn.functional.pad(mask_y, (0, length - m))
        ])  # (2B, L)
        plan = plan.detach()
        targets = torch.zeros(2 * batch, length, length, dtype=plan.dtype,
                              device=plan.device)
        targets[:batch, :n, :m] = plan
        targets[batch:, :m, :n] = plan.transpose(1, 2)
        row_mass = targets.sum(2)  # (2B, L)
        weights = row_mass / row_mass.sum(1, keepdim=True).clamp_min(1e-12)
        if self.target_smoothing is not None:  # over the partner's frames
            partner_masks = torch.cat([masks[batch:], masks[:batch]])
            times = normalized_times(partner_masks).to(targets.dtype)
            kernel = torch.exp(-(times[:, :, None] - times[:, None]).abs() /
                               self.target_smoothing)
            kernel = kernel * partner_masks[:, None].to(targets.dtype)
            targets = targets @ kernel
            row_mass = targets.sum(2)
        targets = targets / row_mass.clamp_min(1e-12)[..., None]

        num = 2 * batch
        # candidates: this rank's videos, or every rank's (rows offset)
        candidates, offset = videos, 0
        candidate_masks = masks
        video_groups = candidate_groups = (None if groups is None else
                                           torch.cat([groups, groups]))
        if self.cross_rank_negatives:
            candidates, offset = gather_with_grad(videos)
            # gloo gathers no bool tensors
            candidate_masks = torch.cat(all_gather(masks.byte())).bool()
            if video_groups is not None:
                candidate_groups = torch.cat(all_gather(video_groups))
        total = candidates.shape[0]
        own = torch.arange(num, device=plan.device)
        partner = torch.cat([own[batch:], own[:batch]]) + offset
        flat = candidates.reshape(total * length, -1)
        logits = -sqeuclidean_cost(videos, flat[None].expand(num, -1, -1)
                                   ) / self.temperature  # (2B, L, C*L)
        logits = logits.view(num, length, total, length)
        allowed = candidate_masks[None, None].expand(num, 1, total,
                                                     length).clone()
        allowed[own, :, own + offset] = False  # never the video itself
        if not self.same_task_negatives:  # only the partner of its task
            same = video_groups[:, None] == candidate_groups[None]
            same[own, partner] = False
            allowed &= ~same[:, None, :, None]
        if not self.cross_batch_negatives:
            only = torch.zeros_like(allowed)
            only[own, :, partner] = allowed[own, :, partner]
            allowed = only
        logits = logits.masked_fill(~allowed, torch.finfo(logits.dtype).min)
        log_prob = logits.view(num, length, -1).log_softmax(-1).view(
            num, length, total, length)
        log_prob = log_prob[own, :, partner]  # (2B, L, L) on the partner
        ce = -(targets * log_prob).sum(-1)  # (2B, L)
        loss = (weights * ce * masks).sum(1).mean()
        return self.loss_weight * loss


def _max_over_ranks(value: int, device: torch.device) -> int:
    if get_world_size() == 1:
        return value
    t = torch.tensor([value], device=device)
    all_reduce(t, op='max')
    return int(t.item())
