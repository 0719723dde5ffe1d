"""Synthetic procedure data: key-step timelines and per-frame features.

The embedded default of the project: it needs no file outside the package.
Each task has K key steps with a prototype feature each; every video follows
the task's step order with swaps, repeats and skips, separated by background
(about 60 % of the frames, as in EgoProceL). A strong per-video nuisance
(camera, person, lighting) lives in a hidden subspace, so that raw features
of one task cluster by video rather than by step; a model that aligns videos
of the same task can learn to ignore it.

Features can also be synthesised on real step timelines (e.g. the EgoProceL
JSON in ../shared/data) with :func:`synthesize_features`.
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Tuple

import numpy as np

from realign_mm.datasets.annotations import Segment, frame_labels

__all__ = [
    'make_timelines', 'synthesize_features', 'write_egoprocel_csv',
    'generate_dataset', 'features_on_gtcc_timelines'
]

Timelines = Dict[str, Dict[str, List[Segment]]]


def make_timelines(num_tasks: int = 5,
                   videos_per_task: int = 16,
                   steps_range: Tuple[int, int] = (5, 7),
                   fps: float = 2.0,
                   step_frames: Tuple[int, int] = (5, 11),
                   background_ratio: float = 0.6,
                   p_swap: float = 0.4,
                   p_repeat: float = 0.4,
                   p_skip: float = 0.2,
                   seed: int = 0) -> Tuple[Timelines, Dict[str, float]]:
    """Random key-step timelines.

    Returns:
        tuple: ``{task: {video: [Segment]}}`` (seconds, steps 1..S) and the
        duration of each video in seconds.
    """
    rng = np.random.default_rng(seed)
    timelines, durations = {}, {}
    for t in range(num_tasks):
        task = f'task{t:02d}'
        num_steps = int(rng.integers(steps_range[0], steps_range[1] + 1))
        videos = {}
        for v in range(videos_per_task):
            order = list(range(1, num_steps + 1))
            if rng.random() < p_swap:
                i = int(rng.integers(num_steps - 1))
                order[i], order[i + 1] = order[i + 1], order[i]
            if rng.random() < p_skip:
                order.pop(int(rng.integers(len(order))))
            if rng.random() < p_repeat:
                i = int(rng.integers(len(order)))
                order.insert(int(rng.integers(i + 1, len(order) + 1)),
                             order[i])
            lengths = rng.integers(step_frames[0], step_frames[1] + 1,
                                   size=len(order))
            mean_gap = lengths.mean() * background_ratio / (
                1 - background_ratio) * len(order) / (len(order) + 1)
            gaps = np.maximum(
                1, rng.poisson(mean_gap, size=len(order) + 1)).astype(int)
            frame, segs = 0, []
            for step, length, gap in zip(order, lengths, gaps):
                frame += gap
                segs.append(
                    Segment(frame / fps, (frame + length - 1) / fps, step))
                frame += length
            frame += gaps[-1]
            video = f'{task}_v{v:03d}'
            videos[video] = segs
            durations[video] = frame / fps
        timelines[task] = videos
    return timelines, durations


def synthesize_features(timelines: Timelines,
                        durations: Dict[str, float],
                        fps: float = 2.0,
                        feature_dim: int = 64,
                        nuisance_dim: int = 24,
                        nuisance_scale: float = 2.5,
                        noise: float = 0.35,
                        seed: int = 0) -> Dict[str, np.ndarray]:
    """Per-frame features ``(T, feature_dim)`` on given timelines.

    ``x_t = Q [mu_{task, step_t} + drift, 0] + Q [0, nu_video] + noise`` for
    key-step frames, with a random background vector per background segment
    instead of ``mu``; ``Q`` is a random rotation, ``nu_video`` a per-video
    offset of norm about ``nuisance_scale`` in the hidden nuisance subspace.

    Returns:
        dict: ``{video: float32 array (T, feature_dim)}``.
    """
    rng = np.random.default_rng(seed + 1)
    step_dim = feature_dim - nuisance_dim
    if step_dim <= 0:
        raise ValueError('feature_dim must exceed nuisance_dim')
    rotation, _ = np.linalg.qr(rng.normal(size=(feature_dim, feature_dim)))
    out = {}
    for task in sorted(timelines):
        videos = timelines[task]
        num_steps = max((s.step for segs in videos.values() for s in segs),
                        default=0)
        protos = rng.normal(size=(num_steps + 1, step_dim))
        protos /= np.linalg.norm(protos, axis=1, keepdims=True)
        drifts = 0.3 * rng.normal(size=(num_steps + 1, step_dim)) / np.sqrt(
            step_dim)
        for video in sorted(videos):
            n = max(1, int(round(durations[video] * fps)))
            labels = frame_labels(videos[video], n, fps)
            x = np.zeros((n, feature_dim))
            # background: a fresh random direction per background run
            change = np.flatnonzero(np.diff(labels, prepend=-1) != 0)
            run_id = np.cumsum(np.isin(np.arange(n), change)) - 1
            bg = rng.normal(size=(len(change), step_dim))
            bg /= np.linalg.norm(bg, axis=1, keepdims=True)
            progress = np.zeros(n)
            for start, stop in zip(change, list(change[1:]) + [n]):
                progress[start:stop] = np.linspace(-1, 1, stop - start)
            key = labels > 0
            x[:, :step_dim] = np.where(
                key[:, None],
                protos[labels] + progress[:, None] * drifts[labels],
                bg[run_id])
            nuisance = rng.normal(size=nuisance_dim)
            x[:, step_dim:] = nuisance_scale * nuisance / np.linalg.norm(
                nuisance)
            x += noise / np.sqrt(feature_dim) * rng.normal(size=x.shape) * \
                np.sqrt(feature_dim / 8)
            out[video] = (x @ rotation.T).astype(np.float32)
    return out


def write_egoprocel_csv(path: str, segments: List[Segment],
                        step_names: Optional[Dict[int, str]] = None) -> None:
    """Write one EgoProceL-format CSV (no header; start,end,"<id> <name>")."""
    with open(path, 'w', encoding='utf-8') as f:
        for seg in segments:
            name = (step_names or {}).get(seg.step, f'step_{seg.step}')
            f.write(f'{seg.start:.3f},{seg.end:.3f},"{seg.step} {name}"\n')


def generate_dataset(out_dir: str,
                     num_tasks: int = 5,
                     videos_per_task: int = 16,
                     test_per_task: int = 6,
                     fps: float = 2.0,
                     feature_dim: int = 64,
                     seed: int = 0) -> dict:
    """Write the embedded default dataset to ``out_dir``.

    Layout: ``features/<video>.npy``, ``annotations/<task>/<video>.csv``
    (EgoProceL format) and ``splits.json`` (GTCC form, train/test).

    Returns:
        dict: counts of tasks, videos and frames.
    """
    timelines, durations = make_timelines(
        num_tasks, videos_per_task, fps=fps, seed=seed)
    feats = synthesize_features(
        timelines, durations, fps=fps, feature_dim=feature_dim, seed=seed)
    os.makedirs(osp.join(out_dir, 'features'), exist_ok=True)
    splits = {}
    for task, videos in timelines.items():
        ann_dir = osp.join(out_dir, 'annotations', task)
        os.makedirs(ann_dir, exist_ok=True)
        names = sorted(videos)
        splits[task] = dict(
            train=names[:-test_per_task], test=names[-test_per_task:])
        for video in names:
            write_egoprocel_csv(osp.join(ann_dir, video + '.csv'),
                                videos[video])
            np.save(osp.join(out_dir, 'features', video + '.npy'),
                    feats[video])
    with open(osp.join(out_dir, 'splits.json'), 'w') as f:
        json.dump(dict(description='realign_mm synthetic procedures',
                       seed=seed, fps=fps, splits=splits), f, indent=1)
    frames = sum(len(x) for x in feats.values())
    return dict(tasks=len(timelines), videos=len(feats), frames=frames)


def features_on_gtcc_timelines(json_path: str,
                               out_dir: str,
                               tasks: Optional[List[str]] = None,
                               fps: float = 1.0,
                               feature_dim: int = 64,
                               tail_seconds: float = 5.0,
                               seed: int = 0) -> dict:
    """Synthesise features on real step timelines (EgoProceL GTCC JSON).

    Writes ``<out_dir>/<video>.npy`` for every video of the (aligned)
    tasks; the annotations stay in the JSON, read by ``EgoProceLDataset``.
    Each video lasts until its last annotated frame plus ``tail_seconds``.

    Returns:
        dict: counts of tasks, videos and frames.
    """
    from realign_mm.datasets.annotations import read_gtcc_json
    timelines = read_gtcc_json(json_path, tasks=tasks)
    durations = {
        video: max((s.end for s in segs), default=0.0) + tail_seconds
        for videos in timelines.values() for video, segs in videos.items()
    }
    feats = synthesize_features(
        timelines, durations, fps=fps, feature_dim=feature_dim, seed=seed)
    os.makedirs(out_dir, exist_ok=True)
    for video, x in feats.items():
        np.save(osp.join(out_dir, video + '.npy'), x)
    return dict(tasks=len(timelines), videos=len(feats),
                frames=sum(len(x) for x in feats.values()))
