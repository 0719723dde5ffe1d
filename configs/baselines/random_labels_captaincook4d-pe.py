# Floor: every frame gets a uniformly random key step (then the same
# smoothing and metric). Test only.
_base_ = ['../realign/untrained_features_captaincook4d-pe.py']
test_evaluator = dict(clustering='random')
val_evaluator = dict(clustering='random')
