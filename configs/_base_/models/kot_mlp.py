# Baseline: OPEL's Kantorovich OT (linear OT + virtual frame + Laplace and
# optimality priors) in place of R-FPGWOT; same embedder and contrastive
# term as REALIGN, so only the alignment differs.
_base_ = ['./realign_mlp.py']
model = dict(
    align_loss=dict(
        _delete_=True,
        type='KOTLoss',
        epsilon=0.05,
        sink_cost=1.0,
        prior_scale=0.5,
        optimality_weight=0.5,
        solver=dict(n_outer=1, n_inner=50)))
