# Ablation: no structure term (alpha = 0: partial linear OT + priors).
_base_ = ['../realign/realign_mlp_synthetic.py']
model = dict(align_loss=dict(alpha=0.0))
