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

    ``backbone`` (optional, any mmaction2 backbone: 2D applied frame by
    frame, 3D on the clip) -> ``neck`` -> per-frame embeddings
    ``(B, T, d)``, L2-normalised when ``normalize`` is set.

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
        test_chunk (int, optional): frames per backbone call outside
            training (memory bound for long videos); None: whole videos.
            Defaults to 64.
        frame_group (int): 2D backbones that mix frames in fixed groups
            (TSM: ``num_segments``) get the frame axis padded to a multiple
            of it (``L * T`` consecutive images per video). Defaults to 1.
        cls_head, train_cfg, test_cfg: accepted so that configs can inherit
            mmaction2's model-zoo ``_base_`` models; ``cls_head`` must be
            None.
        data_preprocessor (dict): Defaults to ``SequenceDataPreprocessor``.
    """

    def __init__(self,
                 neck: dict,
                 backbone: Optional[dict] = None,
                 fpgw_loss: Optional[dict] = dict(type='FPGWLoss'),
                 contrastive_loss: Optional[dict] = dict(
                     type='InterSequenceContrastiveLoss'),
                 normalize: bool = True,
                 test_chunk: Optional[int] = 64,
                 frame_group: int = 1,
                 cls_head: Optional[dict] = None,
                 train_cfg: Optional[dict] = None,
                 test_cfg: Optional[dict] = None,
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
        self.test_chunk = test_chunk
        self.frame_group = frame_group
        if cls_head is not None:
            raise ValueError(
                'ProcedureAligner has no classification head: set '
                'cls_head=None when inheriting an mmaction2 model-zoo base')
        del train_cfg, test_cfg  # kept for model-zoo bases, unused

    def extract_feat(self, inputs: Tensor,
                     data_samples: Optional[List] = None
                     ) -> Tuple[Tensor, Tensor]:
        """Per-frame embeddings ``(B, T, d)`` and the real-frame mask.

        ``inputs`` is ``(B, T, C)`` features (``(B, T, W, C)`` with a
        context window), ``(B, T, L, C, H, W)`` frames
        (each with ``L - 1`` context frames) for a 2D ``backbone``, or
        ``(B, C, T, H, W)`` clips for a 3D one. Outside training, videos go
        through the backbone ``test_chunk`` frames at a time, which bounds
        memory on long videos (3D backbones see each chunk as a clip).
        """
        if inputs.dim() in (3, 4):  # features, with a context window or not
            self._check_channels(inputs.shape[-1], data_samples)
        clip = inputs.dim() == 5
        length = inputs.shape[2] if clip else inputs.shape[1]
        chunk = length  # features are cheap: whole videos
        if not self.training and self.backbone is not None:
            chunk = self.test_chunk or length
        parts = []
        for start in range(0, length, chunk):  # one chunk unless testing
            stop = min(start + chunk, length)
            # a 3D backbone gets full-length windows: the last one reaches
            # back into the previous chunk and keeps only its new frames
            first = max(0, stop - chunk) if clip else start
            part = inputs[:, :, first:stop] if clip else inputs[:, start:stop]
            parts.append(self._embed(part)[:, start - first:])
        emb = torch.cat(parts, 1)
        if self.normalize:
            emb = F.normalize(emb, dim=-1)
        mask = (frame_mask(data_samples, length, emb.device)
                if data_samples is not None else torch.ones(
                    inputs.shape[0], length, dtype=torch.bool,
                    device=emb.device))
        return emb, mask

    def _check_channels(self, channels: int,
                        data_samples: Optional[List]) -> None:
        """Features must have the neck's ``in_channels``."""
        expected = getattr(self.neck, 'in_channels', None)
        if expected is None or expected == channels:
            return
        files = sorted({s.metainfo.get('feature_path') or
                        s.metainfo.get('video_id', '?')
                        for s in data_samples or []})
        raise ValueError(
            f'the features have {channels} channels but '
            f'{type(self.neck).__name__} expects in_channels={expected} '
            f'(files: {files[:3]}{" ..." if len(files) > 3 else ""}): set '
            f'model.neck.in_channels={channels} or use other features')

    def _embed(self, inputs: Tensor) -> Tensor:
        if not inputs.is_floating_point():  # raw pixels of a test chunk
            normalize = getattr(self.data_preprocessor, 'normalize_pixels',
                                None)
            inputs = inputs.float() if normalize is None else normalize(
                inputs)
        if inputs.dim() in (3, 4):  # (B, T, C) or (B, T, W, C) features
            if self.backbone is not None:
                raise ValueError('features (B, T, C) given to a model with '
                                 'a backbone: feed frames or clips')
            return self.neck(inputs)
        if self.backbone is None:
            raise ValueError(f'inputs {tuple(inputs.shape)} need a backbone')
        if inputs.dim() == 6:  # (B, T, L, C, H, W) frames for 2D backbones
            batch, length, context = inputs.shape[:3]
            pad = -length % self.frame_group  # e.g. TSM shifts in groups
            if pad:
                inputs = torch.cat([inputs, inputs[:, -1:].expand(
                    -1, pad, *inputs.shape[2:])], 1)
            maps = self._last(self.backbone(inputs.flatten(0, 2)))
            if maps.dim() != 4:
                raise ValueError(
                    f'the 2D backbone returned {tuple(maps.shape)} per image;'
                    ' expected (N, C, h, w) maps')
            maps = maps.view(batch, length + pad, context,
                             *maps.shape[1:])[:, :length]
            if getattr(self.neck, 'accepts_maps', False):
                return self.neck(maps)
            return self.neck(maps.mean(dim=(2, 4, 5)))  # (B, T, C)
        if inputs.dim() == 5:  # (B, C, T, H, W) clips for 3D backbones
            maps = self._last(self.backbone(inputs))
            if not getattr(self.neck, 'needs_num_frames', False):
                raise ValueError(
                    f'{type(self.neck).__name__} cannot restore one '
                    'embedding per frame from a 3D backbone: use '
                    'TemporalNeck')
            return self.neck(maps, inputs.shape[2])
        raise ValueError(f'unsupported inputs of shape {tuple(inputs.shape)}')

    @staticmethod
    def _last(out):
        return out[-1] if isinstance(out, (tuple, list)) else out

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
            groups = torch.tensor(
                [s.metainfo.get('task_id', -1) for s in data_samples[0::2]],
                device=x.device)
            losses['loss_contrast'] = self.contrastive_loss(
                x, y, result.plan, mask_x, mask_y, groups)
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
