"""Per-frame MLP embedder for precomputed features."""
from typing import Optional

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

    With ``residual=True`` the neck refines its input,
    ``f(x) = x + MLP(x)`` (``d = C``), and the last layer starts at zero, so
    the untrained neck is the identity: training starts from the input
    features, never below them.

    Args:
        in_channels (int): C.
        out_channels (int): d. Defaults to 128.
        hidden_channels (int): width of the hidden layers. Defaults to 256.
        num_layers (int): hidden layers. Defaults to 2.
        temporal_kernel (int): odd kernel size; 1 disables. Defaults to 1.
        dropout (float): dropout before the last layer. Defaults to 0.
        residual (bool): ``x + MLP(x)``, identity at initialisation; needs
            ``out_channels`` None or equal to ``in_channels``. Defaults to
            False.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: Optional[int] = 128,
                 hidden_channels: int = 256,
                 num_layers: int = 2,
                 temporal_kernel: int = 1,
                 dropout: float = 0.0,
                 residual: bool = False,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels  # checked against the features
        if temporal_kernel % 2 != 1:
            raise ValueError('temporal_kernel must be odd')
        if residual and out_channels not in (None, in_channels):
            raise ValueError(
                f'a residual neck keeps the {in_channels} input channels: '
                f'got out_channels={out_channels}; set it to None')
        out_channels = out_channels or in_channels
        self.residual = residual
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
        if residual:  # identity at initialisation
            nn.init.zeros_(self.mlp[-1].weight)
            nn.init.zeros_(self.mlp[-1].bias)

    def init_weights(self) -> None:
        """mmengine's init, then the residual branch back to zero."""
        super().init_weights()
        if self.residual:
            nn.init.zeros_(self.mlp[-1].weight)
            nn.init.zeros_(self.mlp[-1].bias)

    def forward(self, x: Tensor) -> Tensor:
        """``(B, T, C) -> (B, T, d)``."""
        h = x
        if self.temporal is not None:
            h = self.temporal(h.transpose(1, 2)).transpose(1, 2).relu()
        return x + self.mlp(h) if self.residual else self.mlp(h)
