# Ablation: no inter-sequence contrastive term.
_base_ = ['../realign/realign_mlp_synthetic.py']
model = dict(contrastive_loss=None)
