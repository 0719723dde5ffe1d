"""Runner-side helpers: hooks."""
from .hooks import CheckpointStateHook, SkippedVideosHook

__all__ = ['CheckpointStateHook', 'SkippedVideosHook']
