"""Synthetic procedure *videos*: real mp4 files for the embedded video demo.

Each key step of a task is a distinct visual action: a shape of its own
(disc, square, triangle, ring, cross, bar), colour and motion path over a
textured background; background segments show only the drifting texture and
a grey distractor. Timelines come from :func:`make_timelines`, so videos
have background, repeated and swapped steps like the feature default.
"""
import json
import os
import os.path as osp
from typing import Dict, List

import cv2
import numpy as np

from ..datasets.annotations import Segment, frame_labels
from .procedure_features import make_timelines, write_egoprocel_csv

__all__ = ['render_procedure_video', 'generate_video_dataset']

_SHAPES = ('disc', 'square', 'triangle', 'ring', 'cross', 'bar')


def _step_style(task_seed: int, step: int) -> dict:
    rng = np.random.default_rng(1000 * task_seed + step)
    hue = (step * 37 + task_seed * 11) % 180
    colour = cv2.cvtColor(np.uint8([[[hue, 220, 235]]]),
                          cv2.COLOR_HSV2BGR)[0, 0].tolist()
    return dict(
        shape=_SHAPES[(step - 1) % len(_SHAPES)],
        colour=colour,
        start=rng.uniform(0.2, 0.8, size=2),
        velocity=rng.uniform(-0.5, 0.5, size=2),
        spin=rng.uniform(-3, 3))


def _draw(frame: np.ndarray, style: dict, phase: float) -> None:
    size = frame.shape[0]
    centre = (style['start'] + style['velocity'] * phase) % 1.0
    cx, cy = (centre * (size - 1)).astype(int)
    radius = max(3, size // 7)
    colour = style['colour']
    shape = style['shape']
    angle = style['spin'] * phase
    if shape == 'disc':
        cv2.circle(frame, (cx, cy), radius, colour, -1)
    elif shape == 'ring':
        cv2.circle(frame, (cx, cy), radius, colour, max(2, radius // 3))
    else:
        if shape == 'square':
            pts = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], float)
        elif shape == 'triangle':
            pts = np.array([[0, -1.2], [1.1, 0.9], [-1.1, 0.9]])
        elif shape == 'bar':
            pts = np.array([[-1.4, -0.4], [1.4, -0.4], [1.4, 0.4],
                            [-1.4, 0.4]])
        else:  # cross: two bars
            for rot in (0.0, np.pi / 2):
                _draw_poly(frame, np.array([[-1.3, -0.3], [1.3, -0.3],
                                            [1.3, 0.3], [-1.3, 0.3]]),
                           angle + rot, radius, (cx, cy), colour)
            return
        _draw_poly(frame, pts, angle, radius, (cx, cy), colour)


def _draw_poly(frame, pts, angle, radius, centre, colour) -> None:
    rot = np.array([[np.cos(angle), -np.sin(angle)],
                    [np.sin(angle), np.cos(angle)]])
    poly = (pts @ rot.T * radius + np.array(centre)).astype(np.int32)
    cv2.fillPoly(frame, [poly], colour)


def render_procedure_video(path: str,
                           segments: List[Segment],
                           duration: float,
                           task_seed: int,
                           fps: float = 8.0,
                           size: int = 64,
                           seed: int = 0) -> int:
    """Write one mp4 (``mp4v``) of ``duration`` seconds at ``fps``.

    Returns:
        int: the number of frames written.
    """
    num = max(1, int(round(duration * fps)))
    labels = frame_labels(segments, num, fps)
    rng = np.random.default_rng(seed)
    texture = cv2.resize(
        rng.integers(40, 90, size=(size // 4, size // 4, 3), dtype=np.uint8),
        (2 * size, 2 * size), interpolation=cv2.INTER_LINEAR)
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), fps,
                             (size, size))
    if not writer.isOpened():
        raise RuntimeError(f'cannot open a video writer for {path}')
    styles: Dict[int, dict] = {}
    start_frame = {}
    distractor = dict(shape='disc', colour=[128, 128, 128],
                      start=rng.uniform(0.2, 0.8, size=2),
                      velocity=rng.uniform(-0.2, 0.2, size=2), spin=0.0)
    for f in range(num):
        dx, dy = int(f * 0.7) % size, int(f * 0.4) % size
        frame = texture[dy:dy + size, dx:dx + size].copy()
        step = int(labels[f])
        if step == 0:
            _draw(frame, distractor, f / fps)
        else:
            if step not in styles:
                styles[step] = _step_style(task_seed, step)
            if f == 0 or labels[f - 1] != step:
                start_frame[step] = f
            _draw(frame, styles[step], (f - start_frame[step]) / fps)
        writer.write(frame)
    writer.release()
    return num


def generate_video_dataset(out_dir: str,
                           num_tasks: int = 3,
                           videos_per_task: int = 8,
                           test_per_task: int = 3,
                           fps: float = 8.0,
                           size: int = 64,
                           seed: int = 0) -> dict:
    """Write ``videos/<video>.mp4``, ``annotations/<task>/<video>.csv``
    (EgoProceL format) and ``splits.json`` (GTCC form) to ``out_dir``.

    Returns:
        dict: counts of tasks, videos and frames.
    """
    timelines, durations = make_timelines(
        num_tasks, videos_per_task, steps_range=(4, 6), fps=fps,
        step_frames=(int(2 * fps), int(4 * fps)), seed=seed)
    os.makedirs(osp.join(out_dir, 'videos'), exist_ok=True)
    splits, frames = {}, 0
    for t, (task, videos) in enumerate(sorted(timelines.items())):
        ann_dir = osp.join(out_dir, 'annotations', task)
        os.makedirs(ann_dir, exist_ok=True)
        names = sorted(videos)
        splits[task] = dict(
            train=names[:-test_per_task], test=names[-test_per_task:])
        for v, video in enumerate(names):
            write_egoprocel_csv(osp.join(ann_dir, video + '.csv'),
                                videos[video])
            frames += render_procedure_video(
                osp.join(out_dir, 'videos', video + '.mp4'), videos[video],
                durations[video], t, fps, size, seed=seed * 1000 + v)
    with open(osp.join(out_dir, 'splits.json'), 'w') as f:
        json.dump(dict(description='realign_mm synthetic procedure videos',
                       seed=seed, fps=fps, splits=splits), f, indent=1)
    return dict(tasks=len(timelines), videos=sum(
        len(v) for v in timelines.values()), frames=frames)
