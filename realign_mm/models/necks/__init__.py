from .frame_embedding_neck import FrameEmbeddingNeck
from .identity_neck import IdentityNeck

__all__ = ['FrameEmbeddingNeck', 'IdentityNeck']
