# Ablation: partial transport, the virtual sink frame of method.md at cost 1
# (this family's default is balanced: the sink took no mass), all else REALIGN.
_base_ = ['../realign/realign_mlp_captaincook4d-pe.py']
model = dict(align_loss=dict(sink_cost=1.0))
