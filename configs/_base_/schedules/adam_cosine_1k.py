# Adam + cosine decay over 1000 iterations, validated at the end (the
# real-data schedule: longer runs were not better on val).
_base_ = ['./adam_cosine_3k.py']
train_cfg = dict(max_iters=1000, val_interval=1000)
param_scheduler = [
    dict(type='CosineAnnealingLR', T_max=1000, by_epoch=False, eta_min=1e-5)
]
