# Ablation: balanced transport (no virtual sink frame), all else REALIGN.
_base_ = ['../realign/realign_mlp_synthetic.py']
model = dict(align_loss=dict(sink_cost=None))
