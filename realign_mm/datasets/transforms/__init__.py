from .formatting import PackProcedureInputs
from .loading import LoadFrameFeatures, sample_frame_indices

__all__ = ['LoadFrameFeatures', 'PackProcedureInputs', 'sample_frame_indices']
