"""Runner-side helpers: hooks."""
from .hooks import CheckpointStateHook

__all__ = ['CheckpointStateHook']
