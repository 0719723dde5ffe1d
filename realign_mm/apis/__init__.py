"""Public entry points for users of a trained aligner (mmaction2's
``apis`` style); experiment drivers live in :mod:`realign_mm.experiments`."""
from .extract import extract_features
from .inference import (PairAlignment, align_pair, build_dataset, embed_video,
                        init_aligner, split_videos)
from .visualize import visualize_run

__all__ = [
    'init_aligner', 'build_dataset', 'split_videos', 'embed_video',
    'align_pair',
    'PairAlignment', 'extract_features', 'visualize_run'
]
