"""Common base of the procedure datasets: videos of tasks with key steps."""
import os.path as osp
from abc import abstractmethod
import logging
from typing import Callable, Dict, List, Optional, Sequence, Union

from mmengine.dataset import BaseDataset
from mmengine.logging import print_log

from .annotations import AnnotationError, Segment, read_split_file

__all__ = ['BaseProcedureDataset']


class BaseProcedureDataset(BaseDataset):
    """Videos grouped by task, each with key-step segments in seconds.

    Subclasses implement :meth:`parse_annotations` for one annotation format
    and return ``[(task, video_id, segments, source_file), ...]``; this class
    applies the task and split filters, attaches the per-video input path and
    checks that it exists.

    Each data info holds ``video_id``, ``task``, ``task_id``, ``segments``
    (list of :class:`Segment`), ``feature_path`` (or ``filename`` for video
    sources) and ``ann_source``.

    Args:
        ann_file (str): annotation file or folder (format of the subclass).
        pipeline (list): data transforms.
        data_prefix (dict): ``features=<folder of <video_id>.npy>`` for
            feature inputs, or ``video=<folder>`` for raw videos.
        tasks (Sequence[str], optional): keep only these tasks; an unknown
            task is an error. Defaults to all.
        split_file (str, optional): GTCC-style split JSON.
        split (str, optional): split name inside ``split_file``
            (``'train'``, ``'val'``, ``'test'``).
        feature_ext (str): feature file suffix. Defaults to ``'.npy'``.
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
                 video_ext: str = '.mp4',
                 test_mode: bool = False,
                 skip_bad_videos: bool = False,
                 **kwargs) -> None:
        if (split_file is None) != (split is None):
            raise ValueError('split_file and split must be given together')
        self.tasks = None if tasks is None else list(tasks)
        self.split_file = split_file
        self.split = split
        self.feature_ext = feature_ext
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
        """Return ``[(task, video_id, [Segment, ...], source_file), ...]``."""

    def _split_ids(self) -> Optional[set]:
        if self.split_file is None:
            return None
        ids = set()
        for task, parts in read_split_file(self.split_file).items():
            if self.split not in parts:
                raise AnnotationError(
                    self.split_file,
                    f'task {task!r} has no split {self.split!r}')
            ids.update((task, v) for v in parts[self.split])
        return ids

    def _input_path(self, video_id: str, source: str) -> dict:
        if self.data_prefix.get('video'):
            path = osp.join(self.data_prefix['video'], video_id +
                            self.video_ext)
            key = 'filename'
        else:
            path = osp.join(self.data_prefix.get('features', ''),
                            video_id + self.feature_ext)
            key = 'feature_path'
        if not osp.isfile(path):
            raise FileNotFoundError(
                f'{source}: annotated video {video_id!r} has no input file '
                f'{path}')
        return {key: path}

    def _skip(self, video_id: str, reason: str) -> None:
        if video_id not in self.skipped:
            self.skipped[video_id] = reason
            print_log(f'skipping video {video_id}: {reason}',
                      logger='current', level=logging.WARNING)

    def prepare_data(self, idx: int):
        """The pipeline's output; with ``skip_bad_videos`` (training only)
        a video whose file or annotation is bad is recorded in
        :attr:`skipped` and mmengine draws another one."""
        try:
            return super().prepare_data(idx)
        except (ValueError, FileNotFoundError) as err:
            if not (self.skip_bad_videos and not self.test_mode):
                raise
            self._skip(self.get_data_info(idx)['video_id'], str(err))
            return None  # mmengine re-fetches another index

    def load_data_list(self) -> List[dict]:
        records = self.parse_annotations()
        known = sorted({r[0] for r in records})
        if self.tasks is not None:
            unknown = sorted(set(self.tasks) - set(known))
            if unknown:
                raise AnnotationError(
                    self.ann_file,
                    f'unknown task(s) {unknown}; annotated: {known}')
            records = [r for r in records if r[0] in self.tasks]
        split_ids = self._split_ids()
        if split_ids is not None:
            records = [r for r in records if (r[0], r[1]) in split_ids]
        task_names = sorted({r[0] for r in records})
        task_ids = {t: i for i, t in enumerate(task_names)}
        self._metainfo['tasks'] = task_names
        data_list = []
        for task, video_id, segments, source in sorted(
                records, key=lambda r: (r[0], r[1])):
            info = dict(
                video_id=video_id,
                task=task,
                task_id=task_ids[task],
                segments=[Segment(*s) for s in segments],
                ann_source=source)
            try:
                info.update(self._input_path(video_id, source))
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
        return data_list
