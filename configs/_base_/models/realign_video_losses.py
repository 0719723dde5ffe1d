# The REALIGN losses and pixel preprocessing shared by the video configs,
# which inherit their backbone from an mmaction2 model-zoo base (that base
# owns `model`, so these are plain variables, used as {{_base_.<name>}}).
align_loss = dict(
    type='FPGWLoss',
    alpha=0.5,
    epsilon=0.05,
    sink_cost=1.0,
    structure='temporal',
    structure_scale=0.1,
    prior='laplace',
    prior_scale=0.5,
    solver=dict(n_outer=10, n_inner=50))
contrastive_loss = dict(
    type='InterSequenceContrastiveLoss',
    temperature=0.1,
    cross_batch_negatives=True)
video_preprocessor = dict(
    _delete_=True,
    type='SequenceDataPreprocessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375])
