"""Report the videos a ``skip_bad_videos`` dataset skipped."""
import logging

from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.logging import print_log

__all__ = ['SkippedVideosHook']


@HOOKS.register_module()
class SkippedVideosHook(Hook):
    """Log how many training videos were skipped, and why, at the end of
    each epoch (and of training, for iteration-based loops).

    Counts what the main process saw: with ``num_workers > 0`` each worker
    logs its own skips as they happen.

    Args:
        interval (int): for iteration-based training, also report every
            ``interval`` iterations. Defaults to 0 (only at the end).
    """
    priority = 'LOW'

    def __init__(self, interval: int = 0) -> None:
        self.interval = interval

    def _report(self, runner) -> None:
        dataset = runner.train_dataloader.dataset
        skipped = getattr(dataset, 'skipped', {})
        if not skipped:
            return
        lines = '\n'.join(f'  {v}: {why}' for v, why in sorted(
            skipped.items()))
        print_log(f'{len(skipped)} training video(s) skipped so far:\n'
                  f'{lines}', logger='current', level=logging.WARNING)

    def after_train_epoch(self, runner) -> None:
        self._report(runner)

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None) -> None:
        if self.interval and self.every_n_train_iters(runner, self.interval):
            self._report(runner)
