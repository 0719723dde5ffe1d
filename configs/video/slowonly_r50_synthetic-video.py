# SlowOnly-R50 (mmaction2 model-zoo base): keeps the time axis.
_base_ = [
    'mmaction::_base_/models/slowonly_r50.py',
    '../_base_/models/realign_video_losses.py',
    '../_base_/datasets/synthetic_video_clips.py',
    '../_base_/schedules/adam_cosine_3k.py', '../_base_/default_runtime.py'
]
model = dict(
    type='ProcedureAligner',
    backbone=dict(pretrained=None, pretrained2d=False),
    cls_head=None,
    neck=dict(type='TemporalNeck', in_channels=2048, out_channels=128),
    align_loss={{_base_.align_loss}},
    contrastive_loss={{_base_.contrastive_loss}},
    data_preprocessor={{_base_.video_preprocessor}},
    test_chunk=32)
optim_wrapper = dict(optimizer=dict(lr=1e-4))
