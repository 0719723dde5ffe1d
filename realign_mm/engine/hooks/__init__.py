from .checkpoint_state_hook import CheckpointStateHook, from_plain, to_plain

__all__ = ['CheckpointStateHook', 'to_plain', 'from_plain']
