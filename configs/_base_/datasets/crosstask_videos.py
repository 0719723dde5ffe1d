# CrossTask (primary tasks) with its videos (tools/data/crosstask/README.md):
# annotations/<task>_<video>.csv, videos/<video>.mp4 (or videos/<task>/).
# CnC / OPEL protocol: train and evaluate on the same videos.
_base_ = ['./procedure_videos_paper.py']
dataset_type = 'CrossTaskDataset'
data_root = 'data/crosstask'
recordings = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='annotations',
    data_prefix=dict(video='videos'))
train_dataloader = dict(dataset=dict(**recordings))
val_dataloader = dict(dataset=dict(**recordings))
test_dataloader = val_dataloader
