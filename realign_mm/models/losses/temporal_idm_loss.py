"""Intra-video temporal regulariser (method.md section 2, ``lambda_s``)."""
import torch
import torch.nn as nn
from mmaction.registry import MODELS
from torch import Tensor

from realign_mm.ot import normalized_times, sqeuclidean_cost

__all__ = ['ContrastiveIDMLoss']


@MODELS.register_module()
class ContrastiveIDMLoss(nn.Module):
    """Contrastive inverse difference moment of each video's embeddings
    (C-IDM, as in LAV / OPEL / RGWOT): frames near in time are pulled
    together, frames far apart pushed beyond a margin, the more the farther.

    For a video with normalised times ``t_i`` and embeddings ``x_i``,
    ``D_ik = ||x_i - x_k||^2``, ``W_ik = 1 + (t_i - t_k)^2`` and
    ``N_ik = [|t_i - t_k| <= window]``:

    .. math::
        I(X) = \\frac{1}{n^2} \\sum_{i,k} (1 - N_{ik}) W_{ik}
        \\max(0, \\lambda - D_{ik}) + N_{ik} D_{ik}

    over the real frames, averaged over the videos of the batch. All
    embeddings equal gives ``I = lambda * mean(W (1 - N)) > 0``: the term
    keeps the alignment losses, which that collapse would zero, from
    reaching it.

    Args:
        margin (float): ``lambda``, in squared embedding distance (on
            L2-normalised embeddings 2.0 means orthogonal). Defaults to 2.0.
        window (float): neighbourhood in normalised time. Defaults to 0.05.
        loss_weight (float): ``lambda_s``. Defaults to 1.0.
    """
    loss_name = 'loss_idm'

    def __init__(self,
                 margin: float = 2.0,
                 window: float = 0.05,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if margin <= 0 or window < 0:
            raise ValueError(f'ContrastiveIDMLoss needs margin > 0 and '
                             f'window >= 0, got {margin} and {window}')
        self.margin = margin
        self.window = window
        self.loss_weight = loss_weight

    def forward(self, emb: Tensor, mask: Tensor) -> Tensor:
        """``emb (B, T, d)`` embeddings of B videos, ``mask (B, T)``."""
        dist = sqeuclidean_cost(emb, emb)  # (B, T, T)
        times = normalized_times(mask).to(emb.dtype)
        gap = (times[:, :, None] - times[:, None]).abs()
        near = gap <= self.window
        push = (1 + gap**2) * (self.margin - dist).clamp_min(0)
        idm = torch.where(near, dist, push)
        pairs = (mask[:, :, None] & mask[:, None]).to(emb.dtype)
        per_video = (idm * pairs).sum((1, 2)) / pairs.sum((1, 2)).clamp_min(1)
        return self.loss_weight * per_video.mean()
