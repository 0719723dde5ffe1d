import torch

from realign_mm.ot import (normalized_times, square_loss_product,
                           temporal_structure)


def test_square_loss_product_equals_the_four_index_sum():
    g = torch.Generator().manual_seed(0)
    cx = torch.rand(2, 4, 4, generator=g, dtype=torch.float64)
    cx = (cx + cx.transpose(1, 2)) / 2
    cy = torch.rand(2, 5, 5, generator=g, dtype=torch.float64)
    cy = (cy + cy.transpose(1, 2)) / 2
    plan = torch.rand(2, 4, 5, generator=g, dtype=torch.float64) * 0.1
    brute = ((cx[:, :, None, :, None] - cy[:, None, :, None, :])**2 *
             plan[:, None, None, :, :]).sum((3, 4))
    torch.testing.assert_close(square_loss_product(cx, cy, plan), brute)


def test_normalized_times_ignore_padding():
    mask = torch.tensor([[True, True, True, True], [True, True, False,
                                                    False]])
    times = normalized_times(mask)
    torch.testing.assert_close(times, torch.tensor([[0, .25, .5, .75],
                                                    [0, .5, 0, 0]]))
    c = temporal_structure(times, 0.5)
    assert c[0, 0, 0] == 0 and torch.allclose(c, c.transpose(1, 2))
