"""High-level entry points used by the tools."""
from .ablation import (METHODS, ablation_table, dataset_overrides,
                       run_ablation, run_method)
from .demo import run_demo
from .extract import extract_features
from .visualize import visualize_run

__all__ = [
    'run_demo', 'run_ablation', 'run_method', 'ablation_table',
    'dataset_overrides', 'METHODS', 'visualize_run', 'extract_features'
]
