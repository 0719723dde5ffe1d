import pytest
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


def _extras(log_a, log_b, mask_x, mask_y, kind):
    """Extra column / row keyword arguments: an exact-mass dummy point, or a
    free sink of cost 0.3 (in units of eps = 0.02)."""
    if kind == 'dummy':
        mass_col = torch.full((3,), 0.2, dtype=log_a.dtype).log()
        mass_row = torch.full((3,), 0.2, dtype=log_a.dtype).log()
        return dict(log_k_col=(log_a + mass_col[:, None]).masked_fill(
                        ~mask_x, -1e9),
                    log_k_row=(log_b + mass_row[:, None]).masked_fill(
                        ~mask_y, -1e9),
                    log_mass_col=mass_col, log_mass_row=mass_row)
    return dict(log_k_col=(log_a - 0.3 / 0.02).masked_fill(~mask_x, -1e9),
                log_k_row=(log_b - 0.3 / 0.02).masked_fill(~mask_y, -1e9))


@pytest.mark.parametrize('kind,lam', [('dummy', 1.0), ('sink', 1.0),
                                      ('sink', 0.7)])
def test_scaling_with_extra_point_padding_and_overrelaxation(kind, lam):
    """The extended-kernel scaling solver (extra row and column folded into
    the mat-vecs, over-relaxed, padded frames) reaches the log-domain fixed
    point, and padded frames carry nothing."""
    log_k, log_a, log_b = _kernel(2)
    mask_x = torch.ones(3, 9, dtype=torch.bool)
    mask_y = torch.ones(3, 11, dtype=torch.bool)
    mask_x[1, 7:] = False
    mask_y[2, :3] = False
    log_a = log_a.masked_fill(~mask_x, 0.0)
    log_b = log_b.masked_fill(~mask_y, 0.0)
    log_a[1, :7] = -torch.log(torch.tensor(7.)).item()
    log_b[2, 3:] = -torch.log(torch.tensor(8.)).item()
    log_k = log_k.masked_fill(~(mask_x[:, :, None] & mask_y[:, None]), -1e9)
    kw = dict(lam_a=lam, lam_b=lam, max_iter=20000, tol=1e-13,
              **_extras(log_a, log_b, mask_x, mask_y, kind))
    s1, _, _ = sinkhorn_log(log_k, log_a, log_b, mask_x, mask_y, **kw)
    s2, _, err = sinkhorn_scaling(log_k, log_a, log_b, mask_x, mask_y,
                                  overrelax=1.5, **kw)
    assert err < 1e-6
    p1 = torch.exp(log_k + s1.u[:, :, None] + s1.v[:, None])
    torch.testing.assert_close(s2.plan, p1, atol=1e-10, rtol=0)
    assert (s2.plan[1, 7:] == 0).all() and (s2.plan[2, :, :3] == 0).all()
    if kind == 'dummy':  # the dummy column (potentials: up to a gauge)
        col = torch.exp(kw['log_k_col'] + s2.u + s2.v_extra[:, None])
        col1 = torch.exp(kw['log_k_col'] + s1.u + s1.v_extra[:, None])
        torch.testing.assert_close(col, col1, atol=1e-10, rtol=0)
        # rows + dummy column = a; the real block carries 1 - 0.2
        torch.testing.assert_close(s2.plan.sum(2) + col,
                                   log_a.exp() * mask_x)
        torch.testing.assert_close(s2.plan.sum((1, 2)),
                                   torch.full((3,), 0.8, dtype=log_k.dtype))
    else:  # the free sink keeps its potential at 0
        assert (s2.u_extra == 0).all() and (s2.v_extra == 0).all()


def _dual(kern, s, t, a, b):
    """Dual objective (units of eps) of the extended scaling problem."""
    return ((a * s.log()).sum(1) + (b * t.log()).sum(1) -
            (s[:, :, None] * kern * t[:, None, :]).sum((1, 2)))


@pytest.mark.parametrize('dummy_mass', [0.2, 0.375, 0.5])
def test_dummy_shift_is_an_exact_dual_line_search(dummy_mass):
    """The dummy shift maximises the dual along its direction (rows of O
    scaled by 1 / x, dummy column by x): the dual rises, its derivative
    along the direction vanishes afterwards, and the outlier rows' dummy
    entries do not move."""
    from realign_mm.ot.sinkhorn import _dummy_shift
    g = torch.Generator().manual_seed(3)
    batch, n, m = 3, 8, 7
    kern = torch.rand(batch, n + 1, m + 1, generator=g, dtype=torch.float64)
    kern[:, n, m] = 0  # the corner
    kern[:, 5:, :m] *= 1e-3  # rows 5..7 prefer the dummy column
    kern[:, :5, m] *= 0.1  # rows 0..4 the real block
    a = torch.cat([torch.full((batch, n), 1 / n, dtype=torch.float64),
                   torch.full((batch, 1), dummy_mass, dtype=torch.float64)],
                  1)
    b = torch.cat([torch.full((batch, m), 1 / m, dtype=torch.float64),
                   torch.full((batch, 1), dummy_mass, dtype=torch.float64)],
                  1)
    t = torch.rand(batch, m + 1, generator=g, dtype=torch.float64) + 0.5
    s = a / torch.einsum('bij,bj->bi', kern, t)  # rows exact, as required
    s2, t2, x = _dummy_shift(kern[:, :n, m].contiguous(), s, t, a, b, n, m)
    dummy = kern[:, :n, m] * s[:, :n] * t[:, m, None]
    outlier = dummy > 0.5 * a[:, :n]
    assert outlier[:, 5:].all() and not outlier[:, :5].any()
    assert (x != 1).all()
    assert (_dual(kern, s2, t2, a, b) > _dual(kern, s, t, a, b)).all()
    # derivative of the dual along the direction at the new point
    plan = s2[:, :, None] * kern * t2[:, None, :]
    real_o = torch.where(outlier, plan[:, :n, :m].sum(2), 0.0).sum(1)
    dummy_other = torch.where(outlier, 0.0, plan[:, :n, m]).sum(1)
    slope = (b[:, m] - torch.where(outlier, a[:, :n], 0.0).sum(1) + real_o -
             dummy_other)
    torch.testing.assert_close(slope, torch.zeros_like(slope), atol=1e-12,
                               rtol=0)
    torch.testing.assert_close(plan[:, :n, m][outlier], dummy[outlier])
