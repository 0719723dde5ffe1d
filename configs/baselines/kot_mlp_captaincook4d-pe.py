# Baseline: KOT (OPEL's Kantorovich OT with a virtual frame), model in _base_/models/kot_mlp.py,
# on real CaptainCook4D recordings (train / val / test splits).
_base_ = [
    '../_base_/models/kot_mlp.py', '../_base_/datasets/captaincook4d_pe.py',
    '../_base_/schedules/adam_cosine_1k.py', '../_base_/default_runtime.py'
]
# no contrastive term, as REALIGN on this data (it lowered F1 on val)
model = dict(neck={{_base_.feature_neck}}, contrastive_loss=None)
