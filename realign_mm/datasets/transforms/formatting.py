"""Pack a procedure sample into model inputs and an ActionDataSample."""
from typing import Sequence

import torch
from mmaction.registry import TRANSFORMS
from mmaction.structures import ActionDataSample
from mmcv.transforms import BaseTransform

__all__ = ['PackProcedureInputs']


@TRANSFORMS.register_module()
class PackProcedureInputs(BaseTransform):
    """Pack ``feats`` (or ``imgs``) as ``inputs`` and the labels and meta as
    an :class:`ActionDataSample`.

    The sample gets ``gt_frame_labels`` (``(n,)`` long tensor) and the meta
    keys listed (those present).

    Args:
        input_key (str): key of the network input. Defaults to ``'feats'``.
        meta_keys (Sequence[str]): keys copied into the metainfo.
    """

    def __init__(self,
                 input_key: str = 'feats',
                 meta_keys: Sequence[str] = ('video_id', 'task', 'task_id',
                                             'frame_inds', 'fps',
                                             'num_video_frames')) -> None:
        self.input_key = input_key
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        inputs = torch.as_tensor(results[self.input_key])
        sample = ActionDataSample()
        sample.set_field(
            torch.as_tensor(results['frame_labels'], dtype=torch.long),
            'gt_frame_labels')
        sample.set_metainfo(
            {k: results[k]
             for k in self.meta_keys if k in results})
        return dict(inputs=inputs, data_samples=sample)
