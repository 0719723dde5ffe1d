"""Registered models: the aligner, necks, losses and data preprocessors."""
from .aligners import ProcedureAligner
from .data_preprocessors import SequenceDataPreprocessor
from .losses import (FPGWLoss, GWLoss, InterSequenceContrastiveLoss, KOTLoss,
                     TCCLoss)
from .necks import (ContextEmbeddingNeck, FrameEmbeddingNeck, IdentityNeck,
                    TemporalNeck)

__all__ = [
    'ProcedureAligner', 'SequenceDataPreprocessor', 'FPGWLoss',
    'InterSequenceContrastiveLoss', 'FrameEmbeddingNeck', 'IdentityNeck',
    'KOTLoss', 'GWLoss', 'TCCLoss', 'ContextEmbeddingNeck', 'TemporalNeck'
]
