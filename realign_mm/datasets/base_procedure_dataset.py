"""Common base of the procedure datasets: videos of tasks with key steps."""
import os.path as osp
from abc import abstractmethod
from functools import cached_property
import logging
from typing import Callable, Dict, List, Optional, Sequence, Union

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from .annotations import ANY_TASK, AnnotationError, Segment, read_split_file

__all__ = ['BaseProcedureDataset']


class BaseProcedureDataset(BaseDataset):
    """Videos grouped by task, each with key-step segments in seconds.

    Subclasses implement :meth:`parse_annotations` for one annotation format
    and return ``[(task, video_id, segments, source_file), ...]``; this class
    applies the task and split filters, attaches the per-video input path and
    checks that it exists.

    Each data info holds ``video_id``, ``task``, ``task_id``, ``segments``
    (list of :class:`Segment`), ``feature_path`` (or ``filename`` for video
    sources), ``ann_source`` and any extra metadata of the parser.

    Input files are looked up as ``<prefix>/<name>`` then
    ``<prefix>/<task>/<name>`` (a flat folder or per-task sub-folders), with
    ``name`` from ``feature_template`` / ``video_ext``; files are only read
    when a sample needs them.

    Args:
        ann_file (str): annotation file or folder (format of the subclass).
        pipeline (list): data transforms.
        data_prefix (dict): ``features=<folder of <video_id>.npy>`` for
            feature inputs, or ``video=<folder>`` for raw videos.
        tasks (Sequence[str], optional): keep only these tasks; an unknown
            task is an error. Defaults to all.
        split_file (str, optional): split JSON, GTCC form
            (``{"splits": {task: {split: [ids]}}}``) or CaptainCook4D's
            official form (``{"train": [ids], ...}``). A split naming a video
            that is not annotated is an error.
        split (str, optional): split name inside ``split_file``
            (``'train'``, ``'val'``, ``'test'``).
        feature_ext (str): feature file suffix (``'.npy'`` or ``'.npz'``).
            Defaults to ``'.npy'``.
        feature_template (str, optional): feature file name with
            ``{video_id}`` (and optionally ``{task}``), e.g.
            ``'{video_id}_360p_224.mp4_1s_1s.npz'``. Defaults to
            ``'{video_id}' + feature_ext``.
        video_ext (str): video file suffix. Defaults to ``'.mp4'``.
        test_mode (bool): whole videos, no pairing. Defaults to False.
        skip_bad_videos (bool): in training, skip (and count, see
            :attr:`skipped` and :class:`~realign_mm.engine.hooks.
            SkippedVideosHook`) videos that are missing, undecodable,
            shorter than annotated or at the wrong fps, instead of stopping
            with the error. Never in test mode: an evaluation does not drop
            videos silently. Defaults to False.
    """

    def __init__(self,
                 ann_file: str,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 data_prefix: Optional[dict] = None,
                 tasks: Optional[Sequence[str]] = None,
                 split_file: Optional[str] = None,
                 split: Optional[str] = None,
                 feature_ext: str = '.npy',
                 feature_template: Optional[str] = None,
                 video_ext: str = '.mp4',
                 test_mode: bool = False,
                 skip_bad_videos: bool = False,
                 **kwargs) -> None:
        if (split_file is None) != (split is None):
            raise ValueError('split_file and split must be given together')
        self.tasks = None if tasks is None else list(tasks)
        self.split_file = split_file
        self.split = split
        self.feature_template = feature_template or ('{video_id}' +
                                                     feature_ext)
        self.video_ext = video_ext
        self.skip_bad_videos = skip_bad_videos
        #: video_id -> why it was skipped (this process)
        self.skipped: Dict[str, str] = {}
        super().__init__(
            ann_file=ann_file,
            pipeline=list(pipeline),
            data_prefix=data_prefix or dict(features=''),
            test_mode=test_mode,
            **kwargs)

    @abstractmethod
    def parse_annotations(self) -> List[tuple]:
        """Return ``[(task, video_id, [Segment, ...], source_file), ...]``,
        optionally with a fifth item: a dict of metadata for the sample."""

    def _split_ids(self, records: List[tuple]) -> Optional[set]:
        """``(task, video_id)`` of the split (task :data:`ANY_TASK` for
        split files without tasks); an unannotated video is an error."""
        if self.split_file is None:
            return None
        annotated = {(r[0], r[1]) for r in records}
        videos = {r[1] for r in records}
        tasks = {r[0] for r in records}
        ids = set()
        for task, parts in read_split_file(self.split_file).items():
            if task != ANY_TASK and task not in tasks:
                continue  # e.g. the misaligned GTCC tasks, skipped
            if self.split not in parts:
                raise AnnotationError(
                    self.split_file,
                    f'{"the file" if task == ANY_TASK else f"task {task!r}"}'
                    f' has no split {self.split!r}; it has {sorted(parts)}')
            known = videos if task == ANY_TASK else {
                v for t, v in annotated if t == task}
            unknown = sorted(set(map(str, parts[self.split])) - known)
            if unknown:
                raise AnnotationError(
                    self.split_file,
                    f'split {self.split!r} names {len(unknown)} video(s) '
                    f'that {self.ann_file} does not annotate: '
                    f'{unknown[:5]}{" ..." if len(unknown) > 5 else ""}')
            ids.update((task, str(v)) for v in parts[self.split])
        return ids

    def _input_path(self, video_id: str, task: str, source: str) -> dict:
        if self.data_prefix.get('video'):
            prefix, key = self.data_prefix['video'], 'filename'
            name = video_id + self.video_ext
        else:
            prefix, key = self.data_prefix.get('features', ''), 'feature_path'
            name = self.feature_template.format(video_id=video_id, task=task)
        tried = [osp.join(prefix, name), osp.join(prefix, task, name)]
        for path in tried:
            if osp.isfile(path):
                return {key: path}
        raise FileNotFoundError(
            f'{source}: annotated video {video_id!r} has no input file '
            f'(tried {tried[0]} and {tried[1]})')

    def _skip(self, video_id: str, reason: str) -> None:
        if video_id not in self.skipped:
            self.skipped[video_id] = reason
            print_log(f'skipping video {video_id}: {reason}',
                      logger='current', level=logging.WARNING)

    @cached_property
    def _task_indices(self) -> Dict[str, List[int]]:
        """``{task: [indices]}`` of the loaded data list."""
        indices: Dict[str, List[int]] = {}
        for i in range(len(self)):
            indices.setdefault(self.get_data_info(i)['task'], []).append(i)
        return indices

    def prepare_data(self, idx: int):
        """The pipeline's output. With ``skip_bad_videos`` (training only) a
        video whose file or annotation is bad is recorded in
        :attr:`skipped` and replaced by the next video *of the same task*
        that loads, so a same-task pair stays one; the replacement's
        ``skipped_videos`` metainfo names the videos it stands for (which
        :class:`~realign_mm.engine.SkippedVideosHook` counts across
        dataloader workers and ranks). A task none of whose videos loads
        stops with the reasons."""
        if not (self.skip_bad_videos and not self.test_mode):
            return super().prepare_data(idx)
        same = self._task_indices[self.get_data_info(idx)['task']]
        start = same.index(idx)
        replaced = {}
        for other in same[start:] + same[:start]:  # idx first, then on
            video = self.get_data_info(other)['video_id']
            if video in self.skipped:
                replaced[video] = self.skipped[video]
                continue
            try:
                data = super().prepare_data(other)
            except (ValueError, FileNotFoundError) as err:
                self._skip(video, str(err))
                replaced[video] = str(err)
                continue
            if replaced:
                sample = data.get('data_samples')
                if sample is not None:
                    sample.set_metainfo(dict(skipped_videos=replaced))
            return data
        reasons = '; '.join(f'{v}: {r}' for v, r in sorted(replaced.items()))
        task = self.get_data_info(idx)['task']
        raise ValueError(f'skip_bad_videos: no video of task {task!r} '
                         f'loads ({reasons})')

    def load_data_list(self) -> List[dict]:
        records = annotated = self.parse_annotations()
        known = sorted({r[0] for r in records})
        if self.tasks is not None:
            unknown = sorted(set(self.tasks) - set(known))
            if unknown:
                raise AnnotationError(
                    self.ann_file,
                    f'unknown task(s) {unknown}; annotated: {known}')
            records = [r for r in records if r[0] in self.tasks]
        split_ids = self._split_ids(annotated)
        if split_ids is not None:
            records = [r for r in records if (r[0], r[1]) in split_ids
                       or (ANY_TASK, r[1]) in split_ids]
        task_names = sorted({r[0] for r in records})
        task_ids = {t: i for i, t in enumerate(task_names)}
        self._metainfo['tasks'] = task_names
        data_list, overlapping = [], []
        for task, video_id, segments, source, *extra in sorted(
                records, key=lambda r: (r[0], r[1])):
            info = dict(
                video_id=video_id,
                task=task,
                task_id=task_ids[task],
                segments=[Segment(*s) for s in segments],
                ann_source=source)
            if extra:  # parser metadata, e.g. CaptainCook4D's has_errors
                info.update(extra[0])
            if _overlaps(info['segments']):
                overlapping.append(video_id)
            try:
                info.update(self._input_path(video_id, task, source))
            except FileNotFoundError as err:
                if not (self.skip_bad_videos and not self.test_mode):
                    raise
                self._skip(video_id, str(err))
                continue
            data_list.append(info)
        if not data_list:
            raise AnnotationError(
                self.ann_file, 'no annotated video left after the task and '
                'split filters')
        if overlapping:  # once per dataset, not per video
            print_log(
                f'{self.ann_file}: {len(overlapping)} of {len(records)} '
                f'videos have overlapping step segments (e.g. '
                f'{overlapping[:3]}); their shared frames get the label of '
                'the segment later in the file', logger='current',
                level=logging.WARNING)
        return data_list


def _overlaps(segments: List[Segment]) -> bool:
    """Whether two segments of different steps share time."""
    ordered = sorted(segments, key=lambda seg: seg.start)
    return any(b.start < a.end and a.step != b.step
               for a, b in zip(ordered, ordered[1:]))
