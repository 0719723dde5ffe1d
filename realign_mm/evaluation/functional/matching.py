"""Key-step scores: the EgoProceL per-video protocol and the pooled
ProceL/CrossTask protocol (method.md section 4). Plain numpy.

Labels are integer arrays over frames: ground truth ``gt`` uses 0 for
background and 1..S for key steps; predictions ``pred`` are cluster ids.
"""
from typing import Dict, Optional, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

__all__ = ['overlap_matrix', 'egoprocel_scores', 'pooled_scores', 'f1_score']


def f1_score(precision: float, recall: float) -> float:
    """Harmonic mean ``2 P R / (P + R)``; 0 when both are 0."""
    total = precision + recall
    return 0.0 if total <= 0 else 2 * precision * recall / total


def _check_pair(pred: np.ndarray, gt: np.ndarray) -> None:
    if pred.shape != gt.shape or pred.ndim != 1:
        raise ValueError(f'pred {pred.shape} and gt {gt.shape} must be 1-D '
                         'arrays of the same length')
    if gt.size and gt.min() < 0:
        raise ValueError('ground-truth labels must be >= 0 (0 = background)')


def overlap_matrix(pred: np.ndarray, gt: np.ndarray):
    """Frame overlaps between GT classes and predicted clusters.

    Returns:
        tuple: ``(classes, clusters, overlap)`` where ``overlap[g, c]`` is the
        number of frames with ``gt == classes[g]`` and
        ``pred == clusters[c]``; only labels present are listed.
    """
    classes, gt_idx = np.unique(gt, return_inverse=True)
    clusters, pred_idx = np.unique(pred, return_inverse=True)
    overlap = np.zeros((len(classes), len(clusters)), dtype=np.int64)
    np.add.at(overlap, (gt_idx, pred_idx), 1)
    return classes, clusters, overlap


def _match_key_steps(classes: np.ndarray, overlap: np.ndarray):
    """Hungarian matching maximising overlap (background included), then
    the matched ``(row, col)`` pairs whose GT class is a key step."""
    rows, cols = linear_sum_assignment(-overlap)
    keep = classes[rows] != 0
    return rows[keep], cols[keep]


def egoprocel_scores(pred: np.ndarray,
                     gt: np.ndarray) -> Optional[Dict[str, float]]:
    """EgoProceL scores of one video.

    Hungarian matching between the GT classes (background included) and the
    predicted clusters maximises frame overlap. For each matched pair whose
    GT class is a key step: recall ``|p & g| / |g|``, precision
    ``|p & g| / |p|``, IoU ``|p & g| / |p | g|``; the video's P, R, IoU are
    their means over those pairs and ``f1 = 2 P R / (P + R)``.

    Args:
        pred (np.ndarray): ``(T,)`` cluster id per frame.
        gt (np.ndarray): ``(T,)`` step id per frame, 0 = background.

    Returns:
        dict | None: precision, recall, f1, iou; all 0 when the video has
        key steps but every one lost the matching (e.g. one cluster over the
        whole video, matched to background); None for a background-only
        video, which has no key step to score.
    """
    pred, gt = np.asarray(pred), np.asarray(gt)
    _check_pair(pred, gt)
    if not (gt != 0).any():
        return None
    classes, _, overlap = overlap_matrix(pred, gt)
    rows, cols = _match_key_steps(classes, overlap)
    if len(rows) == 0:
        return dict(precision=0.0, recall=0.0, f1=0.0, iou=0.0)
    inter = overlap[rows, cols].astype(np.float64)
    gt_size = overlap.sum(1)[rows]
    pred_size = overlap.sum(0)[cols]
    precision = float(np.mean(inter / pred_size))
    recall = float(np.mean(inter / gt_size))
    iou = float(np.mean(inter / (gt_size + pred_size - inter)))
    return dict(
        precision=precision,
        recall=recall,
        f1=f1_score(precision, recall),
        iou=iou)


def pooled_scores(preds: Sequence[np.ndarray],
                  gts: Sequence[np.ndarray]) -> Dict[str, float]:
    """ProceL/CrossTask pooled scores of one task.

    Overlaps are pooled over all videos of the task and one Hungarian
    matching assigns clusters to GT classes (background included; clusters
    matched to background or left unmatched predict background).
    ``P = correct / predicted``, ``R = correct / labelled`` where *correct*
    counts frames whose cluster is matched to their own key step,
    *predicted* frames whose cluster is matched to a key step and
    *labelled* key-step frames; ``F1`` is their harmonic mean and
    ``IoU = correct / (predicted + labelled - correct)``.

    Args:
        preds (Sequence[np.ndarray]): cluster ids per video.
        gts (Sequence[np.ndarray]): step ids per video.

    Returns:
        dict: precision, recall, f1, iou.
    """
    if len(preds) != len(gts) or not preds:
        raise ValueError('need the same non-zero number of predictions and '
                         'ground truths')
    for pred, gt in zip(preds, gts):
        _check_pair(np.asarray(pred), np.asarray(gt))
    pred_all = np.concatenate([np.asarray(p) for p in preds])
    gt_all = np.concatenate([np.asarray(g) for g in gts])
    classes, _, overlap = overlap_matrix(pred_all, gt_all)
    rows, cols = _match_key_steps(classes, overlap)
    correct = float(overlap[rows, cols].sum())
    predicted = float(overlap[:, cols].sum())
    labelled = float((gt_all != 0).sum())
    precision = correct / predicted if predicted else 0.0
    recall = correct / labelled if labelled else 0.0
    union = predicted + labelled - correct
    return dict(
        precision=precision,
        recall=recall,
        f1=f1_score(precision, recall),
        iou=correct / union if union else 0.0)
