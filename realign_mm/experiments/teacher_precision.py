"""How good a teacher is the transport plan? Label agreement of the plans a
model's alignment loss computes on training-like pairs.

The aligner learns from the plan ``T*`` between two videos of a task: it
pulls frames together in proportion to ``T*_ij``. So the share of the plan's
real-to-real mass that joins two frames of the same key step,

.. math::
    \\text{same-step share} = \\frac{\\sum_{ij} T^*_{ij}\\,
        [l^X_i = l^Y_j \\ne 0]}{\\sum_{ij} T^*_{ij}},

bounds what the loss can teach (label 0 is background). Its chance level is
the share of same-step pairs among all frame pairs. The pairs are drawn as
in training: every two videos of a task, ``num_frames`` frames each at
jittered uniform positions, ``draws`` times.
"""
import itertools
from typing import Dict, List, Sequence

import numpy as np
import torch
from torch import Tensor

from realign_mm.apis import embed_video
from realign_mm.datasets import sample_frame_indices

__all__ = ['label_agreement', 'plan_label_agreement']


def label_agreement(plan: Tensor, labels_x: Tensor,
                    labels_y: Tensor) -> Dict[str, float]:
    """Agreement of ``(B, N, M)`` plans between frames of mass ``1 / N``
    with ``(B, N)`` / ``(B, M)`` frame labels (0: background); what a frame
    of X does not send to Y's frames is unmatched (the sink).

    Returns ``same_step_share`` (above), ``chance``, ``matched_mass`` (share
    of X's mass matched), ``background_unmatched`` and ``steps_unmatched``
    (share of background / key-step frames' mass left unmatched).
    """
    same = (labels_x[:, :, None] == labels_y[:, None, :]) & \
        (labels_x[:, :, None] > 0)
    total = plan.sum()
    background = labels_x == 0
    weight = torch.full(labels_x.shape, 1 / labels_x.shape[1],
                        dtype=plan.dtype)
    sink_x = (weight - plan.sum(2)).clamp_min(0)

    def unmatched(frames: Tensor) -> float:
        mass = weight[frames].sum()
        return float(sink_x[frames].sum() / mass) if mass > 0 else 0.0

    return dict(
        same_step_share=float((plan * same).sum() / total),
        chance=float(same.float().mean()),
        matched_mass=float(total / weight.sum()),
        background_unmatched=unmatched(background),
        steps_unmatched=unmatched(~background))


@torch.no_grad()
def plan_label_agreement(model, videos: Sequence[dict], num_frames: int = 32,
                         draws: int = 3, seed: int = 0) -> Dict[str, float]:
    """:func:`label_agreement` of ``model``'s alignment loss on every pair of
    same-task ``videos`` (dataset items of the test pipeline, with
    ``gt_frame_labels``), ``draws`` draws of ``num_frames`` frames each.

    Args:
        model (ProcedureAligner): its ``align_loss`` must provide a plan.
        videos (sequence of dict): dataset items.
        num_frames (int): frames drawn per video, as in training.
        draws (int): draws per pair.
        seed (int): seed of the draws.
    """
    if not getattr(model.align_loss, 'provides_plan', False):
        raise ValueError(f'{type(model.align_loss).__name__} computes no '
                         'plan to measure')
    embedded: List[tuple] = []
    for video in videos:
        sample = video['data_samples']
        embedded.append((sample.metainfo['task'], embed_video(model, video),
                         torch.as_tensor(sample.gt_frame_labels)))
    pairs = [(i, j) for i, j in itertools.combinations(range(len(videos)), 2)
             if embedded[i][0] == embedded[j][0]]
    if not pairs:
        raise ValueError('no two videos of one task: nothing to align')
    rng = np.random.default_rng(seed)
    xs, ys, lxs, lys = [], [], [], []
    for i, j in pairs:
        for _ in range(draws):
            for k, (emb, lab) in ((i, (xs, lxs)), (j, (ys, lys))):
                index = torch.as_tensor(sample_frame_indices(
                    len(embedded[k][1]), num_frames, jitter=True, rng=rng))
                emb.append(embedded[k][1][index])
                lab.append(embedded[k][2][index])
    x, y = torch.stack(xs), torch.stack(ys)
    mask = torch.ones(x.shape[:2], dtype=torch.bool, device=x.device)
    result = model.align_loss.align(x, y, mask, mask)
    out = label_agreement(result.plan.cpu(), torch.stack(lxs),
                          torch.stack(lys))
    out['pairs'] = len(pairs)
    return out
