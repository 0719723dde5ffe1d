"""Report the videos a ``skip_bad_videos`` dataset skipped."""
import logging
from typing import Dict

from mmaction.registry import HOOKS
from mmengine.dist import all_gather_object, get_world_size
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop

__all__ = ['SkippedVideosHook']


@HOOKS.register_module()
class SkippedVideosHook(Hook):
    """Log how many training videos were skipped, and why, at the end of
    each epoch and of training (and every ``interval`` iterations).

    The count is exact across dataloader workers and ranks: a replacement
    video carries the videos it stands for in its ``skipped_videos``
    metainfo, which this hook reads from every batch in the main process,
    and the ranks' sets are gathered before each report.

    Args:
        interval (int): for iteration-based training, also report every
            ``interval`` iterations. Defaults to 0 (only at the end).
    """
    priority = 'LOW'

    def __init__(self, interval: int = 0) -> None:
        self.interval = interval
        self.skipped: Dict[str, str] = {}

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        for sample in (data_batch or {}).get('data_samples') or []:
            self.skipped.update(sample.metainfo.get('skipped_videos', {}))
        if self.interval and self.every_n_train_iters(runner, self.interval):
            self._report()

    def all_skipped(self) -> Dict[str, str]:
        """Every rank's skipped videos (a collective call under DDP)."""
        if get_world_size() == 1:
            return dict(self.skipped)
        merged: Dict[str, str] = {}
        for part in all_gather_object(self.skipped):
            merged.update(part)
        return merged

    def _report(self) -> None:
        skipped = self.all_skipped()
        if not skipped:
            return
        lines = '\n'.join(f'  {v}: {why}' for v, why in sorted(
            skipped.items()))
        print_log(f'{len(skipped)} training video(s) skipped so far:\n'
                  f'{lines}', logger='current', level=logging.WARNING)

    def after_train_epoch(self, runner) -> None:
        self._report()

    def after_train(self, runner) -> None:
        if isinstance(runner.train_loop, IterBasedTrainLoop):
            self._report()
