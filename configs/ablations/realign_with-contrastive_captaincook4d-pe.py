# Ablation: with the inter-sequence contrastive term of method.md section 2
# (off in the CaptainCook4D default: it lowered val and train F1).
_base_ = ['../realign/realign_mlp_captaincook4d-pe.py']
model = dict(
    contrastive_loss=dict(
        _delete_=True,
        type='InterSequenceContrastiveLoss',
        temperature=0.1,
        cross_batch_negatives=True))
