"""The contract every alignment loss of the aligner's ``align_loss`` slot
meets (after mmaction2's ``BaseWeightedLoss``)."""
from abc import ABCMeta, abstractmethod
from typing import NamedTuple, Optional, Tuple

import torch.nn as nn
from torch import Tensor

__all__ = ['AlignmentResult', 'BaseAlignmentLoss']


class AlignmentResult(NamedTuple):
    """What an alignment loss returns besides its weighted value.

    Attributes:
        plan (Tensor, optional): ``(B, N, M)`` transport plan between the
            real frames; None for a loss without one (``provides_plan``
            False).
        distance (Tensor): ``(B,)`` per-pair value before ``loss_weight``
            (differentiable).
    """
    plan: Optional[Tensor]
    distance: Tensor


class BaseAlignmentLoss(nn.Module, metaclass=ABCMeta):
    """Base class of the losses that align a batch of video pairs.

    A subclass implements :meth:`align` and declares:

    * ``loss_name``: the key it is logged under (``loss_*``);
    * ``provides_plan``: whether :meth:`align` returns a transport plan,
      which the inter-sequence contrastive term needs.

    :meth:`forward` returns ``loss_weight * mean(distance)`` and the result.

    Args:
        loss_weight (float): Defaults to 1.0.
    """
    loss_name: str = 'loss_align'
    provides_plan: bool = True

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    @abstractmethod
    def align(self, x: Tensor, y: Tensor, mask_x: Tensor,
              mask_y: Tensor) -> AlignmentResult:
        """Align ``x (B, N, d)`` with ``y (B, M, d)`` (real frames marked by
        ``mask_x (B, N)``, ``mask_y (B, M)``): an :class:`AlignmentResult`,
        or a richer result with the same two fields (``FPGWLoss`` returns
        the solver's :class:`~realign_mm.ot.FPGWResult`)."""

    def forward(self, x: Tensor, y: Tensor, mask_x: Tensor,
                mask_y: Tensor) -> Tuple[Tensor, AlignmentResult]:
        result = self.align(x, y, mask_x, mask_y)
        return self.loss_weight * result.distance.mean(), result
