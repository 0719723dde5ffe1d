default_scope = 'mmaction'
custom_imports = dict(imports=['realign_mm'], allow_failed_imports=False)

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # atomic writes (temporary file + rename): a kill never leaves a broken
    # latest checkpoint (realign_mm/engine/checkpoints.py)
    checkpoint=dict(
        type='CheckpointHook', interval=1000, by_epoch=False, max_keep_ckpts=2,
        backend_args=dict(backend='atomic_local')),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    sync_buffers=dict(type='SyncBuffersHook'))
# stores runner state in plain types: checkpoints load with weights_only=True
custom_hooks = [
    dict(type='CheckpointStateHook'),
    dict(type='SkippedVideosHook')  # silent unless skip_bad_videos skips
]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # a collective waits at most this many seconds for a dead or paused
    # rank, then every rank stops with an error (torch's default: 1800)
    dist_cfg=dict(backend='nccl', timeout=600))

log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='ActionVisualizer', vis_backends=vis_backends)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
