"""Uniformity of the batch's frame embeddings (an anti-collapse term)."""
import math

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from torch import Tensor

from realign_mm.ot import sqeuclidean_cost

__all__ = ['UniformityLoss']


@MODELS.register_module()
class UniformityLoss(nn.Module):
    """Uniformity of L2-normalised embeddings on the sphere (Wang & Isola,
    ICML 2020) over every real frame of the batch:

    .. math::
        \\mathcal{L}_u = \\log \\frac{1}{|P|} \\sum_{(i, k) \\in P}
        e^{-t \\|z_i - z_k\\|^2}

    with ``P`` the pairs of distinct real frames (of any videos). Wang and
    Isola split a contrastive loss into *alignment* of positives and
    uniformity; in REALIGN the transport term aligns the frames the plan
    matches, and this term keeps them from collapsing to one point (its
    minimum spreads the frames evenly; all frames equal gives 0, its
    maximum).

    Args:
        t (float): the kernel's sharpness. Defaults to 2.0.
        loss_weight (float): Defaults to 1.0.
    """
    loss_name = 'loss_uniform'

    def __init__(self, t: float = 2.0, loss_weight: float = 1.0) -> None:
        super().__init__()
        if not t > 0:
            raise ValueError(f'UniformityLoss needs t > 0, got {t}')
        self.t = t
        self.loss_weight = loss_weight

    def forward(self, emb: Tensor, mask: Tensor) -> Tensor:
        """``emb (B, T, d)`` embeddings of B videos, ``mask (B, T)``."""
        frames = emb[mask]  # (F, d), the real frames
        num = len(frames)
        if num < 2:
            return emb.sum() * 0
        dist = sqeuclidean_cost(frames[None], frames[None])[0]
        off = ~torch.eye(num, dtype=torch.bool, device=emb.device)
        log_mean = torch.logsumexp(-self.t * dist[off], 0) - math.log(
            num * (num - 1))
        return self.loss_weight * log_mean
