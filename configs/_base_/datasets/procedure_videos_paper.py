# The paper's video sampling (method.md section 3): 32 frames per video, each
# with one context frame, 224 x 224 crops; every frame at 2 fps for testing.
# The dataset configs below set `dataset_type`, `recordings` and the
# evaluator; this file holds the pipelines and loaders they share.
num_frames = 32
context = 1
context_stride = 15
img_size = 224
eval_fps = 2.0
num_keysteps = 7

train_pipeline = [
    dict(type='VideoInit', backend='decord'),
    dict(type='SampleProcedureFrames', num_frames=num_frames,
         context=context, context_stride=context_stride, jitter=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='PackProcedureInputs', input_key='imgs', layout='frames')
]
test_pipeline = [
    dict(type='VideoInit', backend='decord'),
    dict(type='SampleProcedureFrames', num_frames=None, eval_fps=eval_fps,
         context=context, context_stride=context_stride),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 256)),
    dict(type='CenterCrop', crop_size=img_size),
    dict(type='PackProcedureInputs', input_key='imgs', layout='frames')
]
train_dataloader = dict(
    batch_size=4,  # 2 pairs of videos of one task
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='SameTaskPairSampler', shuffle=True, infinite=True),
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(pipeline=test_pipeline, test_mode=True))
test_dataloader = val_dataloader
val_evaluator = dict(type='KeyStepMetric', num_keysteps=num_keysteps)
test_evaluator = val_evaluator
