# X3D-M (mmaction2 model-zoo base: gamma_w=1, gamma_b=2.25, gamma_d=2.2),
# 432 output channels, time kept.
_base_ = [
    'mmaction::_base_/models/x3d.py',
    '../_base_/models/realign_video_losses.py',
    '../_base_/datasets/synthetic_video_clips.py',
    '../_base_/schedules/adam_cosine_3k.py', '../_base_/default_runtime.py'
]
model = dict(
    type='ProcedureAligner',
    cls_head=None,
    neck=dict(type='TemporalNeck', in_channels=432, out_channels=128),
    align_loss={{_base_.align_loss}},
    contrastive_loss={{_base_.contrastive_loss}},
    data_preprocessor={{_base_.video_preprocessor}},
    test_chunk=32)
optim_wrapper = dict(optimizer=dict(lr=1e-4))
