"""High-level entry points used by the tools."""
from .ablation import (METHODS, ablation_table, dataset_overrides,
                       merge_overrides, run_ablation, run_method)
from .demo import run_demo
from .extract import extract_features
from .keystep_benchmark import (HELD_OUT, METRICS, PER_TASK, PROTOCOLS,
                                config_family, is_trained, method_name,
                                protocol_runs,
                                results_table, run_benchmark)
from .visualize import visualize_run

__all__ = [
    'run_demo', 'run_ablation', 'run_method', 'merge_overrides',
    'ablation_table',
    'dataset_overrides', 'METHODS', 'visualize_run', 'extract_features',
    'HELD_OUT', 'PER_TASK', 'PROTOCOLS', 'METRICS', 'config_family',
    'method_name', 'is_trained', 'protocol_runs', 'results_table', 'run_benchmark'
]
