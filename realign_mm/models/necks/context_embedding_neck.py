"""CnC / OPEL context embedder for 2D backbones (method.md section 3)."""
import torch.nn as nn
from mmaction.registry import MODELS
from torch import Tensor

from .base_neck import FRAME_MAPS, BaseFrameNeck

__all__ = ['ContextEmbeddingNeck']


@MODELS.register_module()
class ContextEmbeddingNeck(BaseFrameNeck):
    """Per-frame embeddings from 2D feature maps of each frame and its
    context frames.

    ``(B, T, L, C, h, w)`` maps (``L`` = context + 1, e.g. ResNet-50 up to
    layer3: ``C = 1024``) -> two Conv3d(k=3)+BN+ReLU over ``(L, h, w)``
    -> global max-pool -> two FC+ReLU -> linear to ``out_channels``.

    Args:
        in_channels (int): C of the maps.
        out_channels (int): d. Defaults to 128.
        hidden_channels (int): conv / FC width. Defaults to 256.
    """
    input_kind = FRAME_MAPS

    def __init__(self,
                 in_channels: int,
                 out_channels: int = 128,
                 hidden_channels: int = 256,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        layers = []
        width = in_channels
        for _ in range(2):
            layers += [
                nn.Conv3d(width, hidden_channels, 3, padding=1),
                nn.BatchNorm3d(hidden_channels),
                nn.ReLU(inplace=True)
            ]
            width = hidden_channels
        self.convs = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.Linear(hidden_channels, hidden_channels), nn.ReLU(inplace=True),
            nn.Linear(hidden_channels, hidden_channels), nn.ReLU(inplace=True),
            nn.Linear(hidden_channels, out_channels))

    def forward(self, maps: Tensor) -> Tensor:
        if maps.dim() != 6:
            raise ValueError(
                f'ContextEmbeddingNeck takes (B, T, L, C, h, w) maps, got '
                f'{tuple(maps.shape)}: use it with a 2D backbone that keeps '
                'spatial maps')
        batch, length = maps.shape[:2]
        x = maps.flatten(0, 1).transpose(1, 2)  # (B*T, C, L, h, w)
        x = self.convs(x).amax(dim=(2, 3, 4))  # global max-pool
        return self.head(x).view(batch, length, -1)
