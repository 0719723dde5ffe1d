"""Pad variable-length per-frame feature sequences into one batch."""
from typing import Optional

import torch
from mmaction.registry import MODELS
from mmengine.model import BaseDataPreprocessor

__all__ = ['SequenceDataPreprocessor']


@MODELS.register_module()
class SequenceDataPreprocessor(BaseDataPreprocessor):
    """Stack ``(T_i, C)`` feature sequences into ``(B, T_max, C)``.

    Shorter sequences are zero-padded; each data sample's metainfo gets
    ``num_frames`` (its real length), from which the model builds its mask.
    """

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        inputs = data['inputs']
        samples = data.get('data_samples')
        if isinstance(inputs, torch.Tensor):
            inputs = list(inputs)
        lengths = [int(x.shape[0]) for x in inputs]
        batch = inputs[0].new_zeros((len(inputs), max(lengths)) +
                                    tuple(inputs[0].shape[1:]))
        for i, x in enumerate(inputs):  # one copy per video
            batch[i, :lengths[i]] = x
        if samples is not None:
            for sample, n in zip(samples, lengths):
                sample.set_metainfo(dict(num_frames=n))
        return dict(inputs=batch.float(), data_samples=samples)


def frame_mask(data_samples, length: int,
               device: Optional[torch.device] = None) -> torch.Tensor:
    """``(B, length)`` bool mask of real frames from ``num_frames`` meta."""
    lengths = torch.tensor([s.metainfo.get('num_frames', length)
                            for s in data_samples], device=device)
    return torch.arange(length, device=device)[None] < lengths[:, None]
