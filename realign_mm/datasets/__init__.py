"""Procedure datasets (one per annotation format), transforms, samplers."""
from .annotations import (AnnotationError, Segment, frame_labels,
                          read_egoprocel_csv, read_gtcc_json,
                          read_split_file, read_step_csv)
from .base_procedure_dataset import BaseProcedureDataset
from .crosstask_dataset import CrossTaskDataset
from .egoprocel_dataset import EgoProceLDataset
from .procel_dataset import ProceLDataset
from .samplers import SameTaskPairSampler
from .transforms import (LoadFrameFeatures, PackProcedureInputs,
                         sample_frame_indices)

__all__ = [
    'AnnotationError', 'Segment', 'frame_labels', 'read_egoprocel_csv',
    'read_gtcc_json', 'read_split_file', 'read_step_csv',
    'BaseProcedureDataset', 'EgoProceLDataset', 'CrossTaskDataset',
    'ProceLDataset', 'SameTaskPairSampler', 'LoadFrameFeatures',
    'PackProcedureInputs', 'sample_frame_indices'
]
