# REALIGN on precomputed per-frame features: MLP neck -> 128-d embeddings,
# R-FPGWOT alignment + inter-sequence contrastive loss (method.md 1-2).
model = dict(
    type='ProcedureAligner',
    backbone=None,
    neck=dict(
        type='FrameEmbeddingNeck',
        in_channels=64,
        hidden_channels=256,
        out_channels=128,
        num_layers=2),
    align_loss=dict(
        type='FPGWLoss',
        alpha=0.5,
        epsilon=0.05,
        sink_cost=1.0,
        tau=None,
        structure='temporal',
        structure_scale=0.1,
        prior='laplace',
        prior_scale=0.5,
        solver=dict(n_outer=10, n_inner=50, grad='envelope'),
        loss_weight=1.0),
    contrastive_loss=dict(
        type='InterSequenceContrastiveLoss',
        temperature=0.1,
        cross_batch_negatives=True,
        loss_weight=1.0),
    normalize=True,
    data_preprocessor=dict(type='SequenceDataPreprocessor'))
