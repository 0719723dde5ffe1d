"""REALIGN: learn per-frame embeddings by aligning same-task video pairs."""
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn.functional as F
from mmaction.registry import MODELS
from mmengine.dist import all_reduce, get_world_size
from mmengine.model import BaseModel
from torch import Tensor

from ..data_preprocessors import SequenceDataPreprocessor, frame_mask
from ..losses import BaseAlignmentLoss
from ..necks import CLIP_MAPS, FRAME_MAPS, VECTORS, BaseFrameNeck

__all__ = ['ProcedureAligner', 'FEATURES', 'FRAMES', 'CLIPS']

#: the aligner's inputs, one kind per model (see ``input_kind``):
#: precomputed features ``(B, T, C)`` or ``(B, T, W, C)`` with a window
FEATURES = 'features'
#: frames for a 2D backbone, ``(B, T, L, C, H, W)`` (``L - 1`` context)
FRAMES = 'frames'
#: clips for a 3D backbone, ``(B, C, T, H, W)``
CLIPS = 'clips'
_RANKS = {FEATURES: (3, 4), FRAMES: (6, ), CLIPS: (5, )}


@MODELS.register_module()
class ProcedureAligner(BaseModel):
    """Procedure aligner (an mmengine ``BaseModel``).

    ``backbone`` (optional, any mmaction2 backbone: 2D applied frame by
    frame, 3D on the clip) -> ``neck`` -> per-frame embeddings
    ``(B, T, d)``, L2-normalised when ``normalize`` is set.

    The inputs it takes, ``input_kind``, follow from its parts, never from
    a tensor's shape: no backbone takes :data:`FEATURES`; a backbone with a
    neck that consumes vectors or frame maps takes :data:`FRAMES` (2D
    backbone); one with a neck that consumes clip maps takes :data:`CLIPS`
    (3D backbone). Inputs of another rank are refused with the kind.

    Modes:

    * ``'loss'``: the batch holds pairs ``(0, 1), (2, 3), ...`` of videos of
      the same task (see :class:`SameTaskPairSampler`); returns the
      alignment loss under its ``loss_name`` (``loss_fpgw`` for REALIGN),
      ``loss_contrast`` and the embedding regulariser's, when configured.
    * ``'predict'``: stores ``pred_embedding`` ``(T_i, d)`` in each sample.
    * ``'tensor'``: returns the embeddings.

    Args:
        neck (dict): embedder config, e.g. ``FrameEmbeddingNeck``.
        backbone (dict, optional): frame backbone; None when the inputs
            are precomputed features.
        align_loss (dict): the alignment loss, a
            :class:`~realign_mm.models.losses.BaseAlignmentLoss`: REALIGN's
            ``FPGWLoss`` (the default) or a baseline, ``KOTLoss``,
            ``GWLoss``, ``TCCLoss`` (logged as its ``loss_name``).
        contrastive_loss (dict, optional): ``InterSequenceContrastiveLoss``
            config; None disables the term.
        embedding_loss (dict, optional): a regulariser of the batch's
            embeddings ``loss(emb (B, T, d), mask (B, T))``:
            ``ContrastiveIDMLoss`` (each video's own, method.md's
            ``lambda_s``) or ``UniformityLoss`` (all frames of the batch).
            Defaults to None.
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
                 align_loss: dict = dict(type='FPGWLoss'),
                 contrastive_loss: Optional[dict] = dict(
                     type='InterSequenceContrastiveLoss'),
                 embedding_loss: Optional[dict] = None,
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
        self.input_kind = self._input_kind()
        if align_loss is None:
            raise ValueError('ProcedureAligner needs an align_loss (e.g. '
                             "dict(type='FPGWLoss'))")
        self.align_loss = MODELS.build(align_loss)
        if not isinstance(self.align_loss, BaseAlignmentLoss):
            raise TypeError(f'align_loss must be a BaseAlignmentLoss, got '
                            f'{type(self.align_loss).__name__}')
        self.contrastive_loss = (None if contrastive_loss is None else
                                 MODELS.build(contrastive_loss))
        self.embedding_loss = (None if embedding_loss is None else
                               MODELS.build(embedding_loss))
        if (self.contrastive_loss is not None
                and not self.align_loss.provides_plan):
            raise ValueError(
                f'{type(self.align_loss).__name__} gives no transport plan, '
                'which the contrastive term needs: set contrastive_loss=None')
        self.normalize = normalize
        self.test_chunk = test_chunk
        self.frame_group = frame_group
        if cls_head is not None:
            raise ValueError(
                'ProcedureAligner has no classification head: set '
                'cls_head=None when inheriting an mmaction2 model-zoo base')
        del train_cfg, test_cfg  # kept for model-zoo bases, unused
        if self.input_kind != FEATURES and not isinstance(
                self.data_preprocessor, SequenceDataPreprocessor):
            raise TypeError(
                'a model with a backbone needs SequenceDataPreprocessor '
                '(it normalises the uint8 frames of long test videos chunk '
                f'by chunk), got {type(self.data_preprocessor).__name__}')

    def _input_kind(self) -> str:
        """The inputs this model takes, from its backbone and what its neck
        declares it consumes."""
        neck = type(self.neck).__name__
        if not isinstance(self.neck, BaseFrameNeck):
            raise TypeError(f'{neck} is not a BaseFrameNeck: a neck must '
                            'declare the input_kind it consumes')
        kind = self.neck.input_kind
        if self.backbone is None:
            if kind != VECTORS:
                raise ValueError(
                    f'{neck} consumes {kind} of a backbone, but the model '
                    'has none: set model.backbone or use a neck for '
                    'precomputed features (FrameEmbeddingNeck)')
            return FEATURES
        return CLIPS if kind == CLIP_MAPS else FRAMES

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
        if inputs.dim() not in _RANKS[self.input_kind]:
            raise ValueError(
                f'this model takes {self.input_kind} (a tensor of '
                f'{" or ".join(map(str, _RANKS[self.input_kind]))} dims, see '
                f'ProcedureAligner.extract_feat), got shape '
                f'{tuple(inputs.shape)}' + (
                    ': a 3D backbone needs a neck that consumes clip_maps '
                    '(TemporalNeck)' if self.input_kind == FRAMES
                    and inputs.dim() == 5 else ''))
        if self.input_kind == FEATURES:
            self._check_channels(inputs.shape[-1], data_samples)
        clip = self.input_kind == CLIPS
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
        expected = self.neck.in_channels
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
            inputs = self.data_preprocessor.normalize_pixels(inputs)
        if self.input_kind == FEATURES:  # (B, T, C) or (B, T, W, C)
            return self.neck(inputs)
        if self.input_kind == FRAMES:  # (B, T, L, C, H, W), 2D backbone
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
            if self.neck.input_kind == FRAME_MAPS:
                return self.neck(maps)
            return self.neck(maps.mean(dim=(2, 4, 5)))  # (B, T, C)
        # CLIPS: (B, C, T, H, W), 3D backbone
        return self.neck(self._last(self.backbone(inputs)), inputs.shape[2])

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
        loss_align, result = self.align_loss(x, y, mask_x, mask_y)
        losses[self.align_loss.loss_name] = loss_align
        if self.contrastive_loss is not None:
            groups = torch.tensor(
                [s.metainfo.get('task_id', -1) for s in data_samples[0::2]],
                device=x.device)
            losses['loss_contrast'] = self.contrastive_loss(
                x, y, result.plan, mask_x, mask_y, groups)
        if self.embedding_loss is not None:
            losses[self.embedding_loss.loss_name] = self.embedding_loss(
                emb, mask)
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
