"""Per-frame embeddings from 3D backbone features (time kept or shrunk)."""
import torch.nn as nn
import torch.nn.functional as F
from mmaction.registry import MODELS
from torch import Tensor

from .base_neck import CLIP_MAPS, BaseFrameNeck

__all__ = ['TemporalNeck']


@MODELS.register_module()
class TemporalNeck(BaseFrameNeck):
    """``(B, C, T', h, w)`` 3D backbone maps -> ``(B, T, d)``, one embedding
    per input frame.

    Spatial average pooling, then linear interpolation along time from the
    backbone's ``T'`` back to the ``T`` input frames (I3D: ``T' = T / 8``,
    Swin3D / VideoMAE: ``T / 2``; SlowOnly, X3D keep ``T``), a temporal
    convolution and an MLP to ``out_channels``. A backbone that returns one
    vector per clip cannot give per-frame embeddings and is refused.

    Args:
        in_channels (int): C.
        out_channels (int): d. Defaults to 128.
        hidden_channels (int): Defaults to 256.
        temporal_kernel (int): odd kernel of the temporal convolution.
            Defaults to 3.
    """
    input_kind = CLIP_MAPS  # forward(maps, num_frames)

    def __init__(self,
                 in_channels: int,
                 out_channels: int = 128,
                 hidden_channels: int = 256,
                 temporal_kernel: int = 3,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.temporal = nn.Conv1d(in_channels, hidden_channels,
                                  temporal_kernel,
                                  padding=temporal_kernel // 2)
        self.head = nn.Sequential(
            nn.ReLU(inplace=True), nn.Linear(hidden_channels,
                                             hidden_channels),
            nn.ReLU(inplace=True), nn.Linear(hidden_channels, out_channels))

    def forward(self, maps: Tensor, num_frames: int) -> Tensor:
        if maps.dim() != 5:
            raise ValueError(
                f'the backbone returned {tuple(maps.shape)}, one vector per '
                'clip: it cannot give per-frame embeddings. Use a backbone '
                'that keeps a time axis, (B, C, T, h, w)')
        x = maps.mean(dim=(3, 4))  # (B, C, T')
        if x.shape[2] != num_frames:
            x = F.interpolate(x, size=num_frames, mode='linear',
                              align_corners=False)
        x = self.temporal(x).transpose(1, 2)  # (B, T, hidden)
        return self.head(x)
