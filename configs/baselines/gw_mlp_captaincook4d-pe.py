# Baseline: balanced entropic fused GW, model in _base_/models/gw_mlp.py,
# on real CaptainCook4D recordings (train / val / test splits).
_base_ = [
    '../_base_/models/gw_mlp.py', '../_base_/datasets/captaincook4d_pe.py',
    '../_base_/schedules/adam_cosine_1k.py', '../_base_/default_runtime.py'
]
model = dict(neck={{_base_.feature_neck}})
