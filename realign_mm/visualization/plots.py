"""Pictures of what REALIGN found: transport maps, step timelines, scores.

Matplotlib's object API (``Figure``) only: nothing touches pyplot's global
backend, so these run headless and inside training processes.
"""
from typing import Dict, List, Mapping, Optional, Sequence

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

__all__ = [
    'plot_transport_map', 'plot_timelines', 'plot_task_scores',
    'plot_ablation'
]


def _boundaries(labels: np.ndarray) -> np.ndarray:
    """Frame positions where the ground-truth step changes."""
    labels = np.asarray(labels)
    return np.flatnonzero(np.diff(labels)) + 0.5


def plot_transport_map(plan: np.ndarray,
                       path: str,
                       sink_x: Optional[np.ndarray] = None,
                       sink_y: Optional[np.ndarray] = None,
                       labels_x: Optional[np.ndarray] = None,
                       labels_y: Optional[np.ndarray] = None,
                       title: str = '') -> str:
    """Heatmap of one pair's plan ``(N, M)``, the mass each frame sends to
    the sink as an extra row / column, ground-truth step boundaries as
    lines. Returns ``path``."""
    plan = np.asarray(plan, dtype=np.float64)
    n, m = plan.shape
    full = np.zeros((n + 1, m + 1))
    full[:n, :m] = plan
    if sink_x is not None:
        full[:n, m] = sink_x
    if sink_y is not None:
        full[n, :m] = sink_y
    fig = Figure(figsize=(6, 5.5))
    ax = fig.subplots()
    image = ax.imshow(full * n, cmap='magma', aspect='auto',
                      interpolation='nearest')
    fig.colorbar(image, ax=ax, label='plan x N (row share of mass)')
    ax.axhline(n - 0.5, color='cyan', lw=1)
    ax.axvline(m - 0.5, color='cyan', lw=1)
    for b in ([] if labels_x is None else _boundaries(labels_x)):
        ax.axhline(b, color='white', lw=0.6, ls='--')
    for b in ([] if labels_y is None else _boundaries(labels_y)):
        ax.axvline(b, color='white', lw=0.6, ls='--')
    ax.set_xlabel('frames of Y (last column: sink)')
    ax.set_ylabel('frames of X (last row: sink)')
    ax.set_title(title or 'transport plan')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path


def plot_timelines(ground_truth: Sequence[np.ndarray],
                   discovered: Sequence[np.ndarray],
                   names: Sequence[str],
                   path: str,
                   title: str = '') -> str:
    """Per video, two colour bars: ground-truth steps (0 = background, grey)
    and discovered key steps (one colour per cluster)."""
    rows = len(names)
    fig = Figure(figsize=(9, 0.7 * rows + 1))
    axes = fig.subplots(rows, 1, squeeze=False)[:, 0]
    num = max(int(max(np.max(g) for g in ground_truth)) + 1,
              int(max(np.max(d) for d in discovered)) + 1, 2)
    palette = ListedColormap(
        [(0.85, 0.85, 0.85)] +
        [tuple(c) for c in _qualitative(num - 1)])
    for ax, gt, pred, name in zip(axes, ground_truth, discovered, names):
        image = np.stack([np.asarray(gt), np.asarray(pred) + 1])
        ax.imshow(image, cmap=palette, vmin=0, vmax=num, aspect='auto',
                  interpolation='nearest')
        ax.set_yticks([0, 1], ['GT', 'found'])
        ax.set_xticks([])
        ax.set_ylabel(name, rotation=0, ha='right', va='center', fontsize=8)
    axes[-1].set_xlabel('frames')
    fig.suptitle(title or 'ground truth vs discovered key steps')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path


def _qualitative(count: int) -> np.ndarray:
    from matplotlib import colormaps
    base = colormaps['tab20'](np.linspace(0, 1, 20))[:, :3]
    return np.array([base[i % 20] for i in range(count)])


def plot_task_scores(per_task: Mapping[str, Mapping[str, float]],
                     path: str,
                     title: str = '') -> str:
    """Bars of F1 and IoU (%) per task (and the mean)."""
    tasks = [t for t in per_task if t != 'mean'] + (
        ['mean'] if 'mean' in per_task else [])
    f1 = [100 * per_task[t]['f1'] for t in tasks]
    iou = [100 * per_task[t]['iou'] for t in tasks]
    x = np.arange(len(tasks))
    fig = Figure(figsize=(max(5, 0.8 * len(tasks) + 2), 4))
    ax = fig.subplots()
    ax.bar(x - 0.2, f1, 0.4, label='F1')
    ax.bar(x + 0.2, iou, 0.4, label='IoU')
    ax.set_xticks(x, tasks, rotation=45, ha='right')
    ax.set_ylabel('%')
    ax.set_title(title or 'key-step scores per task')
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path


def plot_ablation(results: Mapping[str, Mapping[str, List[Dict[str,
                                                               float]]]],
                  path: str,
                  metric: str = 'egoprocel/f1') -> str:
    """Grouped bars, mean ± std over seeds of one metric, per method and
    dataset (the output of :func:`realign_mm.experiments.run_ablation`)."""
    datasets = list(results)
    methods = list(next(iter(results.values())))
    width = 0.8 / len(datasets)
    x = np.arange(len(methods))
    fig = Figure(figsize=(max(6, 1.0 * len(methods) + 2), 4.5))
    ax = fig.subplots()
    for i, dataset in enumerate(datasets):
        runs = [results[dataset][m] for m in methods]
        mean = [100 * np.mean([r[metric] for r in rs]) for rs in runs]
        std = [100 * np.std([r[metric] for r in rs], ddof=1)
               if len(rs) > 1 else 0 for rs in runs]
        ax.bar(x + (i - (len(datasets) - 1) / 2) * width, mean, width,
               yerr=std, capsize=3, label=dataset)
    ax.set_xticks(x, methods, rotation=30, ha='right')
    ax.set_ylabel(f'{metric} (%)')
    ax.set_title('methods and ablations, mean ± std over seeds')
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path
