"""Parsers of key-step annotation files and the frame-labelling rule.

Every parser returns :class:`Segment` lists in seconds and raises
:class:`AnnotationError` naming the file (and line) on malformed input.
"""
import csv
import json
import math
import os
from typing import Dict, List, NamedTuple, Optional, Sequence

import numpy as np

__all__ = [
    'Segment', 'AnnotationError', 'read_egoprocel_csv', 'read_step_csv',
    'read_gtcc_json', 'read_split_file', 'frame_labels'
]


class Segment(NamedTuple):
    """One annotated key step: ``[start, end]`` in seconds, step id >= 1."""
    start: float
    end: float
    step: int


class AnnotationError(ValueError):
    """Malformed annotation, with the file and line it came from."""

    def __init__(self, path: str, problem: str, line: Optional[int] = None):
        where = path if line is None else f'{path}:{line}'
        super().__init__(f'{where}: {problem}')
        self.path, self.line = path, line


def _parse_float(text: str, path: str, line: int, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise AnnotationError(path, f'{what} {text!r} is not a number',
                              line) from None
    if not math.isfinite(value):
        raise AnnotationError(path, f'{what} {text!r} is not finite', line)
    return value


def _segment(start: float, end: float, step: int, path: str,
             line: Optional[int]) -> Segment:
    if start < 0:
        raise AnnotationError(path, f'segment starts at {start} < 0', line)
    if end < start:
        raise AnnotationError(
            path, f'segment ends at {end} before it starts at {start}', line)
    if step < 0:
        raise AnnotationError(path, f'step id {step} is negative', line)
    return Segment(start, end, step)


def _rows(path: str):
    if not os.path.isfile(path):
        raise AnnotationError(path, 'annotation file not found')
    with open(path, newline='', encoding='utf-8') as f:
        for line, row in enumerate(csv.reader(f), start=1):
            if not row or all(not cell.strip() for cell in row):
                continue
            yield line, [cell.strip() for cell in row]


def read_egoprocel_csv(path: str) -> List[Segment]:
    """Read an EgoProceL per-video CSV.

    No header; rows ``start_seconds,end_seconds,"<id> <step name>"``.
    Background rows (id 0) are dropped: unlabelled frames are background.
    """
    segments = []
    for line, row in _rows(path):
        if len(row) < 3:
            raise AnnotationError(
                path, f'expected 3 columns (start, end, "<id> <name>"), got '
                f'{len(row)}: {row}', line)
        start = _parse_float(row[0], path, line, 'start')
        end = _parse_float(row[1], path, line, 'end')
        label = ','.join(row[2:]).strip()
        head = label.split(maxsplit=1)[0] if label else ''
        if not head.isdigit():
            raise AnnotationError(
                path, f'step {label!r} does not start with a numeric id',
                line)
        seg = _segment(start, end, int(head), path, line)
        if seg.step > 0:
            segments.append(seg)
    return segments


def read_step_csv(path: str) -> List[Segment]:
    """Read a ProceL/CrossTask CSV: rows ``step_id,start_seconds,end_s``.

    Step ids are 1-based as in the official files.
    """
    segments = []
    for line, row in _rows(path):
        if len(row) != 3:
            raise AnnotationError(
                path, f'expected 3 columns (step, start, end), got '
                f'{len(row)}: {row}', line)
        step = _parse_float(row[0], path, line, 'step id')
        if step != int(step) or step < 1:
            raise AnnotationError(path,
                                  f'step id {row[0]!r} is not an integer >= 1',
                                  line)
        start = _parse_float(row[1], path, line, 'start')
        end = _parse_float(row[2], path, line, 'end')
        segments.append(_segment(start, end, int(step), path, line))
    return segments


def read_split_file(path: str) -> Dict[str, Dict[str, List[str]]]:
    """Read a GTCC-style split file: ``{"splits": {task: {split: [ids]}}}``."""
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except FileNotFoundError:
        raise AnnotationError(path, 'split file not found') from None
    except json.JSONDecodeError as exc:
        raise AnnotationError(path, f'invalid JSON: {exc}') from None
    splits = data.get('splits') if isinstance(data, dict) else None
    if not isinstance(splits, dict):
        raise AnnotationError(path, 'expected a top-level "splits" mapping')
    return splits


def read_gtcc_json(path: str,
                   frame_rate: float = 10.0,
                   tasks: Optional[Sequence[str]] = None
                   ) -> Dict[str, Dict[str, List[Segment]]]:
    """Read the GTCC JSON form of EgoProceL.

    ``{task: {handles, hdl_actions, hdl_start_times, hdl_end_times}}`` with
    times as frame indices at ``frame_rate`` fps. Tasks whose label lists do
    not match their handles (the CMU-MMAC tasks of the public file) are an
    error when requested in ``tasks`` and skipped otherwise.

    Returns:
        dict: ``{task: {video_id: [Segment, ...]}}``.
    """
    try:
        with open(path, encoding='utf-8') as f:
            data = json.load(f)
    except FileNotFoundError:
        raise AnnotationError(path, 'annotation file not found') from None
    except json.JSONDecodeError as exc:
        raise AnnotationError(path, f'invalid JSON: {exc}') from None
    if tasks is not None:
        unknown = sorted(set(tasks) - set(data))
        if unknown:
            raise AnnotationError(
                path, f'unknown task(s) {unknown}; known: {sorted(data)}')
    out = {}
    keys = ('handles', 'hdl_actions', 'hdl_start_times', 'hdl_end_times')
    for task, entry in data.items():
        if tasks is not None and task not in tasks:
            continue
        if not all(k in entry for k in keys):
            raise AnnotationError(path, f'task {task!r} lacks one of {keys}')
        lengths = {k: len(entry[k]) for k in keys}
        if len(set(lengths.values())) != 1:
            if tasks is not None:
                raise AnnotationError(
                    path, f'task {task!r} is misaligned: {lengths}')
            continue
        videos = {}
        for vid, acts, starts, ends in zip(*(entry[k] for k in keys)):
            if not len(acts) == len(starts) == len(ends):
                raise AnnotationError(
                    path, f'video {vid!r} of task {task!r} has '
                    f'{len(acts)} actions, {len(starts)} starts and '
                    f'{len(ends)} ends')
            segs = []
            for act, s, e in zip(acts, starts, ends):
                where = f'video {vid!r} of task {task!r}'
                if not str(act).isdigit():
                    raise AnnotationError(path,
                                          f'{where}: action {act!r} is not '
                                          'a numeric id')
                try:
                    seg = _segment(
                        float(s) / frame_rate,
                        float(e) / frame_rate, int(act), path, None)
                except AnnotationError as exc:
                    raise AnnotationError(path, f'{where}: {exc}') from None
                if seg.step > 0:
                    segs.append(seg)
            videos[vid] = segs
        out[task] = videos
    return out


def frame_labels(segments: Sequence[Segment], num_frames: int,
                 fps: float) -> np.ndarray:
    """Per-frame step labels (0 = background).

    Frame ``f`` gets the step whose ``[floor(start * fps), floor(end * fps)]``
    contains it (later segments win on overlap), else 0.
    """
    labels = np.zeros(num_frames, dtype=np.int64)
    for seg in segments:
        first = int(math.floor(seg.start * fps))
        last = min(int(math.floor(seg.end * fps)), num_frames - 1)
        if first <= last:
            labels[first:last + 1] = seg.step
    return labels
