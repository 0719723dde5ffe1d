train_cfg = dict(type='IterBasedTrainLoop', max_iters=3000, val_interval=1000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-3, weight_decay=1e-5),
    clip_grad=dict(max_norm=10.0))
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=3000, by_epoch=False, eta_min=1e-5)
]
auto_scale_lr = dict(enable=False, base_batch_size=8)
