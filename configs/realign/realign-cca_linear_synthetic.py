# REALIGN-CCA on the embedded synthetic procedures: the closed-form fit of
# realign-cca_linear_captaincook4d-pe.py (a linear neck fitted to the
# R-FPGWOT plans of every same-task training pair) with that family's
# settings; the output keeps half the 64 input channels.
_base_ = [
    '../_base_/models/realign_mlp.py',
    '../_base_/datasets/synthetic_features.py',
    '../_base_/schedules/plan_cca_fit.py', '../_base_/default_runtime.py'
]
model = dict(
    neck=dict(out_channels=32, num_layers=0),
    align_loss=dict(prior='none', sink_cost=None),
    contrastive_loss=None)
# 256 frames of every training video for the fit
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadFrameFeatures', fps={{_base_.feature_fps}},
         num_frames=256, jitter=True),
    dict(type='PackProcedureInputs')
]))
