# Ablation: no structure term (alpha = 0: partial linear OT + priors).
_base_ = ['../realign/realign_mlp_synthetic.py']
model = dict(fpgw_loss=dict(alpha=0.0))
