# The paper's embedder (CnC / OPEL, ../_base_/models/realign_r50_cnc.py) on
# the synthetic procedure videos. Weights only from local files: set
# `load_from` or `model.backbone.init_cfg=dict(type='Pretrained',
# checkpoint=<local .pth>)`; nothing is downloaded.
_base_ = [
    '../_base_/models/realign_r50_cnc.py',
    '../_base_/datasets/synthetic_videos.py',
    '../_base_/schedules/adam_cosine_3k.py', '../_base_/default_runtime.py'
]
model = dict(backbone=dict(pretrained=None))
optim_wrapper = dict(optimizer=dict(lr=1e-4))
