# TSM-R50 (mmaction2 model-zoo base): temporal shift over groups of 8
# images, features pooled over context and space, MLP neck -> 128-d.
_base_ = [
    'mmaction::_base_/models/tsm_r50.py',
    '../_base_/models/realign_video_losses.py',
    '../_base_/datasets/synthetic_videos.py',
    '../_base_/schedules/adam_cosine_3k.py', '../_base_/default_runtime.py'
]
model = dict(
    type='ProcedureAligner',
    backbone=dict(pretrained=None, pretrained2d=False, num_segments=8),
    cls_head=None,
    neck=dict(type='FrameEmbeddingNeck', in_channels=2048,
              out_channels=128),
    align_loss={{_base_.align_loss}},
    contrastive_loss={{_base_.contrastive_loss}},
    data_preprocessor={{_base_.video_preprocessor}},
    frame_group=4,  # 4 frames x (1 + 1 context) = num_segments images
    test_chunk=32)
optim_wrapper = dict(optimizer=dict(lr=1e-4))
