from .base_alignment_loss import AlignmentResult, BaseAlignmentLoss
from .baseline_losses import GWLoss, KOTLoss, TCCLoss
from .contrastive_loss import InterSequenceContrastiveLoss
from .fpgw_loss import FPGWLoss
from .plan_cycle_loss import PlanCycleLoss
from .temporal_idm_loss import ContrastiveIDMLoss
from .uniformity_loss import UniformityLoss

__all__ = [
    'AlignmentResult', 'BaseAlignmentLoss',
    'FPGWLoss', 'InterSequenceContrastiveLoss', 'KOTLoss', 'GWLoss',
    'TCCLoss', 'ContrastiveIDMLoss', 'UniformityLoss', 'PlanCycleLoss'
]
