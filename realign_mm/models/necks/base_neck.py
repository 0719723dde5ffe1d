"""The contract of the aligner's necks: what each one consumes."""
from mmengine.model import BaseModule

__all__ = ['BaseFrameNeck', 'VECTORS', 'FRAME_MAPS', 'CLIP_MAPS',
           'INPUT_KINDS']

#: ``(B, T, C)`` per-frame vectors, ``(B, T, W, C)`` with a context window:
#: precomputed features, or a 2D backbone's maps pooled by the aligner
VECTORS = 'vectors'
#: ``(B, T, L, C, h, w)`` a 2D backbone's maps of every sampled frame and
#: its ``L - 1`` context frames
FRAME_MAPS = 'frame_maps'
#: ``(B, C, T', h, w)`` a 3D backbone's maps of the clip; the neck is called
#: as ``neck(maps, num_frames)`` and returns one embedding per input frame
CLIP_MAPS = 'clip_maps'
INPUT_KINDS = (VECTORS, FRAME_MAPS, CLIP_MAPS)


class BaseFrameNeck(BaseModule):
    """Base class of the necks that give one embedding per sampled frame,
    ``(B, T, d)``.

    A subclass declares ``input_kind`` (one of :data:`INPUT_KINDS`), from
    which :class:`~realign_mm.models.ProcedureAligner` knows the inputs it
    takes: precomputed features (``VECTORS``, no backbone), frames for a 2D
    backbone (``VECTORS`` or ``FRAME_MAPS``) or clips for a 3D backbone
    (``CLIP_MAPS``). ``in_channels`` (None when any width goes) is checked
    against the features.
    """
    input_kind: str = VECTORS
    in_channels = None
