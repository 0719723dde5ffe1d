# The video demo that fits a CPU: the CnC embedder on a ResNet-18 up to
# layer3 (256 channels, from scratch), 16 frames + 1 context frame at
# 56 x 56, 1000 iterations. Data: `python tools/data/make_synthetic.py
# data/synthetic_videos --videos`.
_base_ = ['./tsn_r50_cnc_synthetic-video.py']
model = dict(
    backbone=dict(depth=18),
    neck=dict(in_channels=256),
    align_loss=dict(solver=dict(n_outer=5, n_inner=30)))
optim_wrapper = dict(optimizer=dict(lr=1e-3))
train_cfg = dict(max_iters=1000, val_interval=1000)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=1000, by_epoch=False, eta_min=1e-5)
]
default_hooks = dict(checkpoint=dict(interval=1000))
