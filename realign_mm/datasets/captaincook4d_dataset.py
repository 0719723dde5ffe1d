"""CaptainCook4D: recordings of recipes with step timelines in one JSON."""
from typing import List, Optional, Sequence, Union

from mmaction.registry import DATASETS

from .annotations import AnnotationError, read_captaincook4d_json
from .base_procedure_dataset import BaseProcedureDataset

__all__ = ['CaptainCook4DDataset']


@DATASETS.register_module()
class CaptainCook4DDataset(BaseProcedureDataset):
    """CaptainCook4D step annotations, read from the release as it is.

    ``ann_file`` is ``annotation_json/complete_step_annotations.json``
    (steps in seconds; a step not performed, ``start = end = -1``, is left
    out); the recipe (``activity_name``) is the task, ``step_id`` the label,
    0 background. ``split_file`` is the official
    ``recordings_data_split_combined.json`` form ``{"train": [ids], "val":
    [...], "test": [...]}``. Each sample's metainfo keeps ``has_errors``
    (any performed step has errors) and ``error_steps``.

    Features as released: ``feature_template=
    '{video_id}_360p_224.mp4_1s_1s.npz'`` (key ``features``, 1 fps), in a
    flat folder or per-recipe sub-folders.

    Args:
        activities (Sequence[int | str], optional): keep only these recipes,
            by activity id or name; an unknown one is an error. Defaults to
            all.
        **kwargs: see :class:`BaseProcedureDataset` (``tasks`` filters by
            recipe name too).
    """

    def __init__(self,
                 *args,
                 activities: Optional[Sequence[Union[int, str]]] = None,
                 **kwargs) -> None:
        self.activities = None if activities is None else list(activities)
        super().__init__(*args, **kwargs)

    def parse_annotations(self) -> List[tuple]:
        recordings = read_captaincook4d_json(self.ann_file)
        if self.activities is not None:
            names = {}
            for rec in recordings.values():
                names[rec['activity_id']] = rec['activity_name']
                names[str(rec['activity_id'])] = rec['activity_name']
                names[rec['activity_name']] = rec['activity_name']
            unknown = [a for a in self.activities if a not in names]
            if unknown:
                raise AnnotationError(
                    self.ann_file, f'unknown activities {unknown}; known: '
                    + ', '.join(f'{k} {v!r}' for k, v in sorted(
                        (k, v) for k, v in names.items()
                        if isinstance(k, int))))
            wanted = {names[a] for a in self.activities}
            self.tasks = sorted(wanted if self.tasks is None else
                                wanted & set(self.tasks))
        return [(rec['activity_name'], rec_id, rec['segments'],
                 self.ann_file,
                 dict(activity_id=rec['activity_id'],
                      has_errors=rec['has_errors'],
                      error_steps=rec['error_steps']))
                for rec_id, rec in recordings.items()]
