"""Per-frame MLP embedder for precomputed features."""
from typing import Optional

import torch
import torch.nn as nn
from mmaction.registry import MODELS
from torch import Tensor

from .base_neck import BaseFrameNeck

__all__ = ['FrameEmbeddingNeck']


@MODELS.register_module()
class FrameEmbeddingNeck(BaseFrameNeck):
    """Map per-frame features ``(B, T, C)`` to embeddings ``(B, T, d)``.

    An optional temporal convolution (kernel ``temporal_kernel``, same
    padding) mixes neighbouring frames, then ``num_layers`` hidden
    Linear+ReLU layers and a final linear map to ``out_channels``.

    Features with a context window ``(B, T, W, C)`` (``LoadFrameFeatures(
    context=c)``, ``W = 2 c + 1``) are first pooled over the window with
    learnt weights, ``x_t = sum_w softmax(a)_w x_{t, w}``, which start
    uniform (the window mean).

    With ``residual=True`` the neck refines its (pooled) input,
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
        context_window (int): ``W`` of windowed inputs; 1 takes ``(B, T,
            C)`` only. Defaults to 1.
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: Optional[int] = 128,
                 hidden_channels: int = 256,
                 num_layers: int = 2,
                 temporal_kernel: int = 1,
                 dropout: float = 0.0,
                 residual: bool = False,
                 context_window: int = 1,
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
        self.context_window = context_window
        self.context_logits = None
        if context_window > 1:  # uniform at start: the window mean
            self.context_logits = nn.Parameter(torch.zeros(context_window))
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
        self._zero_residual()

    def _zero_residual(self) -> None:
        """A residual neck starts as the identity: its last layer is 0."""
        if self.residual:
            nn.init.zeros_(self.mlp[-1].weight)
            nn.init.zeros_(self.mlp[-1].bias)

    def init_weights(self) -> None:
        """mmengine's init, then the residual branch back to zero."""
        super().init_weights()
        self._zero_residual()

    def forward(self, x: Tensor) -> Tensor:
        """``(B, T, C)`` or ``(B, T, W, C)`` -> ``(B, T, d)``."""
        if x.dim() == 4:
            if x.shape[2] != self.context_window:
                raise ValueError(
                    f'features with a context window of {x.shape[2]} frames '
                    f'given to a neck with context_window='
                    f'{self.context_window}')
            weights = self.context_logits.softmax(0)
            x = torch.einsum('btwc,w->btc', x, weights)
        elif self.context_window > 1:
            raise ValueError(
                f'context_window={self.context_window} needs (B, T, W, C) '
                'features: set LoadFrameFeatures(context=...)')
        h = x
        if self.temporal is not None:
            h = self.temporal(h.transpose(1, 2)).transpose(1, 2).relu()
        return x + self.mlp(h) if self.residual else self.mlp(h)
