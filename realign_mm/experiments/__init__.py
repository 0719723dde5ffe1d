"""Experiment drivers: the demo, the key-step benchmark of a config family
and the synthetic ablation, the probes of the plan as a teacher and of the
supervised reference, each training and testing configs over seeds
(the tools in ``tools/`` and ``tools/benchmark/`` are thin wrappers)."""
from .ablation import (METHODS, ablation_table, dataset_overrides,
                       merge_overrides, run_ablation, run_method)
from .demo import run_demo
from .embedding_spread import embedding_spread, sphere_spread
from .keystep_benchmark import (HELD_OUT, METRICS, PER_TASK, PROTOCOLS,
                                UNSEEN_TASK, config_family, is_trained,
                                method_name, protocol_runs, results_table,
                                run_benchmark)
from .supervised_reference import (cosine_step_loss, score_embeddings,
                                   supervised_reference, train_supervised)
from .teacher_precision import label_agreement, plan_label_agreement

__all__ = [
    'run_demo', 'run_ablation', 'run_method', 'merge_overrides',
    'ablation_table', 'dataset_overrides', 'METHODS', 'HELD_OUT', 'PER_TASK',
    'UNSEEN_TASK', 'PROTOCOLS', 'METRICS', 'config_family', 'method_name',
    'is_trained', 'protocol_runs', 'results_table', 'run_benchmark',
    'label_agreement', 'plan_label_agreement', 'cosine_step_loss',
    'train_supervised', 'score_embeddings', 'supervised_reference',
    'embedding_spread', 'sphere_spread'
]
