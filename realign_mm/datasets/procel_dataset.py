"""ProceL: ``<task>/<video_id>.csv`` with rows ``step,start_s,end_s``."""
import glob
import os.path as osp
from typing import List

from mmaction.registry import DATASETS

from .annotations import AnnotationError, read_step_csv
from .base_procedure_dataset import BaseProcedureDataset

__all__ = ['ProceLDataset']


@DATASETS.register_module()
class ProceLDataset(BaseProcedureDataset):
    """ProceL key-step annotations: one folder per task, one CSV per video
    (rows ``step_id,start_seconds,end_seconds``, 1-based steps)."""

    def parse_annotations(self) -> List[tuple]:
        if not osp.isdir(self.ann_file):
            raise AnnotationError(self.ann_file,
                                  'expected a folder of <task>/<video>.csv')
        records = []
        for path in sorted(glob.glob(osp.join(self.ann_file, '*', '*.csv'))):
            task = osp.basename(osp.dirname(path))
            video_id = osp.splitext(osp.basename(path))[0]
            records.append((task, video_id, read_step_csv(path), path))
        if not records:
            raise AnnotationError(self.ann_file, 'no <task>/<video>.csv files')
        return records
