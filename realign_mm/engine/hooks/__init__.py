from .checkpoint_state_hook import CheckpointStateHook, from_plain, to_plain
from .skipped_videos_hook import SkippedVideosHook

__all__ = ['CheckpointStateHook', 'to_plain', 'from_plain', 'SkippedVideosHook']
