"""REALIGN: learn per-frame embeddings by aligning same-task video pairs."""
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.dist import all_reduce, get_world_size
from mmengine.model import BaseModel
from torch import Tensor

from ..data_preprocessors import frame_mask

__all__ = ['ProcedureAligner']


@MODELS.register_module()
class ProcedureAligner(BaseModel):
    """Procedure aligner (an mmengine ``BaseModel``).

    ``backbone`` (optional, any mmaction2 backbone) -> ``neck`` -> per-frame
    embeddings ``(B, T, d)``, L2-normalised when ``normalize`` is set.

    Modes:

    * ``'loss'``: the batch holds pairs ``(0, 1), (2, 3), ...`` of videos of
      the same task (see :class:`SameTaskPairSampler`); returns
      ``loss_fpgw`` and ``loss_contrast``.
    * ``'predict'``: stores ``pred_embedding`` ``(T_i, d)`` in each sample.
    * ``'tensor'``: returns the embeddings.

    Args:
        neck (dict): embedder config, e.g. ``FrameEmbeddingNeck``.
        backbone (dict, optional): frame backbone; None when the inputs
            are precomputed features.
        fpgw_loss (dict): alignment loss config. Defaults to ``FPGWLoss``;
            the baselines ``KOTLoss``, ``GWLoss`` and ``TCCLoss`` fit the
            same slot (logged as their ``loss_name``).
        contrastive_loss (dict, optional): ``InterSequenceContrastiveLoss``
            config; None disables the term.
        normalize (bool): L2-normalise embeddings. Defaults to True.
        data_preprocessor (dict): Defaults to ``SequenceDataPreprocessor``.
    """

    def __init__(self,
                 neck: dict,
                 backbone: Optional[dict] = None,
                 fpgw_loss: Optional[dict] = dict(type='FPGWLoss'),
                 contrastive_loss: Optional[dict] = dict(
                     type='InterSequenceContrastiveLoss'),
                 normalize: bool = True,
                 data_preprocessor: Optional[dict] = dict(
                     type='SequenceDataPreprocessor'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = None if backbone is None else MODELS.build(backbone)
        self.neck = MODELS.build(neck)
        self.fpgw_loss = None if fpgw_loss is None else MODELS.build(
            fpgw_loss)
        self.contrastive_loss = (None if contrastive_loss is None else
                                 MODELS.build(contrastive_loss))
        if (self.contrastive_loss is not None and self.fpgw_loss is not None
                and not getattr(self.fpgw_loss, 'provides_plan', True)):
            raise ValueError(
                f'{type(self.fpgw_loss).__name__} gives no transport plan, '
                'which the contrastive term needs: set contrastive_loss=None')
        self.normalize = normalize

    def extract_feat(self, inputs: Tensor,
                     data_samples: Optional[List] = None
                     ) -> Tuple[Tensor, Tensor]:
        """Per-frame embeddings ``(B, T, d)`` and the real-frame mask.

        ``inputs`` is ``(B, T, C)`` features, or ``(B, T, 3, H, W)`` frames
        for a 2D ``backbone`` (applied frame by frame, globally pooled).
        """
        batch, length = inputs.shape[:2]
        feats = inputs
        if self.backbone is not None:
            maps = self.backbone(inputs.flatten(0, 1))
            if isinstance(maps, (tuple, list)):
                maps = maps[-1]
            feats = maps.flatten(2).mean(2).view(batch, length, -1)
        emb = self.neck(feats)
        if self.normalize:
            emb = F.normalize(emb, dim=-1)
        mask = (frame_mask(data_samples, length, emb.device)
                if data_samples is not None else torch.ones(
                    batch, length, dtype=torch.bool, device=emb.device))
        return emb, mask

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor') -> Union[Dict[str, Tensor], list,
                                               Tensor]:
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_feat(inputs, data_samples)[0]
        raise RuntimeError(f'Invalid mode "{mode}". Only supports loss, '
                           'predict and tensor mode')

    @staticmethod
    def _check_pairs(data_samples: List) -> List[Tuple[str, str]]:
        if data_samples is None or len(data_samples) % 2:
            raise ValueError(
                'loss mode needs an even batch of same-task pairs; use '
                'SameTaskPairSampler with an even batch_size')
        pairs = []
        for x, y in zip(data_samples[0::2], data_samples[1::2]):
            if x.metainfo.get('task') != y.metainfo.get('task'):
                raise ValueError(
                    f'videos {x.metainfo.get("video_id")} and '
                    f'{y.metainfo.get("video_id")} of a pair belong to '
                    f'different tasks ({x.metainfo.get("task")} vs '
                    f'{y.metainfo.get("task")}): check the sampler and '
                    'that batch_size is even')
            pairs.append((x.metainfo.get('video_id'),
                          y.metainfo.get('video_id')))
        return pairs

    def loss(self, inputs: Tensor, data_samples: List) -> Dict[str, Tensor]:
        """Alignment (+ contrastive) losses over the pairs of the batch."""
        pairs = self._check_pairs(data_samples)
        emb, mask = self.extract_feat(inputs, data_samples)
        x, y = emb[0::2], emb[1::2]
        mask_x, mask_y = mask[0::2], mask[1::2]
        losses = {}
        loss_align, result = self.fpgw_loss(x, y, mask_x, mask_y)
        losses[getattr(self.fpgw_loss, 'loss_name', 'loss_fpgw')] = loss_align
        if self.contrastive_loss is not None:
            losses['loss_contrast'] = self.contrastive_loss(
                x, y, result.plan, mask_x, mask_y)
        for name, value in losses.items():
            if not torch.isfinite(value):
                bad = ~torch.isfinite(result.distance)
                culprits = [p for p, b in zip(pairs, bad.tolist()) if b]
                raise FloatingPointError(
                    f'{name} is {value.item()} on pairs '
                    f'{culprits or pairs}: training stopped before it could '
                    'write NaN weights')
        return losses

    def parse_losses(self, losses: Dict[str, Tensor]) -> Tuple[Tensor, Dict]:
        """mmengine's ``parse_losses``, with the *logged* values averaged
        over ranks, so a log reads the same for 1 or N processes (the loss
        that is back-propagated stays this rank's; DDP averages its
        gradients)."""
        loss, log_vars = super().parse_losses(losses)
        if get_world_size() == 1:
            return loss, log_vars
        values = torch.stack([v.detach().float() for v in log_vars.values()])
        all_reduce(values, op='mean')
        return loss, OrderedDict(zip(log_vars, values))

    def predict(self, inputs: Tensor, data_samples: List) -> List:
        """Attach ``pred_embedding`` ``(T_i, d)`` to every sample."""
        emb, mask = self.extract_feat(inputs, data_samples)
        for sample, e, m in zip(data_samples, emb, mask):
            sample.set_field(e[m].detach().cpu(), 'pred_embedding')
        return data_samples
