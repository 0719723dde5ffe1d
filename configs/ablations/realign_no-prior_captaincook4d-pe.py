# Ablation: no temporal prior (entropic term against the uniform plan).
_base_ = ['../realign/realign_mlp_captaincook4d-pe.py']
model = dict(align_loss=dict(prior='none'))
