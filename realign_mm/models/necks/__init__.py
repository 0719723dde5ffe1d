from .context_embedding_neck import ContextEmbeddingNeck
from .frame_embedding_neck import FrameEmbeddingNeck
from .identity_neck import IdentityNeck
from .temporal_neck import TemporalNeck

__all__ = [
    'FrameEmbeddingNeck', 'IdentityNeck', 'ContextEmbeddingNeck',
    'TemporalNeck'
]
