# REALIGN on real CaptainCook4D recordings (1 s Perception Encoder
# features): train on the official train split, validate on val, test on
# test. The neck and input handling come with the dataset base; the
# contrastive term of method.md section 2 is off here: on val and train it
# lowered F1 at every temperature, weight and negative set tried (its
# ablation: ../ablations/realign_with-contrastive_captaincook4d-pe.py).
# Balanced transport: the virtual sink of method.md took no part here (at
# cost 1 the training pairs' plans carry 99.97 % of the mass at
# initialisation, 100 % after training: tools/benchmark/teacher_precision.py),
# so this family leaves it out (../ablations/realign_with-sink_*.py).
_base_ = [
    '../_base_/models/realign_mlp.py',
    '../_base_/datasets/captaincook4d_pe.py',
    '../_base_/schedules/adam_cosine_1k.py', '../_base_/default_runtime.py'
]
model = dict(
    neck={{_base_.feature_neck}},
    align_loss=dict(sink_cost=None),
    contrastive_loss=None)
