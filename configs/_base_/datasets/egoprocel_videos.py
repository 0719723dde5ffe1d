# EgoProceL, the official per-video CSV release with its videos
# (tools/data/egoprocel/README.md). One sub-dataset per config: set
# `sub_dataset` (a folder of annotations/) and, for the single-task
# sub-datasets, `tasks`. No official split: the CnC / OPEL protocol trains
# and evaluates on the same videos (tools/benchmark/keysteps.py --protocol
# per-task trains one model per task).
_base_ = ['./procedure_videos_paper.py']
dataset_type = 'EgoProceLDataset'
data_root = 'data/egoprocel'
recordings = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='annotations',
    data_prefix=dict(video='videos'))
train_dataloader = dict(dataset=dict(**recordings))
val_dataloader = dict(dataset=dict(**recordings))
test_dataloader = val_dataloader
