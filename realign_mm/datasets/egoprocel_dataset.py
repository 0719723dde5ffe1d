"""EgoProceL: per-video CSVs or the GTCC JSON form."""
import glob
import os.path as osp
from typing import List

from mmaction.registry import DATASETS

from .annotations import AnnotationError, read_egoprocel_csv, read_gtcc_json
from .base_procedure_dataset import BaseProcedureDataset

__all__ = ['EgoProceLDataset']


@DATASETS.register_module()
class EgoProceLDataset(BaseProcedureDataset):
    """EgoProceL key-step annotations (method.md section 5).

    Two layouts, chosen by ``ann_file``:

    * a folder of per-video CSVs, ``<ann_file>/<task>/**/<video_id>.csv``
      (no header; rows ``start_s,end_s,"<id> <step name>"``), as released;
    * a ``.json`` file in the GTCC form (``{task: {handles, hdl_actions,
      hdl_start_times, hdl_end_times}}``, times as frames at
      ``ann_frame_rate`` fps), usually with the GTCC ``split_file``.

    Args:
        ann_frame_rate (float): frame rate of the JSON times. Defaults to 10.
        **kwargs: see :class:`BaseProcedureDataset`.
    """

    def __init__(self, *args, ann_frame_rate: float = 10.0, **kwargs):
        self.ann_frame_rate = ann_frame_rate
        super().__init__(*args, **kwargs)

    def parse_annotations(self) -> List[tuple]:
        if osp.isdir(self.ann_file):
            return self._parse_csv_folder()
        if self.ann_file.endswith('.json'):
            timelines = read_gtcc_json(self.ann_file, self.ann_frame_rate,
                                       self.tasks)
            return [(task, vid, segs, self.ann_file)
                    for task, videos in timelines.items()
                    for vid, segs in videos.items()]
        raise AnnotationError(
            self.ann_file, 'expected a folder of per-video CSVs or a GTCC '
            '.json file')

    def _parse_csv_folder(self) -> List[tuple]:
        records = []
        pattern = osp.join(self.ann_file, '*', '**', '*.csv')
        for path in sorted(glob.glob(pattern, recursive=True)):
            rel = osp.relpath(path, self.ann_file)
            task = rel.split(osp.sep)[0]
            video_id = osp.splitext(osp.basename(path))[0]
            records.append((task, video_id, read_egoprocel_csv(path), path))
        if not records:
            raise AnnotationError(self.ann_file,
                                  'no <task>/<video>.csv files found')
        return records
