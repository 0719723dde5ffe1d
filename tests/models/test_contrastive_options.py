"""The contrastive term's false-negative options: same-task negatives
excluded when asked, targets spread over the partner's neighbouring
frames."""
import pytest
import torch

from realign_mm.models import InterSequenceContrastiveLoss


def _inputs(batch=3, n=6, m=5, dim=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.nn.functional.normalize(torch.randn(batch, n, dim, generator=g),
                                      dim=-1)
    y = torch.nn.functional.normalize(torch.randn(batch, m, dim, generator=g),
                                      dim=-1)
    plan = torch.rand(batch, n, m, generator=g)
    plan = plan / plan.sum((1, 2), keepdim=True)
    masks = torch.ones(batch, n, dtype=torch.bool), torch.ones(
        batch, m, dtype=torch.bool)
    return x, y, plan, *masks


def test_same_task_negatives_excluded_when_asked():
    x, y, plan, mx, my = _inputs()
    partner_only = InterSequenceContrastiveLoss(
        cross_batch_negatives=False)(x, y, plan, mx, my)
    every_video = InterSequenceContrastiveLoss()(x, y, plan, mx, my)
    excluding = InterSequenceContrastiveLoss(same_task_negatives=False)
    # one task for all pairs: nothing but the partner is left
    torch.testing.assert_close(
        excluding(x, y, plan, mx, my, torch.tensor([4, 4, 4])), partner_only)
    # all tasks different: every other video stays a negative
    torch.testing.assert_close(
        excluding(x, y, plan, mx, my, torch.tensor([0, 1, 2])), every_video)
    mixed = excluding(x, y, plan, mx, my, torch.tensor([0, 0, 1]))
    assert partner_only < mixed < every_video  # fewer negatives, lower CE
    with pytest.raises(ValueError, match='needs the task of each pair'):
        excluding(x, y, plan, mx, my)


def test_target_smoothing_spreads_over_neighbouring_frames():
    x, y, plan, mx, my = _inputs()
    sharp = InterSequenceContrastiveLoss()(x, y, plan, mx, my)
    tiny = InterSequenceContrastiveLoss(target_smoothing=1e-4)
    torch.testing.assert_close(tiny(x, y, plan, mx, my), sharp)
    # a very wide kernel makes every target uniform over the partner's
    # frames: a matching (identity plan, uniform margins) then scores as
    # the constant plan, and a sharp loss differs
    x, y, _, mx, my = _inputs(n=5, m=5)
    diagonal = torch.eye(5).expand(3, 5, 5) / 5
    constant = torch.full((3, 5, 5), 1 / 25)
    wide = InterSequenceContrastiveLoss(target_smoothing=1e6)
    torch.testing.assert_close(
        wide(x, y, diagonal, mx, my),
        InterSequenceContrastiveLoss()(x, y, constant, mx, my))
    assert not torch.allclose(
        InterSequenceContrastiveLoss()(x, y, diagonal, mx, my),
        wide(x, y, diagonal, mx, my))
    with pytest.raises(ValueError, match='target_smoothing must be > 0'):
        InterSequenceContrastiveLoss(target_smoothing=0)
