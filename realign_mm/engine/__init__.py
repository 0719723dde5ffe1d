"""Runner-side helpers: hooks and checkpoint safety."""
from .checkpoints import (AtomicLocalBackend, resumable_checkpoint,
                          verify_checkpoint)
from .hooks import CheckpointStateHook, SkippedVideosHook

__all__ = [
    'CheckpointStateHook', 'SkippedVideosHook', 'AtomicLocalBackend',
    'resumable_checkpoint', 'verify_checkpoint'
]
