"""Pad variable-length videos (features, frames or clips) into one batch."""
from typing import Optional, Sequence

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseDataPreprocessor
from torch import Tensor

__all__ = ['SequenceDataPreprocessor']


@MODELS.register_module()
class SequenceDataPreprocessor(BaseDataPreprocessor):
    """Pad variable-length videos into one batch.

    Inputs per video, by number of dimensions:

    * ``(T, C)`` per-frame features -> ``(B, T_max, C)``, or ``(T, W, C)``
      with a context window of ``W`` frames -> ``(B, T_max, W, C)``;
    * ``(T, L, C, H, W)`` frames with ``L - 1`` context frames each, for 2D
      backbones -> ``(B, T_max, L, C, H, W)``;
    * ``(C, T, H, W)`` clips for 3D backbones -> ``(B, C, T_max, H, W)``.

    Shorter videos are zero-padded along time; each data sample's metainfo
    gets ``num_frames`` (its real length), from which the model builds its
    mask. Pixel inputs are normalised with ``mean`` / ``std`` (per channel):
    in training here, at test time chunk by chunk in the model
    (:meth:`normalize_pixels`), so a long video is held as uint8 only.

    Args:
        mean (Sequence[float], optional): pixel mean per channel.
        std (Sequence[float], optional): pixel std per channel.
    """

    def __init__(self,
                 mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None) -> None:
        super().__init__()
        if (mean is None) != (std is None):
            raise ValueError('mean and std must be given together')
        self.normalize = mean is not None
        if self.normalize:
            self.register_buffer('mean', torch.tensor(mean).float(), False)
            self.register_buffer('std', torch.tensor(std).float(), False)

    def normalize_pixels(self, batch: Tensor) -> Tensor:
        """Float inputs, pixels normalised with ``mean`` / ``std`` (on the
        channel axis of ``(B, C, T, H, W)`` or ``(B, T, L, C, H, W)``)."""
        batch = batch.float()
        if self.normalize and batch.dim() > 3:
            channel = 1 if batch.dim() == 5 else 3
            view = [1] * batch.dim()
            view[channel] = -1
            batch = (batch - self.mean.view(view)) / self.std.view(view)
        return batch

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        inputs = data['inputs']
        samples = data.get('data_samples')
        if isinstance(inputs, torch.Tensor):
            inputs = list(inputs)
        ndim = inputs[0].dim()
        if ndim not in (2, 3, 4, 5):
            raise ValueError(
                f'inputs of shape {tuple(inputs[0].shape)}: expected (T, C) '
                'or (T, W, C) features, (T, L, C, H, W) frames or '
                '(C, T, H, W) clips')
        time_axis = 1 if ndim == 4 else 0
        lengths = [int(x.shape[time_axis]) for x in inputs]
        shape = list(inputs[0].shape)
        shape[time_axis] = max(lengths)
        batch = inputs[0].new_zeros([len(inputs)] + shape)
        for i, x in enumerate(inputs):  # one copy per video
            index = (i, slice(None), slice(0, lengths[i])) if ndim == 4 \
                else (i, slice(0, lengths[i]))
            batch[index] = x
        if ndim in (2, 3):  # features
            batch = batch.float()
        elif training:
            batch = self.normalize_pixels(batch)
        # else: pixels stay uint8 until the model normalises each test chunk
        # (a 10 min video at 2 fps, 224 px, 1 context frame: 0.36 GB as
        # uint8, 1.4 GB as float32)
        if samples is not None:
            for sample, n in zip(samples, lengths):
                sample.set_metainfo(dict(num_frames=n))
        return dict(inputs=batch, data_samples=samples)


def frame_mask(data_samples, length: int,
               device: Optional[torch.device] = None) -> torch.Tensor:
    """``(B, length)`` bool mask of real frames from ``num_frames`` meta."""
    lengths = torch.tensor([s.metainfo.get('num_frames', length)
                            for s in data_samples], device=device)
    return torch.arange(length, device=device)[None] < lengths[:, None]
