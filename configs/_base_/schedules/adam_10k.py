# The paper's schedule (method.md section 3): Adam lr 1e-4, weight decay
# 1e-5, 10k iterations, evaluated once at the end.
train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=10000, val_interval=10000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    optimizer=dict(type='Adam', lr=1e-4, weight_decay=1e-5),
    clip_grad=dict(max_norm=10.0))
param_scheduler = []
auto_scale_lr = dict(enable=False, base_batch_size=4)
