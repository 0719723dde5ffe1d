# Baseline: balanced entropic fused GW (every frame matched, no sink, no
# prior) and no contrastive term; same embedder as REALIGN.
_base_ = ['./realign_mlp.py']
model = dict(
    align_loss=dict(
        _delete_=True, type='GWLoss', alpha=0.5, epsilon=0.05,
        structure_scale=0.1, solver=dict(n_outer=10, n_inner=50)),
    contrastive_loss=None)
