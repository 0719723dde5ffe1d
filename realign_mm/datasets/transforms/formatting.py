"""Pack a procedure sample into model inputs and an ActionDataSample."""
from typing import Sequence

import numpy as np
import torch
from mmaction.registry import TRANSFORMS
from mmaction.structures import ActionDataSample
from mmcv.transforms import BaseTransform

__all__ = ['PackProcedureInputs']


@TRANSFORMS.register_module()
class PackProcedureInputs(BaseTransform):
    """Pack ``feats`` (or decoded ``imgs``) as ``inputs`` and the labels and
    meta as an :class:`ActionDataSample`.

    The sample gets ``gt_frame_labels`` (``(n,)`` long tensor) and the meta
    keys listed (those present).

    Args:
        input_key (str): key of the network input: ``'feats'`` (default,
            ``(T, C)``) or ``'imgs'`` (decoded frames).
        layout (str): for ``imgs``: ``'frames'`` -> ``(N, L, C, H, W)`` for
            2D backbones (``L`` context frames + 1), ``'clip'`` ->
            ``(C, N, H, W)`` for 3D backbones.
        meta_keys (Sequence[str]): keys copied into the metainfo.
    """

    def __init__(self,
                 input_key: str = 'feats',
                 layout: str = 'frames',
                 meta_keys: Sequence[str] = ('video_id', 'task', 'task_id',
                                             'frame_inds', 'frame_times',
                                             'fps', 'num_video_frames',
                                             'feature_path', 'has_errors')
                 ) -> None:
        if layout not in ('frames', 'clip'):
            raise ValueError(f"layout must be 'frames' or 'clip', got "
                             f'{layout!r}')
        self.input_key = input_key
        self.layout = layout
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        if self.input_key == 'imgs':
            inputs = self._pack_images(results)
        else:
            inputs = torch.as_tensor(results[self.input_key])
        sample = ActionDataSample()
        sample.set_field(
            torch.as_tensor(results['frame_labels'], dtype=torch.long),
            'gt_frame_labels')
        sample.set_metainfo(
            {k: results[k]
             for k in self.meta_keys if k in results})
        return dict(inputs=inputs, data_samples=sample)

    def _pack_images(self, results: dict) -> torch.Tensor:
        """``imgs`` (``N * L`` arrays ``(H, W, C)``) as ``(N, L, C, H, W)``
        uint8 (``'frames'``, 2D backbones, ``L`` = context + 1) or
        ``(C, N * L, H, W)`` (``'clip'``, 3D backbones)."""
        imgs = torch.from_numpy(np.ascontiguousarray(np.stack(
            results['imgs'])))  # (N * L, H, W, C)
        clip_len = int(results.get('clip_len', 1))
        if self.layout == 'clip':
            return imgs.permute(3, 0, 1, 2).contiguous()
        frames = imgs.view(-1, clip_len, *imgs.shape[1:])
        return frames.permute(0, 1, 4, 2, 3).contiguous()
