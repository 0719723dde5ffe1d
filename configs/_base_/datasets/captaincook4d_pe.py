# CaptainCook4D with 1 s per-frame features (here: the Perception Encoder
# features of ../shared/data/features/captaincook4d_pe; the release's own
# features use the same file names). Layout and preparation:
# tools/data/captaincook4d/README.md. Point it elsewhere in one place, the
# three paths below, or from the command line:
#   --cfg-options {train,val,test}_dataloader.dataset.data_prefix.features=DIR
#                 {train,val,test}_dataloader.dataset.split_file=FILE
dataset_type = 'CaptainCook4DDataset'
ann_file = ('../shared/data/annotations/captaincook4d/annotation_json/'
            'complete_step_annotations.json')
feature_dir = '../shared/data/features/captaincook4d_pe/features'
split_file = '../shared/data/features/captaincook4d_pe/splits.json'
feature_template = '{video_id}_360p_224.mp4_1s_1s.npz'
feature_fps = 1.0
feature_dim = 768  # the neck's in_channels
num_keysteps = 7
# Label-free input handling, the same for every method (chosen on val):
# each recording's mean feature is subtracted, and each sampled frame brings
# the frames 3, 6, ..., 30 s before and after it (a 61 s window; steps last
# tens of seconds), which the neck pools (window mean at initialisation).
context = 10
context_stride = 3
load = dict(type='LoadFrameFeatures', fps=feature_fps, center=True,
            context=context, context_stride=context_stride)
# the neck these inputs need; method configs use model.neck=feature_neck
feature_neck = dict(
    in_channels=feature_dim,
    out_channels=None,
    residual=True,
    context_window=2 * context + 1)

train_pipeline = [
    dict(**load, num_frames=32, jitter=True),
    dict(type='PackProcedureInputs')
]
test_pipeline = [
    dict(**load, num_frames=None),
    dict(type='PackProcedureInputs')
]

recordings = dict(
    type=dataset_type,
    ann_file=ann_file,
    data_prefix=dict(features=feature_dir),
    feature_template=feature_template,
    split_file=split_file)

train_dataloader = dict(
    batch_size=8,  # 4 pairs of recordings of one recipe
    num_workers=0,
    sampler=dict(type='SameTaskPairSampler', shuffle=True, infinite=True),
    dataset=dict(**recordings, split='train', pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        **recordings, split='val', pipeline=test_pipeline, test_mode=True))
test_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        **recordings, split='test', pipeline=test_pipeline, test_mode=True))

val_evaluator = dict(type='KeyStepMetric', num_keysteps=num_keysteps)
test_evaluator = val_evaluator
