# REALIGN-CCA on real CaptainCook4D recordings: the R-FPGWOT plans of every
# pair of same-recipe training recordings define which frames correspond,
# and a linear neck is fitted to them in closed form (canonical correlation
# through the plans, realign_mm/models/utils/plan_cca.py): the 128
# directions on which corresponding frames agree most, at unit variance.
# No gradient steps, so no scale shortcut (docs/benchmarks.md). The
# training run is one fit (about 10 s on 2 CPU cores), then validation:
#   python tools/train.py configs/realign/realign-cca_linear_captaincook4d-pe.py
_base_ = [
    '../_base_/models/realign_mlp.py',
    '../_base_/datasets/captaincook4d_pe.py',
    '../_base_/schedules/plan_cca_fit.py', '../_base_/default_runtime.py'
]
model = dict(
    # the window mean of the dataset's context frames, then W^T (u - m)
    neck=dict(
        type='FrameEmbeddingNeck',
        in_channels={{_base_.feature_dim}},
        out_channels=128,  # chosen on val, like the ridge
        num_layers=0,
        context_window={{_base_.feature_neck.context_window}}),
    # chosen on val (docs/benchmarks.md): no Laplace prior, and no sink
    # (it took 0.04 % of the mass: the same scores with and without it)
    align_loss=dict(prior='none', sink_cost=None),
    contrastive_loss=None)
# 256 frames of every training recording (jittered within their segments;
# the seed picks them), each with its context window
train_dataloader = dict(dataset=dict(pipeline=[
    dict(
        type='LoadFrameFeatures',
        fps={{_base_.feature_fps}},
        center=True,
        context={{_base_.context}},
        context_stride={{_base_.context_stride}},
        num_frames=256,
        jitter=True),
    dict(type='PackProcedureInputs')
]))
