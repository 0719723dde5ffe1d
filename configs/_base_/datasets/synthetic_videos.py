# Synthetic procedure videos written by
# `python tools/data/make_synthetic.py data/synthetic_videos --videos`
# (mp4 + EgoProceL CSVs + splits.json), decoded with mmaction2's decord
# transforms. 2D backbones: `frames` layout with context frames; the 3D
# configs switch the packing to `clip` and drop the context.
dataset_type = 'EgoProceLDataset'
data_root = 'data/synthetic_videos'
num_frames = 16
context = 1
context_stride = 4
img_size = 56

train_pipeline = [
    dict(type='VideoInit', backend='decord'),
    dict(type='SampleProcedureFrames', num_frames=num_frames,
         context=context, context_stride=context_stride, jitter=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, img_size)),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='PackProcedureInputs', input_key='imgs', layout='frames')
]
test_pipeline = [
    dict(type='VideoInit', backend='decord'),
    dict(type='SampleProcedureFrames', num_frames=None, eval_fps=2.0,
         context=context, context_stride=context_stride),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, img_size)),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='PackProcedureInputs', input_key='imgs', layout='frames')
]

videos = dict(
    type=dataset_type,
    data_root=data_root,
    ann_file='annotations',
    data_prefix=dict(video='videos'),
    split_file=data_root + '/splits.json')

train_dataloader = dict(
    batch_size=4,  # 2 pairs
    num_workers=0,
    sampler=dict(type='SameTaskPairSampler', shuffle=True, infinite=True),
    dataset=dict(**videos, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        **videos, split='test', pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader

val_evaluator = dict(type='KeyStepMetric', num_keysteps=6)
test_evaluator = val_evaluator
