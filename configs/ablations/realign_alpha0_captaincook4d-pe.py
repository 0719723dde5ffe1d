# Ablation: no structure term (alpha = 0: partial linear OT + prior).
_base_ = ['../realign/realign_mlp_captaincook4d-pe.py']
model = dict(align_loss=dict(alpha=0.0))
