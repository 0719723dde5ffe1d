from .baseline_losses import GWLoss, KOTLoss, TCCLoss
from .contrastive_loss import InterSequenceContrastiveLoss
from .fpgw_loss import FPGWLoss

__all__ = [
    'FPGWLoss', 'InterSequenceContrastiveLoss', 'KOTLoss', 'GWLoss',
    'TCCLoss'
]
