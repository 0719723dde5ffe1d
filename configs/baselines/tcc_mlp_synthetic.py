# Baseline: temporal cycle-consistency (cycle-back regression), no
# transport plan, hence no contrastive term.
_base_ = ['../realign/realign_mlp_synthetic.py']
model = dict(
    fpgw_loss=dict(
        _delete_=True, type='TCCLoss', temperature=0.1,
        variance_weight=0.001),
    contrastive_loss=None)
