"""Canonical correlation through plans: against scipy and by hand."""
import numpy as np
import pytest
import scipy.linalg
import torch

from realign_mm.models.utils import plan_cca, plan_cross_covariance


def test_cross_covariance_by_hand():
    # one pair, 2 x 2 frames, plan with mass 2 (normalised to 1 inside)
    x = torch.tensor([[[1.0, 0.0], [0.0, 2.0]]])
    y = torch.tensor([[[3.0, 1.0], [1.0, 1.0]]])
    plan = torch.tensor([[[2.0, 0.0], [0.0, 0.0]]])  # x0 <-> y0 only
    mean = torch.tensor([1.0, 1.0])
    got = plan_cross_covariance(plan, x, y, mean)
    # (x0 - m)(y0 - m)^T = [0, -1]^T [2, 0] = [[0, 0], [-2, 0]]
    expected = torch.tensor([[0.0, -1.0], [-1.0, 0.0]])
    assert torch.allclose(got, expected)


def test_matches_scipy_generalised_eigenproblem():
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(6, 6, generator=gen, dtype=torch.float64)
    cross = a + a.T
    b = torch.randn(50, 6, generator=gen, dtype=torch.float64)
    cov = b.T @ b / 50
    ridge = 0.5
    reg = cov + ridge * torch.trace(cov) / 6 * torch.eye(6, dtype=cov.dtype)
    weight, values = plan_cca(cross, cov, 3, ridge)
    ref_values, ref_vectors = scipy.linalg.eigh(cross.numpy(), reg.numpy())
    assert np.allclose(values.numpy(), ref_values[::-1][:3])
    # the constraint, and C w = lambda (Sigma + rho sigma^2 I) w
    assert torch.allclose(weight.T @ reg @ weight, torch.eye(3,
                                                            dtype=cov.dtype))
    assert torch.allclose(cross @ weight, reg @ weight * values)
    # the same vectors up to sign
    ref = torch.from_numpy(ref_vectors[:, ::-1][:, :3].copy())
    sign = (weight * ref).sum(0).sign()
    assert torch.allclose(weight, ref * sign)


def test_finds_the_direction_corresponding_frames_share():
    """Dim 0 carries a signal both videos share frame by frame; dims 1, 2
    carry each video's own noise, ten times stronger. With the identity
    correspondence the first canonical direction is dim 0, correlation 1,
    although PCA would pick the noise."""
    gen = torch.Generator().manual_seed(1)
    t = 400
    signal = torch.randn(t, generator=gen, dtype=torch.float64)
    x = torch.stack([signal] + [10 * torch.randn(
        t, generator=gen, dtype=torch.float64) for _ in range(2)], 1)
    y = torch.stack([signal] + [10 * torch.randn(
        t, generator=gen, dtype=torch.float64) for _ in range(2)], 1)
    frames = torch.cat([x, y])
    mean = frames.mean(0)
    cov = (frames - mean).T @ (frames - mean) / len(frames)
    plan = torch.eye(t, dtype=torch.float64)[None]
    cross = plan_cross_covariance(plan, x[None], y[None], mean)
    weight, values = plan_cca(cross, cov, 1, ridge=0.0)
    direction = weight[:, 0] / weight[:, 0].norm()
    assert abs(direction[0]) > 0.99
    assert values[0] > 0.95
    # the noise dominates the variance: PCA's first direction is not dim 0
    assert abs(torch.linalg.eigh(cov)[1][0, -1]) < 0.2


def test_refuses_bad_arguments():
    cov = torch.eye(3, dtype=torch.float64)
    with pytest.raises(ValueError, match='num_components'):
        plan_cca(cov, cov, 4, 1.0)
    with pytest.raises(ValueError, match='ridge'):
        plan_cca(cov, cov, 2, -1.0)
    with pytest.raises(ValueError, match='no variance'):
        plan_cca(cov, torch.zeros(3, 3), 2, 1.0)
