"""Synthetic alignment problems: time-warped trajectory pairs with outliers.

The setting of the solver notes (shared/docs/solver_notes.md): two noisy
copies of one smooth trajectory in ``R^d``, the second warped in time
(``t -> t^warp``), and a fraction of the first video's frames replaced by
outliers that partial transport should leave unmatched. Used by the solver
tests and by ``tools/benchmark/ot_solver.py``.
"""
from typing import Tuple

import numpy as np
import torch
from torch import Tensor

__all__ = ['trajectory_pairs']


def trajectory_pairs(batch: int,
                     n: int,
                     m: int = None,
                     dim: int = 128,
                     outliers: float = 0.25,
                     warp: float = 1.3,
                     noise: float = 0.05,
                     seed: int = 0,
                     dtype: torch.dtype = torch.float32
                     ) -> Tuple[Tensor, Tensor]:
    """Draw ``batch`` pairs of frame embeddings.

    Each pair follows its own random trajectory ``sin(t w + phi) @ basis``
    (three frequencies, a random phase ``phi`` and basis per pair).

    Args:
        batch (int): number of pairs.
        n (int): frames of X.
        m (int, optional): frames of Y. Defaults to ``n``.
        dim (int): embedding size. Defaults to 128.
        outliers (float): fraction of X's frames replaced by N(0, I)
            outliers. Defaults to 0.25.
        warp (float): Y samples the trajectory at ``t^warp``.
        noise (float): frame noise std. Defaults to 0.05.
        seed (int): numpy seed. Defaults to 0.
        dtype (torch.dtype): output dtype.

    Returns:
        tuple: ``x (batch, n, dim)`` and ``y (batch, m, dim)``.
    """
    m = n if m is None else m
    rng = np.random.default_rng(seed)
    freqs = np.array([3.0, 6.0, 9.0])
    xs, ys = [], []
    for _ in range(batch):  # data generation, not a hot path
        basis = rng.normal(size=(3, dim))
        phase = rng.uniform(0, 2 * np.pi, size=3)

        def path(t):
            return np.sin(np.outer(t, freqs) + phase) @ basis / 3

        x = path(np.linspace(0, 1, n)) + noise * rng.normal(size=(n, dim))
        y = path(np.linspace(0, 1, m)**warp) + noise * rng.normal(size=(m, dim))
        bad = rng.random(n) < outliers
        x[bad] = rng.normal(size=(int(bad.sum()), dim))
        xs.append(x)
        ys.append(y)
    return (torch.tensor(np.stack(xs), dtype=dtype),
            torch.tensor(np.stack(ys), dtype=dtype))
