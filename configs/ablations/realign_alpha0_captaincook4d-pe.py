# Ablation: no structure term (alpha = 0: entropic linear OT with the
# temporal prior), all else REALIGN.
_base_ = ['../realign/realign_mlp_captaincook4d-pe.py']
model = dict(align_loss=dict(alpha=0.0))
