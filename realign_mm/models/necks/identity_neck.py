"""Embeddings equal to the input features (the untrained baseline)."""
from mmaction.registry import MODELS
from torch import Tensor

from .base_neck import BaseFrameNeck

__all__ = ['IdentityNeck']


@MODELS.register_module()
class IdentityNeck(BaseFrameNeck):
    """Pass ``(B, T, C)`` features through unchanged: evaluating it gives the
    untrained-features baseline under the same discovery and metric.
    Features with a context window ``(B, T, W, C)`` give their middle frame,
    the sampled one."""

    def forward(self, x: Tensor) -> Tensor:
        return x[:, :, x.shape[2] // 2] if x.dim() == 4 else x
