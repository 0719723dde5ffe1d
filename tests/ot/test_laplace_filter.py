"""The O(N L M) Laplace filter and the temporal structure operator against
their dense matrices."""
import pytest
import torch

from realign_mm.ot import (LaplaceKernel, TemporalStructure, fused_partial_gw,
                           laplace_filter, normalized_times,
                           sqeuclidean_cost, square_loss_product,
                           temporal_structure)


def _times(batch, n, seed, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    steps = torch.rand(batch, n, generator=g, dtype=dtype) * 0.05 + 1 / n
    return steps.cumsum(1)  # non-uniform, non-decreasing


def _dense_kernel(times, scale):
    return torch.exp(-(times[:, :, None] - times[:, None, :]).abs() / scale)


@pytest.mark.parametrize('n,scale,chunk', [(1, 0.1, 32), (7, 0.3, 32),
                                           (64, 0.01, 32), (100, 0.05, 7),
                                           (300, 0.1, 32), (512, 0.001, 32)])
def test_filter_equals_the_dense_kernel(n, scale, chunk):
    times = _times(3, n, seed=n)
    x = torch.randn(3, n, 5, dtype=torch.float64)  # signed input
    expected = _dense_kernel(times, scale) @ x
    got = laplace_filter(x, times, scale, chunk)
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)
    # float32 in, float32 out: equal to the dense product of the same
    # float32 inputs to 1e-5 relative to the largest entry
    x32, times32 = x.float(), times.float()
    expected = _dense_kernel(times32.double(), scale) @ x32.double()
    got32 = laplace_filter(x32, times32, scale, chunk)
    err = (got32.double() - expected).abs().max() / expected.abs().max()
    assert err < 1e-5


def test_complement_from_the_left_and_the_right():
    times = _times(2, 70, seed=1)
    kernel = LaplaceKernel(times, 0.2, chunk=16)
    dense = 1 - _dense_kernel(times, 0.2)
    x = torch.randn(2, 70, 9, dtype=torch.float64)
    torch.testing.assert_close(kernel.complement(x), dense @ x)
    xt = torch.randn(2, 9, 70, dtype=torch.float64)
    torch.testing.assert_close(kernel.complement(xt, right=True), xt @ dense)


def test_filter_is_differentiable():
    times = _times(1, 40, seed=2)
    x = torch.randn(1, 40, 3, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda v: laplace_filter(v, times, 0.1, chunk=8), (x, ))


def test_decreasing_times_are_refused():
    times = torch.tensor([[0.0, 0.2, 0.1]])
    with pytest.raises(ValueError, match='non-decreasing'):
        laplace_filter(torch.ones(1, 3, 1), times, 0.1)
    with pytest.raises(ValueError, match='scale'):
        laplace_filter(torch.ones(1, 3, 1), times.sort().values, 0.0)


def _padded_mask(batch, n):
    mask = torch.ones(batch, n, dtype=torch.bool)
    mask[1, n - n // 3:] = False  # second video shorter
    return mask


@pytest.mark.parametrize('n', [5, 77, 256])
def test_temporal_structure_equals_dense_with_padding(n):
    mask = _padded_mask(2, n)
    times = normalized_times(mask)
    op = TemporalStructure(times, mask, 0.1, dense_below=0)  # the filter
    small = TemporalStructure(times, mask, 0.1, dense_below=10**6)
    keep = mask[:, :, None] & mask[:, None, :]
    dense = torch.where(keep, temporal_structure(times, 0.1),
                        torch.zeros(()))
    torch.testing.assert_close(op.dense(), dense)
    x = torch.rand(2, n, 11)
    close = dict(rtol=1e-5, atol=1e-6)  # float32 products of length n
    torch.testing.assert_close(op.matmul(x), dense @ x, **close)
    xt = torch.rand(2, 11, n)
    torch.testing.assert_close(op.rmatmul(xt), xt @ dense, **close)
    p = torch.rand(2, n, 1)
    torch.testing.assert_close(op.square_matmul(p), (dense * dense) @ p,
                               **close)
    # the dense fallback for short videos gives the same products
    torch.testing.assert_close(small.matmul(x), op.matmul(x), **close)
    torch.testing.assert_close(small.rmatmul(xt), op.rmatmul(xt), **close)


def test_square_loss_product_and_solver_match_the_dense_path():
    n, m = 50, 70
    mask_x, mask_y = _padded_mask(2, n), _padded_mask(2, m)
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, n, 4, generator=g, dtype=torch.float64)
    y = torch.randn(2, m, 4, generator=g, dtype=torch.float64)
    cost = sqeuclidean_cost(x, y)
    tx, ty = normalized_times(mask_x).double(), normalized_times(
        mask_y).double()
    op_x = TemporalStructure(tx, mask_x, 0.3, dense_below=0)
    op_y = TemporalStructure(ty, mask_y, 0.3, dense_below=0)
    plan = torch.rand(2, n, m, generator=g, dtype=torch.float64)
    plan = plan * (mask_x[:, :, None] & mask_y[:, None, :])
    torch.testing.assert_close(
        square_loss_product(op_x, op_y, plan),
        square_loss_product(op_x.dense(), op_y.dense(), plan))
    a = mask_x.double() / mask_x.sum(1, keepdim=True)
    b = mask_y.double() / mask_y.sum(1, keepdim=True)
    kwargs = dict(alpha=0.5, epsilon=0.05, mass=0.6, n_outer=20, n_inner=200)
    fast = fused_partial_gw(cost, op_x, op_y, a, b, **kwargs)
    dense = fused_partial_gw(cost, op_x.dense(), op_y.dense(), a, b,
                             **kwargs)
    torch.testing.assert_close(fast.plan, dense.plan, rtol=0, atol=1e-10)
    torch.testing.assert_close(fast.value, dense.value)
