"""CrossTask: one CSV per video named ``<task>_<video_id>.csv``."""
import glob
import os.path as osp
from typing import List

from mmaction.registry import DATASETS

from .annotations import AnnotationError, read_step_csv
from .base_procedure_dataset import BaseProcedureDataset

__all__ = ['CrossTaskDataset']


@DATASETS.register_module()
class CrossTaskDataset(BaseProcedureDataset):
    """CrossTask key-step annotations.

    ``ann_file`` is the ``annotations`` folder of the release: files
    ``<task id>_<YouTube id>.csv`` with rows ``step,start_s,end_s`` (1-based
    steps). The video id is the YouTube id (which may contain ``_``).
    """

    def parse_annotations(self) -> List[tuple]:
        if not osp.isdir(self.ann_file):
            raise AnnotationError(self.ann_file,
                                  'expected the CrossTask annotations folder')
        records = []
        for path in sorted(glob.glob(osp.join(self.ann_file, '*.csv'))):
            stem = osp.splitext(osp.basename(path))[0]
            task, sep, video_id = stem.partition('_')
            if not sep or not task or not video_id:
                raise AnnotationError(
                    path, 'file name is not <task>_<video id>.csv')
            records.append((task, video_id, read_step_csv(path), path))
        if not records:
            raise AnnotationError(self.ann_file, 'no <task>_<video>.csv files')
        return records
