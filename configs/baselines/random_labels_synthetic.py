# Floor: every frame gets a uniformly random key step (then the same
# smoothing and metric). Test only.
_base_ = ['../realign/untrained_features_synthetic.py']
val_evaluator = dict(type='KeyStepMetric', num_keysteps=7, clustering='random')
test_evaluator = val_evaluator
