# Baseline: discover key steps on the untrained input features
# (embedding = input), same data, same discovery and metric. Test only.
_base_ = ['./realign_mlp_synthetic.py']
model = dict(neck=dict(_delete_=True, type='IdentityNeck'))
train_cfg = train_dataloader = optim_wrapper = param_scheduler = None
