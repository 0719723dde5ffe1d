"""Key-step discovery for one task: cluster all frames of all its videos,
smooth each video's labels, order the clusters by time."""
from typing import List, Sequence, Tuple

import numpy as np

from .clustering import (fuzzy_cmeans, kmeans, l2_normalize,
                         spectral_clustering)
from .smoothing import smooth_labels

__all__ = ['discover_keysteps', 'step_order', 'METHODS']

#: clustering methods of :func:`discover_keysteps`
METHODS = ('fcm', 'kmeans', 'spectral', 'random')


def step_order(labels: Sequence[np.ndarray], num_clusters: int) -> List[int]:
    """Clusters ranked by their mean normalised time over the videos."""
    times = np.full(num_clusters, np.inf)
    sums = np.zeros(num_clusters)
    counts = np.zeros(num_clusters)
    for lab in labels:
        if len(lab) == 0:
            continue
        t = np.arange(len(lab)) / len(lab)
        np.add.at(sums, lab, t)
        np.add.at(counts, lab, 1)
    present = counts > 0
    times[present] = sums[present] / counts[present]
    return [int(c) for c in np.argsort(times, kind='stable')]


def discover_keysteps(embeddings: Sequence[np.ndarray],
                      num_keysteps: int = 7,
                      method: str = 'fcm',
                      beta: float = 1.0,
                      smoothness: float = 0.5,
                      seed: int = 0,
                      fuzziness: float = 1.1
                      ) -> Tuple[List[np.ndarray], List[int]]:
    """Label every frame of every video of one task with a key step.

    Embeddings are L2-normalised once, clustered jointly into
    ``num_keysteps`` clusters, and each video's labels are smoothed exactly
    (:func:`smooth_labels`; hard k-means memberships are one-hot).

    Args:
        embeddings (Sequence[np.ndarray]): ``(T_v, d)`` per video.
        num_keysteps (int): K. Defaults to 7.
        method (str): ``'fcm'`` (fuzzy c-means), ``'kmeans'``,
            ``'spectral'`` or ``'random'`` (uniform labels, a floor); hard
            clusterings give one-hot memberships.
        beta (float): unary weight of the smoothing energy.
        smoothness (float): Potts penalty of the smoothing energy; 0 keeps
            the per-frame argmax.
        seed (int): clustering seed.
        fuzziness (float): ``m > 1`` of fuzzy c-means (:func:`fuzzy_cmeans`);
            the other clusterings ignore it.

    Returns:
        tuple: the labels per video and the cluster order by time.
    """
    lengths = [len(e) for e in embeddings]
    x = l2_normalize(np.concatenate(embeddings).astype(np.float64))
    k = min(num_keysteps, len(x))
    if method == 'fcm':
        member = fuzzy_cmeans(x, num_keysteps, fuzziness, seed=seed)
    elif method in ('kmeans', 'spectral', 'random'):
        if method == 'kmeans':
            hard = kmeans(x, num_keysteps, seed=seed)
        elif method == 'spectral':
            hard = spectral_clustering(x, num_keysteps, seed=seed)
        else:  # the floor: a uniformly random key step per frame
            hard = np.random.default_rng(seed).integers(k, size=len(x))
        member = np.eye(k)[hard]
    else:
        raise ValueError(f'clustering must be one of {METHODS}, got '
                         f'{method!r}')
    labels = []
    start = 0
    for n in lengths:
        part = member[start:start + n]
        start += n
        if smoothness > 0:
            labels.append(smooth_labels(part, beta, smoothness))
        else:
            labels.append(part.argmax(1))
    return labels, step_order(labels, member.shape[1])
