"""Pictures: transport maps, key-step timelines, score charts."""
from .plots import (plot_ablation, plot_task_scores, plot_timelines,
                    plot_transport_map)

__all__ = [
    'plot_transport_map', 'plot_timelines', 'plot_task_scores',
    'plot_ablation'
]
