from .formatting import PackProcedureInputs
from .loading import LoadFrameFeatures, sample_frame_indices
from .video_sampling import RawFrameInit, SampleProcedureFrames, VideoInit

__all__ = [
    'LoadFrameFeatures', 'PackProcedureInputs', 'sample_frame_indices',
    'SampleProcedureFrames', 'RawFrameInit', 'VideoInit'
]
