# REALIGN-CCA's "schedule": one closed-form fit of the neck's last linear
# layer to the plans (PlanCCALoop), then validation. The ridge (relative
# to the mean variance) was chosen on CaptainCook4D's val split
# (docs/benchmarks.md).
train_cfg = dict(
    type='PlanCCALoop', ridge=10.0, correspondence='plan', max_iters=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
# the fit takes no gradient step; the runner still builds an optimiser
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.0))
param_scheduler = []
# accepted for --auto-scale-lr like every schedule (it scales the unused 0)
auto_scale_lr = dict(enable=False, base_batch_size=8)
