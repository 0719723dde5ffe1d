"""Keep checkpoints loadable with torch's ``weights_only=True``."""
from typing import Any

import numpy as np
from mmaction.registry import HOOKS
from mmengine.hooks import Hook
from mmengine.logging import HistoryBuffer

__all__ = ['CheckpointStateHook', 'to_plain']

_BUFFER_TAG = '__history_buffer__'


def to_plain(obj: Any) -> Any:
    """Turn numpy values and ``HistoryBuffer`` objects into plain types.

    numpy arrays become lists, numpy scalars Python numbers, and a
    ``HistoryBuffer`` a tagged dict that :func:`from_plain` rebuilds. Tensors
    and everything else pass through.
    """
    if isinstance(obj, HistoryBuffer):
        logs, counts = obj.data
        return {
            _BUFFER_TAG: True,
            'log_history': logs.tolist(),
            'count_history': counts.tolist(),
            'max_length': int(obj.max_length),
        }
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return type(obj)((k, to_plain(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_plain(v) for v in obj)
    return obj


def from_plain(obj: Any) -> Any:
    """Rebuild the ``HistoryBuffer`` objects :func:`to_plain` tagged."""
    if isinstance(obj, dict):
        if obj.get(_BUFFER_TAG):
            return HistoryBuffer(obj['log_history'], obj['count_history'],
                                 obj['max_length'])
        return type(obj)((k, from_plain(v)) for k, v in obj.items())
    return obj


@HOOKS.register_module()
class CheckpointStateHook(Hook):
    """Store the runner's message-hub and meta state in plain types.

    mmengine 0.10.7 pickles ``HistoryBuffer`` objects and numpy values into
    checkpoints, which torch >= 2.6 refuses to load with
    ``weights_only=True`` unless unsafe globals (``builtins.getattr``) are
    allowed. This hook converts that state to lists, numbers and dicts before
    saving and rebuilds the buffers after loading, so ``--resume`` works with
    the safe loader. Put it in ``custom_hooks`` (the default runtime does).
    """

    priority = 'VERY_LOW'

    def before_save_checkpoint(self, runner, checkpoint: dict) -> None:
        for key in ('meta', 'message_hub'):
            if key in checkpoint:
                checkpoint[key] = to_plain(checkpoint[key])

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if 'message_hub' in checkpoint:
            checkpoint['message_hub'] = from_plain(checkpoint['message_hub'])
