"""Procedure datasets (one per annotation format), transforms, samplers."""
from .annotations import (ANY_TASK, AnnotationError, Segment, frame_labels,
                          read_captaincook4d_json, read_egoprocel_csv,
                          read_gtcc_json, read_split_file, read_step_csv)
from .base_procedure_dataset import BaseProcedureDataset
from .captaincook4d_dataset import CaptainCook4DDataset
from .crosstask_dataset import CrossTaskDataset
from .egoprocel_dataset import EgoProceLDataset
from .procel_dataset import ProceLDataset
from .samplers import SameTaskPairSampler
from .transforms import (LoadFrameFeatures, PackProcedureInputs,
                         sample_frame_indices)

__all__ = [
    'AnnotationError', 'Segment', 'frame_labels', 'read_egoprocel_csv',
    'read_gtcc_json', 'read_captaincook4d_json', 'read_split_file',
    'read_step_csv', 'ANY_TASK', 'BaseProcedureDataset',
    'CaptainCook4DDataset', 'EgoProceLDataset', 'CrossTaskDataset',
    'ProceLDataset', 'SameTaskPairSampler', 'LoadFrameFeatures',
    'PackProcedureInputs', 'sample_frame_indices'
]
