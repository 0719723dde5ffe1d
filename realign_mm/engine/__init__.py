"""Runner-side helpers: hooks, the closed-form training loop and checkpoint
safety."""
from .checkpoints import (AtomicLocalBackend, resumable_checkpoint,
                          verify_checkpoint)
from .hooks import CheckpointStateHook, SkippedVideosHook
from .loops import PlanCCALoop

__all__ = [
    'CheckpointStateHook', 'SkippedVideosHook', 'PlanCCALoop',
    'AtomicLocalBackend', 'resumable_checkpoint', 'verify_checkpoint'
]
