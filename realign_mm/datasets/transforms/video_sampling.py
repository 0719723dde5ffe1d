"""Sample frames of a raw video (or rawframe folder) with exact labels.

Runs between mmaction2's ``DecordInit`` / ``PyAVInit`` (or our
``RawFrameInit``) and ``DecordDecode`` / ``PyAVDecode`` /
``RawFrameDecode``: it chooses ``frame_inds``, keeps every sampled frame's
timestamp and labels it from the annotation at that timestamp.
"""
import os
import os.path as osp
from typing import Optional

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ..annotations import AnnotationError, frame_labels
from .loading import sample_frame_indices

__all__ = ['VideoInit', 'SampleProcedureFrames', 'RawFrameInit']


def _video_fps(results: dict) -> Optional[float]:
    if results.get('avg_fps'):
        return float(results['avg_fps'])
    reader = results.get('video_reader')
    if reader is not None and hasattr(reader, 'streams'):  # PyAV
        rate = reader.streams.video[0].average_rate
        return float(rate) if rate else None
    return results.get('fps')


@TRANSFORMS.register_module()
class VideoInit(BaseTransform):
    """Open a video with mmaction2's ``DecordInit`` or ``PyAVInit`` and turn
    a missing, empty, undecodable or (PyAV) truncated file into an error
    naming the video.

    Args:
        backend (str): ``'decord'`` (default) or ``'pyav'``.
        **kwargs: passed to the mmaction2 transform.
    """

    def __init__(self, backend: str = 'decord', **kwargs) -> None:
        from mmaction.datasets.transforms import DecordInit, PyAVInit
        if backend not in ('decord', 'pyav'):
            raise ValueError(f"backend must be 'decord' or 'pyav', got "
                             f'{backend!r}')
        self.backend = backend
        self.init = (DecordInit if backend == 'decord' else PyAVInit)(
            **kwargs)

    def transform(self, results: dict) -> dict:
        path = results['filename']
        if not osp.isfile(path):
            raise FileNotFoundError(f'video {path} not found')
        if osp.getsize(path) == 0:
            raise ValueError(f'video {path} is empty (0 bytes)')
        try:
            results = self.init(results)
        except Exception as err:  # decoders raise their own types
            raise ValueError(f'video {path} cannot be decoded with '
                             f'{self.backend}: {err}') from err
        if not results.get('total_frames'):
            raise ValueError(f'video {path} has no frames ({self.backend})')
        if self.backend == 'pyav':
            self._check_complete(path, int(results['total_frames']))
        return results

    @staticmethod
    def _check_complete(path: str, total: int) -> None:
        """PyAV trusts the header's frame count and mmaction2's
        ``PyAVDecode`` wraps indices past the decodable frames around (``i
        % len(imgs)``): a file cut after its header would load other frames
        under the sampled frames' labels. Count the stored video packets
        (demuxing only, no decoding) and refuse a file with fewer."""
        import av
        with av.open(path) as container:
            stored = sum(1 for packet in container.demux(video=0)
                         if packet.size > 0)
        if stored < total:
            raise ValueError(
                f'video {path} is truncated: its header says {total} frames '
                f'but the file holds {stored} (pyav)')


@TRANSFORMS.register_module()
class SampleProcedureFrames(BaseTransform):
    """Choose the frames of one video and label each at its timestamp.

    Training: ``num_frames`` frames spread uniformly (one per equal segment,
    random within it with ``jitter``). Testing (``num_frames=None``): every
    frame at ``eval_fps`` (default: the video's own rate). Each sampled frame
    can bring ``context`` earlier frames at ``context_stride`` (CnC / OPEL's
    context embedder), clamped at the first frame of the video.

    Required keys: ``total_frames``, ``segments``, ``video_id``, and the
    video rate (``avg_fps`` from ``DecordInit``, the PyAV reader, or ``fps``).
    Added keys: ``frame_inds`` (``N * (context + 1)``, each frame's context
    first, the frame itself last), ``frame_times`` (``(N,)`` seconds),
    ``frame_labels`` (``(N,)``), ``clip_len`` (``context + 1``),
    ``num_clips`` (``N``), ``num_video_frames``, ``fps``.

    Args:
        num_frames (int, optional): frames per video (None: all, testing).
            Defaults to 32.
        eval_fps (float, optional): test-time rate. Defaults to the video's.
        context (int): earlier frames per sampled frame. Defaults to 0.
        context_stride (int): frames between context frames. Defaults to 1.
        jitter (bool): random frame within each segment. Defaults to True.
        expected_fps (float, optional): the rate the annotation assumes; a
            video at another rate (beyond 1 %) is an error.
        max_overhang (float): seconds an annotation may run past the end of
            the video before it counts as shorter than annotated.
    """

    def __init__(self,
                 num_frames: Optional[int] = 32,
                 eval_fps: Optional[float] = None,
                 context: int = 0,
                 context_stride: int = 1,
                 jitter: bool = True,
                 expected_fps: Optional[float] = None,
                 max_overhang: float = 1.0) -> None:
        if num_frames is not None and num_frames < 1:
            raise ValueError(f'num_frames must be >= 1, got {num_frames}')
        if context < 0 or context_stride < 1:
            raise ValueError('context must be >= 0 and context_stride >= 1')
        self.num_frames = num_frames
        self.eval_fps = eval_fps
        self.context = context
        self.context_stride = context_stride
        self.jitter = jitter
        self.expected_fps = expected_fps
        self.max_overhang = max_overhang

    def transform(self, results: dict) -> dict:
        video = results.get('filename', results.get('frame_dir'))
        total = int(results.get('total_frames') or 0)
        if total <= 0:
            raise ValueError(f'video {video}: no decodable frames '
                             '(zero-length or corrupt)')
        fps = _video_fps(results)
        if not fps or fps <= 0:
            raise ValueError(f'video {video}: unknown frame rate')
        if self.expected_fps and abs(fps - self.expected_fps) > \
                0.01 * self.expected_fps:
            raise ValueError(
                f'video {video} runs at {fps:g} fps but the annotation '
                f'expects {self.expected_fps:g} fps')
        duration = total / fps
        end = max((s.end for s in results['segments']), default=0.0)
        if end > duration + self.max_overhang:
            raise AnnotationError(
                results.get('ann_source', video),
                f'video {results["video_id"]} lasts {duration:.2f} s '
                f'({total} frames at {fps:g} fps) but is annotated up to '
                f'{end:.2f} s')
        if self.num_frames is None:
            rate = self.eval_fps or fps
            count = max(1, int(np.floor(duration * rate)))
            inds = np.minimum(np.floor(np.arange(count) / rate * fps),
                              total - 1).astype(np.int64)
        else:
            inds = sample_frame_indices(total, self.num_frames, self.jitter)
        offsets = self.context_stride * np.arange(-self.context, 1)
        with_context = np.clip(inds[:, None] + offsets[None], 0, total - 1)
        times = inds / fps
        results.update(
            frame_inds=with_context.reshape(-1),
            frame_times=times,
            # the floor rule of the feature path, at the video's own rate
            frame_labels=frame_labels(results['segments'], total, fps)[inds],
            clip_len=self.context + 1,
            num_clips=len(inds),
            num_video_frames=total,
            fps=fps)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(num_frames={self.num_frames}, '
                f'context={self.context}x{self.context_stride})')


@TRANSFORMS.register_module()
class RawFrameInit(BaseTransform):
    """Count the frames of a rawframe folder (``frame_dir``) and set its
    declared rate, so :class:`SampleProcedureFrames` can sample it before
    mmaction2's ``RawFrameDecode``.

    Args:
        fps (float): the rate the frames were extracted at.
        filename_tmpl (str): frame file names. Defaults to
            ``'img_{:05}.jpg'`` (mmaction2's convention, 1-based).
    """

    def __init__(self, fps: float, filename_tmpl: str = 'img_{:05}.jpg'):
        self.fps = fps
        self.filename_tmpl = filename_tmpl

    def transform(self, results: dict) -> dict:
        folder = results['frame_dir']
        if not osp.isdir(folder):
            raise FileNotFoundError(f'rawframe folder {folder} not found')
        prefix = self.filename_tmpl.split('{')[0]
        count = sum(1 for f in os.listdir(folder) if f.startswith(prefix))
        results.update(total_frames=count, fps=self.fps,
                       filename_tmpl=self.filename_tmpl, modality='RGB',
                       offset=1)
        return results
