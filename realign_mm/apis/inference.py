"""Use a trained aligner: build it, embed a video, align two videos
(after mmaction2's ``init_recognizer`` / ``inference_recognizer``)."""
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Union

import numpy as np
import torch
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope
from mmengine.runner import load_checkpoint
from torch import Tensor

from realign_mm.models import ProcedureAligner

__all__ = ['init_aligner', 'build_dataset', 'split_videos', 'embed_video',
           'align_pair', 'PairAlignment']

Video = Union[dict, Tensor, np.ndarray]


def init_aligner(config: Union[str, Path, Config],
                 checkpoint: Optional[str] = None,
                 device: Union[str, torch.device] = 'cpu'
                 ) -> ProcedureAligner:
    """Build the config's aligner, load ``checkpoint`` (weights-only, see
    :mod:`realign_mm.compat`), put it on ``device`` in eval mode.

    Args:
        config (str, Path or Config): a config file or object.
        checkpoint (str, optional): None keeps the initial weights (the
            untrained baselines need none).
        device (str or torch.device): Defaults to ``'cpu'``.
    """
    if isinstance(config, (str, Path)):
        config = Config.fromfile(str(config))
    elif not isinstance(config, Config):
        raise TypeError(f'config must be a file name or a Config, got '
                        f'{type(config).__name__}')
    init_default_scope(config.get('default_scope', 'mmaction'))
    from mmaction.registry import MODELS
    model = MODELS.build(config.model)
    if not isinstance(model, ProcedureAligner):
        raise TypeError(f'{config.filename}: model is '
                        f'{type(model).__name__}, not a ProcedureAligner')
    if checkpoint is not None:
        load_checkpoint(model, checkpoint, map_location='cpu')
    model.cfg = config
    return model.to(device).eval()


def build_dataset(config: Config, dataset: dict):
    """The ``dataset`` config built under ``config``'s registry scope
    (outside a Runner nothing has set the scope its pipeline is found in).
    """
    from mmaction.registry import DATASETS
    with DefaultScope.overwrite_default_scope(
            config.get('default_scope', 'mmaction')):
        return DATASETS.build(dataset)


def split_videos(config: Config, split: str) -> List[dict]:
    """Every video of ``split`` as a dataset item of the config's test
    pipeline (its ``test_dataloader.dataset`` with ``split`` set)."""
    dataset = config.test_dataloader.dataset.copy()
    dataset['split'] = split
    videos = build_dataset(config, dataset)
    return [videos[i] for i in range(len(videos))]


def _batch(video: Video) -> dict:
    if isinstance(video, dict):  # a dataset item: the test pipeline's
        if 'inputs' not in video:
            raise ValueError('a video dict must be a dataset item with '
                             "'inputs' (and 'data_samples')")
        sample = video.get('data_samples') or ActionDataSample()
        return dict(inputs=[torch.as_tensor(video['inputs'])],
                    data_samples=[sample])
    if isinstance(video, (Tensor, np.ndarray)):
        return dict(inputs=[torch.as_tensor(video)],
                    data_samples=[ActionDataSample()])
    raise TypeError(f'a video is a dataset item or a tensor, got '
                    f'{type(video).__name__}')


@torch.no_grad()
def embed_video(model: ProcedureAligner, video: Video) -> Tensor:
    """Per-frame embeddings ``(T, d)`` of one video.

    Args:
        model (ProcedureAligner): from :func:`init_aligner`.
        video (dict, Tensor or ndarray): a dataset item (``dataset[i]``
            with the test pipeline), or one video in the model's input
            format: features ``(T, C)`` / ``(T, W, C)`` with a context
            window, frames ``(T, L, C, H, W)`` or a clip ``(C, T, H, W)``.
    """
    model.eval()
    data = model.data_preprocessor(_batch(video))
    emb, mask = model.extract_feat(data['inputs'], data['data_samples'])
    return emb[0][mask[0]]


@dataclass
class PairAlignment:
    """:func:`align_pair`'s answer.

    Attributes:
        plan (Tensor): ``(N, M)`` transport plan between the real frames
            (None for a loss without one, e.g. TCC).
        distance (float): the model's alignment loss of the pair (the FPGW
            distance for REALIGN).
        matches (Tensor): ``(N,)`` for each frame of X the frame of Y with
            the most mass, -1 where most of the frame's mass went to the
            sink (None without a plan).
    """
    plan: Optional[Tensor]
    distance: float
    matches: Optional[Tensor]


@torch.no_grad()
def align_pair(model: ProcedureAligner, x: Video, y: Video) -> PairAlignment:
    """Align two videos with the model's own alignment loss (REALIGN:
    :func:`~realign_mm.ot.fused_partial_gw` on the learnt embeddings).

    ``x`` and ``y`` are what :func:`embed_video` takes.
    """
    ex, ey = embed_video(model, x), embed_video(model, y)
    ones = [torch.ones(1, len(e), dtype=torch.bool, device=e.device)
            for e in (ex, ey)]
    result = model.align_loss.align(ex[None], ey[None], *ones)
    distance = float(result.distance[0])
    if result.plan is None:
        return PairAlignment(None, distance, None)
    plan = result.plan[0]
    matched = plan.sum(1) * len(ex)  # 1 when no mass went to the sink
    best = plan.argmax(1)
    matches = torch.where(matched > 0.5, best, torch.full_like(best, -1))
    return PairAlignment(plan, distance, matches)
