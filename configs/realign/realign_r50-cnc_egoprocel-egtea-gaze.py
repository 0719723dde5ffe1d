# REALIGN on EgoProceL EGTEA_Gaze+ in the paper's setting: ResNet-50 to layer3
# (ImageNet weights, fetched on first use), context neck, 32 frames with
# context, K = 7, 10k iterations. Data: tools/data/egoprocel/README.md.
_base_ = [
    '../_base_/models/realign_r50_cnc.py',
    '../_base_/datasets/egoprocel_videos.py',
    '../_base_/schedules/adam_10k.py', '../_base_/default_runtime.py'
]
recordings = dict(ann_file='annotations/EGTEA_Gaze+', data_prefix=dict(video='videos/EGTEA_Gaze+'))
train_dataloader = dict(dataset=recordings)
val_dataloader = dict(dataset=recordings)
test_dataloader = val_dataloader
default_hooks = dict(checkpoint=dict(interval=2000))
