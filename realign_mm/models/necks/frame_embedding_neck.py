"""Per-frame MLP embedder for precomputed features."""
import torch.nn as nn
from mmaction.registry import MODELS
from mmengine.model import BaseModule
from torch import Tensor

__all__ = ['FrameEmbeddingNeck']


@MODELS.register_module()
class FrameEmbeddingNeck(BaseModule):
    """Map per-frame features ``(B, T, C)`` to embeddings ``(B, T, d)``.

    An optional temporal convolution (kernel ``temporal_kernel``, same
    padding) mixes neighbouring frames, then ``num_layers`` hidden
    Linear+ReLU layers and a final linear map to ``out_channels``.

    Args:
        in_channels (int): C.
        out_channels (int): d. Defaults to 128.
        hidden_channels (int): width of the hidden layers. Defaults to 256.
        num_layers (int): hidden layers. Defaults to 2.
        temporal_kernel (int): odd kernel size; 1 disables. Defaults to 1.
        dropout (float): dropout before the last layer. Defaults to 0.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int = 128,
                 hidden_channels: int = 256,
                 num_layers: int = 2,
                 temporal_kernel: int = 1,
                 dropout: float = 0.0,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if temporal_kernel % 2 != 1:
            raise ValueError('temporal_kernel must be odd')
        self.temporal = None
        width = in_channels
        if temporal_kernel > 1:
            self.temporal = nn.Conv1d(
                in_channels,
                hidden_channels,
                temporal_kernel,
                padding=temporal_kernel // 2)
            width = hidden_channels
        layers = []
        for _ in range(num_layers):
            layers += [nn.Linear(width, hidden_channels), nn.ReLU(True)]
            width = hidden_channels
        layers += [nn.Dropout(dropout), nn.Linear(width, out_channels)]
        self.mlp = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        """``(B, T, C) -> (B, T, d)``."""
        if self.temporal is not None:
            x = self.temporal(x.transpose(1, 2)).transpose(1, 2).relu()
        return self.mlp(x)
