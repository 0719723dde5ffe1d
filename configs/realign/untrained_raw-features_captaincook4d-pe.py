# Baseline: the input features as they come (no centring, no context
# window), same discovery and metric. Test only.
_base_ = ['./untrained_features_captaincook4d-pe.py']
test_pipeline = [
    dict(type='LoadFrameFeatures', fps=1.0),
    dict(type='PackProcedureInputs')
]
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
