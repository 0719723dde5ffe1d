"""Cache per-frame features of a video dataset for the feature source."""
import os
import os.path as osp
from typing import Optional

import numpy as np
import torch
from mmengine.utils import ProgressBar

__all__ = ['extract_features']


@torch.no_grad()
def extract_features(model, dataset, out_dir: str,
                     backbone_only: bool = False,
                     limit: Optional[int] = None) -> int:
    """Run the model (or its backbone alone, spatially pooled) over every
    video of ``dataset`` (a test pipeline: all frames at the evaluation
    rate) and write ``<out_dir>/<video_id>.npy`` arrays ``(T, C)``, which
    :class:`~realign_mm.datasets.transforms.LoadFrameFeatures` reads at the
    same rate.

    Returns:
        int: the number of videos written.
    """
    os.makedirs(out_dir, exist_ok=True)
    model.eval()
    count = len(dataset) if limit is None else min(limit, len(dataset))
    bar = ProgressBar(count)
    for index in range(count):
        item = dataset[index]
        batch = model.data_preprocessor(
            dict(inputs=[item['inputs']],
                 data_samples=[item['data_samples']]))
        inputs, samples = batch['inputs'], batch['data_samples']
        if backbone_only:
            feats = _pooled_backbone(model, inputs)
        else:
            feats, _ = model.extract_feat(inputs, samples)
        video = samples[0].video_id
        np.save(osp.join(out_dir, video + '.npy'),
                feats[0].float().cpu().numpy())
        bar.update()
    return count


def _pooled_backbone(model, inputs: torch.Tensor) -> torch.Tensor:
    """``(1, T, C)`` backbone features, pooled over space (and context)."""
    if model.backbone is None:
        raise ValueError('the model has no backbone to extract from')
    chunk = model.test_chunk or inputs.shape[1]
    if inputs.dim() == 6:  # (1, T, L, C, H, W) frames
        parts = []
        for start in range(0, inputs.shape[1], chunk):
            part = inputs[:, start:start + chunk]
            if not part.is_floating_point():  # uint8 pixels of a test video
                part = model.data_preprocessor.normalize_pixels(part)
            maps = model._last(model.backbone(part.flatten(0, 2)))
            parts.append(maps.view(*part.shape[:3], *maps.shape[1:]).mean(
                dim=(2, 4, 5)))
        return torch.cat(parts, 1)
    raise ValueError('backbone-only extraction covers 2D backbones; for 3D '
                     'backbones extract the neck output (the default)')
