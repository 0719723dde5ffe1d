"""Embeddings equal to the input features (the untrained baseline)."""
import torch.nn as nn
from mmaction.registry import MODELS
from torch import Tensor

__all__ = ['IdentityNeck']


@MODELS.register_module()
class IdentityNeck(nn.Module):
    """Pass ``(B, T, C)`` features through unchanged: evaluating it gives the
    untrained-features baseline under the same discovery and metric."""

    def forward(self, x: Tensor) -> Tensor:
        return x
