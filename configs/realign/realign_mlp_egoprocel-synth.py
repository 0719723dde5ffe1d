# REALIGN on real EgoProceL step timelines (GTCC JSON + split) with features
# synthesised on them by
#   python tools/data/make_synthetic.py data/egoprocel_synth/features \
#       --timelines ../shared/data/annotations/egoprocel_gtcc/egoprocel.json
_base_ = ['./realign_mlp_synthetic.py']
ann = '../shared/data/annotations/egoprocel_gtcc/'
feature_fps = 1.0
videos = dict(
    _delete_=True,
    type='EgoProceLDataset',
    ann_file=ann + 'egoprocel.json',
    data_prefix=dict(features='data/egoprocel_synth/features'),
    split_file=ann + 'gtcc_reproduce_data_splits.json')
train_pipeline = [
    dict(type='LoadFrameFeatures', fps=feature_fps, num_frames=32),
    dict(type='PackProcedureInputs')
]
test_pipeline = [
    dict(type='LoadFrameFeatures', fps=feature_fps, num_frames=None),
    dict(type='PackProcedureInputs')
]
train_dataloader = dict(
    dataset=dict(**videos, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        **videos, split='val', pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
