# The paper's embedder (CnC / OPEL, method.md section 3): ResNet-50 up to
# layer3 (1024 channels, trainable, ImageNet weights of mmaction2's TSN base:
# fetched on first use), each sampled frame stacked with its context frame,
# ContextEmbeddingNeck -> 128-d, the REALIGN losses.
_base_ = [
    'mmaction::_base_/models/tsn_r50.py', './realign_video_losses.py'
]
model = dict(
    type='ProcedureAligner',
    backbone=dict(out_indices=(2, ), norm_eval=False),
    cls_head=None,
    neck=dict(type='ContextEmbeddingNeck', in_channels=1024,
              out_channels=128),
    align_loss={{_base_.align_loss}},
    contrastive_loss={{_base_.contrastive_loss}},
    data_preprocessor={{_base_.video_preprocessor}},
    test_chunk=32)
