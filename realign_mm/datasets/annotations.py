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
    'read_gtcc_json', 'read_captaincook4d_json', 'read_split_file',
    'ANY_TASK', 'frame_labels'
]

#: task key of :func:`read_split_file` for split files that list videos
#: without their task (CaptainCook4D's official form)
ANY_TASK = '*'


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
        self.path, self.line, self.problem = path, line, problem


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
    try:  # utf-8-sig: spreadsheet tools write a byte-order mark
        with open(path, newline='', encoding='utf-8-sig') as f:
            rows = list(csv.reader(f))
    except UnicodeDecodeError as exc:
        raise AnnotationError(
            path, f'not UTF-8 text ({exc.reason} at byte {exc.start}): '
            'save the file as UTF-8') from None
    for line, row in enumerate(rows, start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if any('\n' in cell or '\r' in cell for cell in row):
            raise AnnotationError(
                path, 'a quoted field runs over a line end (unclosed quote?)',
                line)
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


def _number(value, path: str, what: str) -> float:
    """A finite JSON number (not a bool, list or string)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value):
        raise AnnotationError(path, f'{what} {value!r} is not a finite '
                              'number')
    return float(value)


def _load_json(path: str, what: str):
    try:
        with open(path, encoding='utf-8-sig') as f:
            return json.load(f)
    except FileNotFoundError:
        raise AnnotationError(path, f'{what} not found') from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise AnnotationError(path, f'invalid JSON: {exc}') from None


def read_split_file(path: str) -> Dict[str, Dict[str, List[str]]]:
    """Read a split file, in either of its two forms.

    * GTCC: ``{"splits": {task: {split: [video ids]}}}``;
    * CaptainCook4D's official ``{"train": [ids], "val": [...], ...}``,
      returned under the task key :data:`ANY_TASK`.

    Returns:
        dict: ``{task: {split: [video ids]}}``.
    """
    data = _load_json(path, 'split file')
    if not isinstance(data, dict):
        raise AnnotationError(path, 'expected a JSON object')
    if 'splits' in data:
        splits = data['splits']
        if not isinstance(splits, dict) or not all(
                isinstance(p, dict) for p in splits.values()):
            raise AnnotationError(
                path, '"splits" must map each task to {split: [ids]}')
        return splits
    if data and all(isinstance(v, list) for v in data.values()):
        return {ANY_TASK: data}
    raise AnnotationError(
        path, 'expected {"splits": {task: {split: [ids]}}} (GTCC) or '
        '{"train": [ids], "val": [ids], "test": [ids]} (CaptainCook4D)')


def read_captaincook4d_json(path: str) -> Dict[str, dict]:
    """Read CaptainCook4D's ``complete_step_annotations.json``.

    ``{recording_id: {activity_id, activity_name, steps: [{step_id,
    start_time, end_time, description, has_errors}]}}`` with times in
    seconds; a step that was not performed has ``start = end = -1`` and is
    left out.

    Returns:
        dict: ``{recording_id: dict(activity_id, activity_name, segments,
        has_errors, error_steps)}``; ``has_errors`` is True when any
        performed step has errors, ``error_steps`` lists their step ids.
    """
    data = _load_json(path, 'annotation file')
    if not isinstance(data, dict):
        raise AnnotationError(path, 'expected {recording_id: {...}}')
    out = {}
    for rec, entry in data.items():
        where = f'recording {rec!r}'
        if not isinstance(entry, dict) or not all(
                k in entry for k in ('activity_id', 'activity_name', 'steps')):
            raise AnnotationError(
                path, f'{where} lacks activity_id, activity_name or steps')
        if not isinstance(entry['steps'], list):
            raise AnnotationError(path, f'{where}: steps must be a list')
        segments, errors = [], []
        for n, step in enumerate(entry['steps']):
            try:
                sid, start, end = (step['step_id'], step['start_time'],
                                   step['end_time'])
                if isinstance(start, (str, bool)) or isinstance(
                        end, (str, bool)):
                    raise TypeError
                start, end = float(start), float(end)
            except (KeyError, TypeError, ValueError):
                raise AnnotationError(
                    path, f'{where}, step {n}: needs a step_id and numeric '
                    f'start_time and end_time, got {step!r}') from None
            if start == end == -1:  # not performed
                continue
            if not isinstance(sid, int) or isinstance(sid, bool) or sid < 1:
                raise AnnotationError(
                    path, f'{where}, step {n}: step_id {sid!r} is not an '
                    'integer >= 1')
            if not (math.isfinite(start) and math.isfinite(end)):
                raise AnnotationError(
                    path, f'{where}, step {sid}: times {start}, {end} are '
                    'not finite')
            try:
                segments.append(_segment(start, end, sid, path, None))
            except AnnotationError as exc:
                raise AnnotationError(
                    path, f'{where}, step {sid}: {exc.problem}') from None
            if step.get('has_errors'):
                errors.append(sid)
        out[str(rec)] = dict(
            activity_id=entry['activity_id'],
            activity_name=str(entry['activity_name']),
            segments=segments,
            has_errors=bool(errors),
            error_steps=errors)
    return out


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
    data = _load_json(path, 'annotation file')
    if not isinstance(data, dict):
        raise AnnotationError(path, 'expected {task: {handles, ...}}')
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
        if not isinstance(entry, dict) or not all(k in entry for k in keys):
            raise AnnotationError(path, f'task {task!r} lacks one of {keys}')
        if not all(isinstance(entry[k], list) for k in keys):
            raise AnnotationError(path, f'task {task!r}: {keys} must be lists')
        lengths = {k: len(entry[k]) for k in keys}
        if len(set(lengths.values())) != 1:
            if tasks is not None:
                raise AnnotationError(
                    path, f'task {task!r} is misaligned: {lengths}')
            continue
        videos = {}
        for vid, acts, starts, ends in zip(*(entry[k] for k in keys)):
            if not isinstance(vid, str) or not all(
                    isinstance(v, list) for v in (acts, starts, ends)):
                raise AnnotationError(
                    path, f'task {task!r}: a handle must be a string with '
                    f'lists of actions, starts and ends, got {vid!r}')
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
                start = _number(s, path, f'{where}: start')
                end = _number(e, path, f'{where}: end')
                try:
                    seg = _segment(start / frame_rate, end / frame_rate,
                                   int(act), path, None)
                except AnnotationError as exc:
                    raise AnnotationError(
                        path, f'{where}: {exc.problem}') from None
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
