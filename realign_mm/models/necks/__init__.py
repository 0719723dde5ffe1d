from .base_neck import (CLIP_MAPS, FRAME_MAPS, INPUT_KINDS, VECTORS,
                        BaseFrameNeck)
from .context_embedding_neck import ContextEmbeddingNeck
from .frame_embedding_neck import FrameEmbeddingNeck
from .identity_neck import IdentityNeck
from .temporal_neck import TemporalNeck

__all__ = [
    'BaseFrameNeck', 'VECTORS', 'FRAME_MAPS', 'CLIP_MAPS', 'INPUT_KINDS',
    'FrameEmbeddingNeck', 'IdentityNeck', 'ContextEmbeddingNeck',
    'TemporalNeck'
]
