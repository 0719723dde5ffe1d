"""The embedded default: synthetic procedure data and alignment problems."""
from .alignment_pairs import trajectory_pairs
from .procedure_videos import generate_video_dataset, render_procedure_video
from .procedure_features import (features_on_gtcc_timelines,
                                 generate_dataset, make_timelines,
                                 synthesize_features, write_egoprocel_csv)

__all__ = ['generate_dataset', 'make_timelines', 'synthesize_features',
           'write_egoprocel_csv', 'features_on_gtcc_timelines',
           'trajectory_pairs', 'generate_video_dataset',
           'render_procedure_video']
