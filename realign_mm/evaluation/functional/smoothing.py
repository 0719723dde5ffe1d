"""Exact temporal smoothing of frame labels on a chain. Plain numpy."""
import numpy as np

__all__ = ['smooth_labels', 'chain_energy']


def chain_energy(labels: np.ndarray, unary: np.ndarray,
                 smoothness: float) -> float:
    """Energy ``sum_t unary[t, l_t] + smoothness * #{t: l_t != l_t+1}``."""
    labels = np.asarray(labels)
    data = unary[np.arange(len(labels)), labels].sum()
    return float(data + smoothness * np.count_nonzero(np.diff(labels)))


def smooth_labels(memberships: np.ndarray, beta: float = 1.0,
                  smoothness: float = 0.5) -> np.ndarray:
    """Minimise the ProCut energy on one video exactly (Viterbi).

    .. math::
        E(l) = \\sum_t \\beta (1 - u_{t, l_t})
               + \\gamma \\sum_t [l_t \\ne l_{t+1}]

    The literature minimises this with alpha-expansion graph cuts; on a frame
    chain dynamic programming finds the global minimum in O(T K). The loop
    runs over frames with vectorised work over the K labels.

    Args:
        memberships (np.ndarray): ``(T, K)`` soft assignments.
        beta (float): weight of the unary term. Defaults to 1.
        smoothness (float): Potts penalty ``gamma`` per label change.

    Returns:
        np.ndarray: ``(T,)`` labels in ``[0, K)``.
    """
    unary = beta * (1.0 - np.asarray(memberships, dtype=np.float64))
    n_frames, n_labels = unary.shape
    if n_frames == 0:
        return np.zeros(0, dtype=np.int64)
    back = np.zeros((n_frames, n_labels), dtype=np.int64)
    score = unary[0].copy()
    stay = np.arange(n_labels)
    for t in range(1, n_frames):
        best = int(score.argmin())
        switch = score[best] + smoothness
        from_best = switch < score
        back[t] = np.where(from_best, best, stay)
        score = np.where(from_best, switch, score) + unary[t]
    labels = np.empty(n_frames, dtype=np.int64)
    labels[-1] = int(score.argmin())
    for t in range(n_frames - 1, 0, -1):
        labels[t - 1] = back[t, labels[t]]
    return labels
