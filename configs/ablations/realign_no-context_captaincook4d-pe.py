# Ablation: no context window (each frame alone, still centred), all else
# REALIGN.
_base_ = ['../realign/realign_mlp_captaincook4d-pe.py']
model = dict(neck=dict(context_window=1))
load = dict(type='LoadFrameFeatures', fps=1.0, center=True)
train_dataloader = dict(dataset=dict(pipeline=[
    dict(**load, num_frames=32, jitter=True),
    dict(type='PackProcedureInputs')
]))
val_dataloader = dict(dataset=dict(pipeline=[
    dict(**load), dict(type='PackProcedureInputs')
]))
test_dataloader = val_dataloader
