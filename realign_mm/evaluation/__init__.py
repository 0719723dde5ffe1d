"""Key-step discovery and its metrics."""
from .metrics import KeyStepMetric
from .protocols import (EGOPROCEL, EVAL_PROTOCOLS, POOLED, SCORES,
                        metric_key)
from .report import keystep_table

__all__ = [
    'KeyStepMetric', 'keystep_table', 'EGOPROCEL', 'POOLED', 'EVAL_PROTOCOLS',
    'SCORES', 'metric_key'
]
