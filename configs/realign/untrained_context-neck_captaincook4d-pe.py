# Baseline: REALIGN's neck as initialised (each frame's context window
# averaged, the residual branch at zero), no training: what the input
# handling alone gives, under the same discovery and metric. Test only.
_base_ = ['./realign_mlp_captaincook4d-pe.py']
train_cfg = train_dataloader = optim_wrapper = param_scheduler = None
