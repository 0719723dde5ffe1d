"""Key-step discovery metric (EgoProceL and ProceL/CrossTask protocols)."""
import logging
from collections import defaultdict
from typing import Dict, List, Optional, Sequence

import numpy as np
from mmaction.registry import METRICS
from mmengine.evaluator import BaseMetric
from mmengine.logging import print_log

from ..functional import (METHODS, discover_keysteps, egoprocel_scores,
                          f1_score, pooled_scores)
from ..protocols import EGOPROCEL, POOLED, SCORES, metric_key
from ..report import keystep_table

__all__ = ['KeyStepMetric']



def _to_numpy(value) -> np.ndarray:
    if hasattr(value, 'detach'):
        value = value.detach().cpu().numpy()
    return np.asarray(value)


@METRICS.register_module()
class KeyStepMetric(BaseMetric):
    """Discover K key steps per task from per-frame embeddings and score them.

    ``process`` keeps each video's embeddings and frame labels;
    ``compute_metrics`` (rank 0, after gathering) counts every video once,
    then per task clusters and smooths (:func:`discover_keysteps`) and scores
    with the EgoProceL per-video protocol (:func:`egoprocel_scores`: P, R,
    IoU averaged over videos, F1 of the averaged P and R) and the pooled
    ProceL/CrossTask protocol (:func:`pooled_scores`). Reported values are
    fractions; keys are ``egoprocel/f1`` (mean over tasks),
    ``egoprocel/f1/<task>`` and likewise for ``pooled``.

    Args:
        num_keysteps (int): K clusters per task. Defaults to 7.
        clustering (str): ``'fcm'``, ``'kmeans'``, ``'spectral'`` or
            ``'random'`` (a floor). Defaults to ``'fcm'``.
        beta (float): unary weight of the smoothing energy. Defaults to 1.
        smoothness (float): Potts penalty; 0 disables smoothing.
            Defaults to 0.5.
        seed (int): clustering seed. Defaults to 0.
        fuzziness (float): ``m > 1`` of fuzzy c-means (``'fcm'``); lower is
            harder. Defaults to 1.1.
        embedding_key (str): data-sample field with ``(T, d)`` embeddings.
            Defaults to ``'pred_embedding'``.
        collect_device (str): ``'cpu'`` or ``'gpu'``. Defaults to ``'cpu'``.
        prefix (str, optional): metric name prefix. Defaults to
            ``'keystep'``.
    """
    default_prefix = 'keystep'

    def __init__(self,
                 num_keysteps: int = 7,
                 clustering: str = 'fcm',
                 beta: float = 1.0,
                 smoothness: float = 0.5,
                 seed: int = 0,
                 fuzziness: float = 1.1,
                 embedding_key: str = 'pred_embedding',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if isinstance(num_keysteps, bool) or not isinstance(
                num_keysteps, int) or num_keysteps < 1:
            raise ValueError(f'num_keysteps must be an integer >= 1, got '
                             f'{num_keysteps!r}')
        if clustering not in METHODS:
            raise ValueError(f'clustering must be one of {METHODS}, got '
                             f'{clustering!r}')
        self.num_keysteps = num_keysteps
        self.clustering = clustering
        self.beta = beta
        self.smoothness = smoothness
        self.seed = seed
        if not fuzziness > 1:
            raise ValueError(f'fuzziness must be > 1, got {fuzziness!r}')
        self.fuzziness = fuzziness
        self.embedding_key = embedding_key
        self.per_task: Dict[str, Dict[str, Dict[str, float]]] = {}
        #: per task: (cluster, majority ground-truth step) in time order
        self.step_orders: Dict[str, List[tuple]] = {}
        #: per video: task, discovered labels and ground truth (last run)
        self.discovered: Dict[str, dict] = {}

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for sample in data_samples:
            if self.embedding_key not in sample:
                raise KeyError(f'data sample of {sample.get("video_id")} has '
                               f'no {self.embedding_key!r}: run the model in '
                               "'predict' mode")
            emb = _to_numpy(sample[self.embedding_key]).astype(np.float32)
            labels = _to_numpy(sample['gt_frame_labels']).astype(np.int64)
            if len(emb) != len(labels):
                raise ValueError(
                    f'video {sample["video_id"]}: {len(emb)} embeddings but '
                    f'{len(labels)} frame labels')
            self.results.append(
                dict(
                    video_id=sample['video_id'],
                    task=sample['task'],
                    embedding=emb,
                    labels=labels))

    def _check_keysteps(self, task: str, videos: List[dict]) -> None:
        """K more clusters than frames is an error; K above the task's
        annotated steps is logged: the per-video protocol then rewards
        over-segmentation (each video picks its best K clusters)."""
        frames = sum(len(v['labels']) for v in videos)
        if self.num_keysteps > frames:
            raise ValueError(
                f'num_keysteps={self.num_keysteps} clusters but task '
                f'{task!r} has only {frames} frames to cluster')
        steps = len(np.setdiff1d(np.concatenate(
            [v['labels'] for v in videos]), [0]))
        if self.num_keysteps > steps:
            print_log(
                f'task {task!r}: num_keysteps={self.num_keysteps} is above '
                f'its {steps} annotated key steps; the EgoProceL per-video '
                'scores are inflated then (read the pooled ones)',
                logger='current', level=logging.WARNING)

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        by_task = defaultdict(dict)
        for res in results:  # distributed samplers pad by repeating videos
            by_task[res['task']].setdefault(res['video_id'], res)
        self.per_task = {EGOPROCEL: {}, POOLED: {}}
        self.step_orders, self.discovered = {}, {}
        metrics: Dict[str, float] = {}
        for task in sorted(by_task):
            videos = [by_task[task][v] for v in sorted(by_task[task])]
            self._check_keysteps(task, videos)
            preds, order = discover_keysteps(
                [v['embedding'] for v in videos], self.num_keysteps,
                self.clustering, self.beta, self.smoothness, self.seed,
                self.fuzziness)
            gts = [v['labels'] for v in videos]
            self.step_orders[task] = _ordered_steps(order, preds, gts)
            for video, pred, gt in zip(videos, preds, gts):
                self.discovered[video['video_id']] = dict(
                    task=task, labels=pred, gt=gt)
            per_video = [egoprocel_scores(p, g) for p, g in zip(preds, gts)]
            scored = [s for s in per_video if s is not None]
            if scored:
                p = float(np.mean([s['precision'] for s in scored]))
                r = float(np.mean([s['recall'] for s in scored]))
                iou = float(np.mean([s['iou'] for s in scored]))
                self.per_task[EGOPROCEL][task] = dict(
                    precision=p, recall=r, f1=f1_score(p, r), iou=iou)
            self.per_task[POOLED][task] = pooled_scores(preds, gts)
        for protocol, tasks in self.per_task.items():
            if not tasks:
                continue
            mean = {n: float(np.mean([t[n] for t in tasks.values()]))
                    for n in SCORES}
            tasks['mean'] = mean
            for name in SCORES:
                metrics[metric_key(protocol, name)] = mean[name]
                for task, row in tasks.items():
                    if task != 'mean':
                        metrics[metric_key(protocol, name, task)] = row[name]
            print_log(
                '\n' + keystep_table({'model': tasks}, protocol),
                logger='current')
        print_log('\n' + _order_table(self.step_orders), logger='current')
        return metrics


def _ordered_steps(order: List[int], preds: List[np.ndarray],
                   gts: List[np.ndarray]) -> List[tuple]:
    """``(cluster, majority ground-truth step)`` in discovered time order;
    clusters no frame kept after smoothing are left out."""
    pred, gt = np.concatenate(preds), np.concatenate(gts)
    steps = []
    for cluster in order:
        labels = gt[pred == cluster]
        if len(labels):
            steps.append((int(cluster), int(np.bincount(labels).argmax())))
    return steps


def _order_table(step_orders: Dict[str, List[tuple]]) -> str:
    lines = ['Discovered step order (clusters by mean normalised time; '
             'the ground-truth step most of their frames carry, 0 = '
             'background)', '', '| task | order |', '|---|---|']
    for task, steps in step_orders.items():
        order = ' -> '.join(f'c{c} (step {g})' for c, g in steps)
        lines.append(f'| {task} | {order} |')
    return '\n'.join(lines)
