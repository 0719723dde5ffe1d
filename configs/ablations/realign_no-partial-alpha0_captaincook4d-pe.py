# Ablation: balanced entropic linear OT with the temporal prior (no sink, alpha = 0).
_base_ = ['../realign/realign_mlp_captaincook4d-pe.py']
model = dict(align_loss=dict(sink_cost=None, alpha=0.0))
