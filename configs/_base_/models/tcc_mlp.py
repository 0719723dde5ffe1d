# Baseline: temporal cycle-consistency (cycle-back regression), no
# transport plan, hence no contrastive term; same embedder as REALIGN.
_base_ = ['./realign_mlp.py']
model = dict(
    align_loss=dict(
        _delete_=True, type='TCCLoss', temperature=0.1,
        variance_weight=0.001),
    contrastive_loss=None)
