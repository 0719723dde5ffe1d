# The paper's embedder (CnC / OPEL): ResNet-50 up to layer3 (1024 channels,
# trainable) from mmaction2's TSN model-zoo base, each sampled frame with
# its context frame, ContextEmbeddingNeck -> 128-d. Weights only from local
# files: set `load_from` or `model.backbone.init_cfg=dict(type='Pretrained',
# checkpoint=<local .pth>)`; nothing is downloaded.
_base_ = [
    'mmaction::_base_/models/tsn_r50.py',
    '../_base_/models/realign_video_losses.py',
    '../_base_/datasets/synthetic_videos.py',
    '../_base_/schedules/adam_cosine_3k.py', '../_base_/default_runtime.py'
]
model = dict(
    type='ProcedureAligner',
    backbone=dict(pretrained=None, out_indices=(2, ), norm_eval=False),
    cls_head=None,
    neck=dict(type='ContextEmbeddingNeck', in_channels=1024,
              out_channels=128),
    fpgw_loss={{_base_.fpgw_loss}},
    contrastive_loss={{_base_.contrastive_loss}},
    data_preprocessor={{_base_.video_preprocessor}},
    test_chunk=32)
optim_wrapper = dict(optimizer=dict(lr=1e-4))
