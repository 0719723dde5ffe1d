# ProceL with its videos (tools/data/procel/README.md): annotations as
# <task>/<video>.csv, videos as videos/<task>/<video>.mp4. CnC / OPEL
# protocol: train and evaluate on the same videos.
_base_ = ['./procedure_videos_paper.py']
dataset_type = 'ProceLDataset'
data_root = 'data/procel'
recordings = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='annotations',
    data_prefix=dict(video='videos'))
train_dataloader = dict(dataset=dict(**recordings))
val_dataloader = dict(dataset=dict(**recordings))
test_dataloader = val_dataloader
