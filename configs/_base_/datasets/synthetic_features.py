# The embedded default: synthetic procedures written by
# `python tools/data/make_synthetic.py data/synthetic` (EgoProceL CSV layout).
dataset_type = 'EgoProceLDataset'
data_root = 'data/synthetic'
feature_fps = 2.0

train_pipeline = [
    dict(type='LoadFrameFeatures', fps=feature_fps, num_frames=32,
         jitter=True),
    dict(type='PackProcedureInputs')
]
test_pipeline = [
    dict(type='LoadFrameFeatures', fps=feature_fps, num_frames=None),
    dict(type='PackProcedureInputs')
]

videos = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='annotations',
    data_prefix=dict(features='features'),
    split_file=data_root + '/splits.json')

train_dataloader = dict(
    batch_size=8,  # 4 pairs
    num_workers=0,
    sampler=dict(type='SameTaskPairSampler', shuffle=True, infinite=True),
    dataset=dict(**videos, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        **videos, split='test', pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader

val_evaluator = dict(type='KeyStepMetric', num_keysteps=7)
test_evaluator = val_evaluator
