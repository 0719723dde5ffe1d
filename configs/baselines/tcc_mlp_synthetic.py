# Baseline: temporal cycle-consistency (TCC), model in _base_/models/tcc_mlp.py,
# on the embedded synthetic procedures.
_base_ = [
    '../_base_/models/tcc_mlp.py', '../_base_/datasets/synthetic_features.py',
    '../_base_/schedules/adam_cosine_3k.py', '../_base_/default_runtime.py'
]
