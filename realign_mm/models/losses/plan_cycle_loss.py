"""Cycle consistency through the transport plan."""
from typing import Optional

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from torch import Tensor

from .baseline_losses import cycle_back_regression

__all__ = ['PlanCycleLoss']


@MODELS.register_module()
class PlanCycleLoss(nn.Module):
    """Each frame of X, carried to Y by the plan and back to X by softmax
    nearest neighbours, must land where it started (TCC's cycle-back
    regression, with the OT plan as the forward step).

    ``y~_i = sum_j T_ij y_j / sum_j T_ij`` (the barycentric projection of
    frame i on Y, detached plan), then
    :func:`~realign_mm.models.losses.baseline_losses.cycle_back_regression`
    of ``y~`` against X; each frame weighs its share of the matched mass
    (frames the plan sends to the sink weigh ~0); symmetric in X and Y,
    averaged over pairs. All embeddings equal leaves the cycle uniform over
    the video, a large loss: the term keeps the transport term from its
    collapsed minimum. It fills the aligner's ``contrastive_loss`` slot
    (it needs the plan).

    Args:
        temperature (float): softmax temperature back in X. Defaults to 0.1.
        variance_weight (float): ``lambda`` of the log-variance term.
            Defaults to 0.001.
        loss_weight (float): Defaults to 1.0.
    """

    def __init__(self, temperature: float = 0.1,
                 variance_weight: float = 0.001,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.temperature = temperature
        self.variance_weight = variance_weight
        self.loss_weight = loss_weight

    def _one_way(self, x: Tensor, y: Tensor, plan: Tensor,
                 mask_x: Tensor) -> Tensor:
        mass = plan.sum(2)  # (B, N)
        soft = torch.bmm(plan, y) / mass.clamp_min(
            torch.finfo(plan.dtype).tiny)[..., None]
        loss = cycle_back_regression(soft, x, mask_x, self.temperature,
                                     self.variance_weight)
        weight = mass * mask_x
        return (loss * weight).sum(1) / weight.sum(1).clamp_min(
            torch.finfo(plan.dtype).tiny)

    def forward(self, x: Tensor, y: Tensor, plan: Tensor, mask_x: Tensor,
                mask_y: Tensor, groups: Optional[Tensor] = None) -> Tensor:
        """Same arguments as
        :class:`~realign_mm.models.losses.InterSequenceContrastiveLoss`
        (``groups`` unused)."""
        plan = plan.detach()
        per_pair = 0.5 * (self._one_way(x, y, plan, mask_x) +
                          self._one_way(y, x, plan.transpose(1, 2), mask_y))
        return self.loss_weight * per_pair.mean()
