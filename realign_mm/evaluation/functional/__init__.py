"""Plain numpy maths of key-step discovery and scoring."""
from .clustering import (fuzzy_cmeans, kmeans, l2_normalize,
                         spectral_clustering)
from .discovery import METHODS, discover_keysteps, step_order
from .matching import (egoprocel_scores, f1_score, overlap_matrix,
                       pooled_scores)
from .smoothing import chain_energy, smooth_labels

__all__ = [
    'fuzzy_cmeans', 'kmeans', 'spectral_clustering', 'METHODS',
    'l2_normalize', 'discover_keysteps',
    'step_order', 'egoprocel_scores', 'pooled_scores', 'f1_score',
    'overlap_matrix', 'smooth_labels', 'chain_energy'
]
