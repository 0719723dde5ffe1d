# The synthetic procedure videos as clips for 3D backbones: the sampled
# frames form one (C, T, H, W) clip, no context frames.
_base_ = ['./synthetic_videos.py']
clip_train_pipeline = [
    dict(type='VideoInit', backend='decord'),
    dict(type='SampleProcedureFrames', num_frames=16, jitter=True),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 56)),
    dict(type='CenterCrop', crop_size=56),
    dict(type='PackProcedureInputs', input_key='imgs', layout='clip')
]
clip_test_pipeline = [
    dict(type='VideoInit', backend='decord'),
    dict(type='SampleProcedureFrames', num_frames=None, eval_fps=2.0),
    dict(type='DecordDecode'),
    dict(type='Resize', scale=(-1, 56)),
    dict(type='CenterCrop', crop_size=56),
    dict(type='PackProcedureInputs', input_key='imgs', layout='clip')
]
train_dataloader = dict(dataset=dict(pipeline=clip_train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=clip_test_pipeline))
test_dataloader = val_dataloader
