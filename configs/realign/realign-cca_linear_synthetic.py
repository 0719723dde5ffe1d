# REALIGN-CCA on the embedded synthetic procedures: the closed-form fit of
# realign-cca_linear_captaincook4d-pe.py (a linear neck fitted to the
# R-FPGWOT plans of every same-task training pair) with that family's
# settings; the output keeps half the 64 input channels.
_base_ = ['./realign_mlp_synthetic.py']
model = dict(
    neck=dict(
        _delete_=True,
        type='FrameEmbeddingNeck',
        in_channels=64,
        out_channels=32,
        num_layers=0),
    align_loss=dict(prior='none', sink_cost=None),
    contrastive_loss=None)
# 256 frames of every training video for the fit
train_dataloader = dict(dataset=dict(pipeline=[
    dict(type='LoadFrameFeatures', fps={{_base_.feature_fps}},
         num_frames=256, jitter=True),
    dict(type='PackProcedureInputs')
]))
train_cfg = dict(_delete_=True, type='PlanCCALoop', ridge=10.0, max_iters=1)
# the fit takes no gradient step; the runner still builds an optimiser
optim_wrapper = dict(_delete_=True, optimizer=dict(type='SGD', lr=0.0))
param_scheduler = []
