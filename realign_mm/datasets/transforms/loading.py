"""Load per-frame features and sample frames with exact labels."""
import zipfile
from typing import Optional

import numpy as np
from mmaction.registry import TRANSFORMS
from mmcv.transforms import BaseTransform

from ..annotations import frame_labels

__all__ = ['LoadFrameFeatures', 'sample_frame_indices']


def sample_frame_indices(num_video_frames: int, num_frames: Optional[int],
                         jitter: bool, rng=np.random) -> np.ndarray:
    """Indices of ``num_frames`` frames spread uniformly over the video.

    The video is cut into ``num_frames`` equal segments; training takes a
    random frame per segment (``jitter``), testing its centre. ``None``
    keeps every frame. Shorter videos repeat frames; indices are sorted.
    ``rng`` defaults to numpy's global generator, which mmengine seeds (per
    worker too), so runs with a seed are reproducible.
    """
    if num_frames is None:
        return np.arange(num_video_frames)
    edges = np.linspace(0, num_video_frames, num_frames + 1)
    width = edges[1:] - edges[:-1]
    offset = rng.random(num_frames) if jitter else np.full(num_frames, 0.5)
    inds = np.floor(edges[:-1] + offset * width).astype(np.int64)
    return np.clip(inds, 0, num_video_frames - 1)


@TRANSFORMS.register_module()
class LoadFrameFeatures(BaseTransform):
    """Load ``(T, C)`` features of a video and label its frames.

    Reads ``.npy`` (memory-mapped: only the sampled frames are read) or
    ``.npz`` (the array under ``npz_key``) files; any float dtype is cast to
    float32.

    Required keys: ``feature_path``, ``segments``, ``video_id``.
    Added keys: ``feats`` (``(n, C)`` float32, or ``(n, 2 c + 1, C)`` with
    ``context``), ``frame_inds``,
    ``frame_labels`` (step id of each sampled frame, 0 = background),
    ``num_video_frames``, ``fps``.

    Args:
        fps (float): frame rate of the feature files.
        num_frames (int, optional): frames sampled per video; None keeps
            all (testing). Defaults to None.
        jitter (bool): random frame within each segment. Defaults to True.
        max_overhang (float): seconds an annotation may run past the last
            feature frame before the video counts as shorter than annotated
            (an error). Defaults to 1.0.
        npz_key (str): array of ``.npz`` files. Defaults to ``'features'``.
        center (bool): subtract the video's mean feature (over all its
            frames, also when sampling) from every frame: a label-free
            per-video normalisation that removes what is constant within a
            recording (camera, scene, person). Defaults to False.
        context (int): each sampled frame also brings the ``context``
            frames before and after it at ``context_stride`` (clamped at the
            ends), read at the features' own rate in training and testing
            alike: ``feats`` becomes ``(n, 2 * context + 1, C)``, the
            sampled frame in the middle (feature-level CnC context; see
            :class:`FrameEmbeddingNeck`). Defaults to 0.
        context_stride (int): frames between context frames. Defaults to 1.
    """

    def __init__(self,
                 fps: float,
                 num_frames: Optional[int] = None,
                 jitter: bool = True,
                 max_overhang: float = 1.0,
                 npz_key: str = 'features',
                 center: bool = False,
                 context: int = 0,
                 context_stride: int = 1) -> None:
        if fps <= 0:
            raise ValueError(f'fps must be > 0, got {fps}')
        self.fps = fps
        self.num_frames = num_frames
        self.jitter = jitter
        self.max_overhang = max_overhang
        self.npz_key = npz_key
        self.center = center
        if context < 0 or context_stride < 1:
            raise ValueError(f'context {context} must be >= 0 and '
                             f'context_stride {context_stride} >= 1')
        self.context = context
        self.context_stride = context_stride

    def _load(self, path: str) -> np.ndarray:
        try:
            if not path.endswith('.npz'):
                return np.load(path, mmap_mode='r')
            with np.load(path) as archive:
                if self.npz_key not in archive.files:
                    raise ValueError(
                        f'{path}: no array {self.npz_key!r} (it has '
                        f'{archive.files}); set LoadFrameFeatures.npz_key')
                return archive[self.npz_key]
        except (OSError, EOFError, zipfile.BadZipFile) as exc:
            reason = str(exc) or 'empty or truncated file'
            raise ValueError(
                f'{path}: cannot read features ({reason})') from None
        except ValueError as exc:
            if str(exc).startswith(path):
                raise
            raise ValueError(f'{path}: cannot read features ({exc})') from None
        except Exception as exc:  # numpy's header parser on garbage bytes
            raise ValueError(f'{path}: cannot read features (a malformed '
                             f'header: {type(exc).__name__})') from None

    def transform(self, results: dict) -> dict:
        path = results['feature_path']
        feats = self._load(path)
        if feats.ndim != 2 or feats.shape[0] == 0 or feats.shape[1] == 0:
            raise ValueError(f'{path}: expected a (T, C) array with T, C > 0,'
                             f' got shape {feats.shape}')
        if not (np.issubdtype(feats.dtype, np.floating)
                or np.issubdtype(feats.dtype, np.integer)):
            raise ValueError(f'{path}: features must be numbers, got dtype '
                             f'{feats.dtype}')
        total = feats.shape[0]
        duration = total / self.fps
        for seg in results['segments']:
            if seg.end > duration + self.max_overhang:
                raise ValueError(
                    f'{results.get("ann_source", path)}: video '
                    f'{results["video_id"]!r} is annotated up to {seg.end:.2f}'
                    f' s but its features {path} cover {duration:.2f} s at '
                    f'{self.fps} fps (fps mismatch or truncated video?)')
        inds = sample_frame_indices(total, self.num_frames, self.jitter)
        window = inds
        if self.context:  # (n, 2 c + 1) frame indices, clamped at the ends
            offsets = self.context_stride * np.arange(-self.context,
                                                      self.context + 1)
            window = np.clip(inds[:, None] + offsets, 0, total - 1)
        sampled = np.asarray(feats[window.ravel()], dtype=np.float32)
        sampled = sampled.reshape(*window.shape, -1)
        bad = ~np.isfinite(sampled).all(-1)  # per read frame
        if bad.any():
            raise ValueError(f'{path}: features of frame '
                             f'{int(window[bad][0])} contain NaN or inf')
        if self.center:
            mean = np.asarray(feats, dtype=np.float64).mean(0)
            if not np.isfinite(mean).all():
                raise ValueError(f'{path}: features contain NaN or inf')
            sampled -= mean.astype(np.float32)
        labels = frame_labels(results['segments'], total, self.fps)
        results.update(
            feats=sampled,
            frame_inds=inds,
            frame_labels=labels[inds],
            num_video_frames=total,
            fps=self.fps)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(fps={self.fps}, '
                f'num_frames={self.num_frames}, jitter={self.jitter}, '
                f'npz_key={self.npz_key!r}, center={self.center}, '
                f'context={self.context}, '
                f'context_stride={self.context_stride})')
