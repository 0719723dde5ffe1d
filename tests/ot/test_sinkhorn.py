import torch

from realign_mm.ot import sinkhorn_log
from realign_mm.ot.sinkhorn import sinkhorn_scaling


def _kernel(seed=0):
    g = torch.Generator().manual_seed(seed)
    cost = torch.rand(3, 9, 11, generator=g, dtype=torch.float64)
    log_a = torch.full((3, 9), -torch.log(torch.tensor(9.)).item(),
                       dtype=torch.float64)
    log_b = torch.full((3, 11), -torch.log(torch.tensor(11.)).item(),
                       dtype=torch.float64)
    return -cost / 0.02 + log_a[:, :, None] + log_b[:, None], log_a, log_b


def test_log_and_scaling_reach_the_same_balanced_fixed_point():
    log_k, log_a, log_b = _kernel()
    mask_x = torch.ones(3, 9, dtype=torch.bool)
    mask_y = torch.ones(3, 11, dtype=torch.bool)
    s1, _, err1 = sinkhorn_log(log_k, log_a, log_b, mask_x, mask_y,
                               max_iter=5000, tol=1e-12)
    s2, _, err2 = sinkhorn_scaling(log_k, log_a, log_b, mask_x, mask_y,
                                   max_iter=5000, tol=1e-12)
    p1 = torch.exp(log_k + s1.u[:, :, None] + s1.v[:, None])
    p2 = torch.exp(log_k + s2.u[:, :, None] + s2.v[:, None])
    torch.testing.assert_close(p1, p2, atol=1e-10, rtol=0)
    torch.testing.assert_close(p1.sum(2), log_a.exp())
    torch.testing.assert_close(p1.sum(1), log_b.exp())


def test_kl_relaxed_fixed_point_agrees():
    log_k, log_a, log_b = _kernel(1)
    mask_x = torch.ones(3, 9, dtype=torch.bool)
    mask_y = torch.ones(3, 11, dtype=torch.bool)
    kw = dict(lam_a=0.7, lam_b=0.7, max_iter=5000, tol=1e-12)
    s1, _, _ = sinkhorn_log(log_k, log_a, log_b, mask_x, mask_y, **kw)
    s2, _, _ = sinkhorn_scaling(log_k, log_a, log_b, mask_x, mask_y, **kw)
    torch.testing.assert_close(s1.u, s2.u, atol=1e-8, rtol=0)
    torch.testing.assert_close(s1.v, s2.v, atol=1e-8, rtol=0)
