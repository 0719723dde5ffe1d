"""Canonical correlation through transport plans (closed form).

Given pairs of same-task videos ``x^p (N, D)``, ``y^p (M, D)`` and a
correspondence between their frames, a transport plan ``T^p`` (R-FPGWOT's,
or any other), find the linear map ``W (D, k)`` whose outputs agree most on
corresponding frames while keeping unit variance:

.. math::

    \\max_W \\operatorname{tr}(W^\\top C W) \\quad \\text{s.t.} \\quad
    W^\\top (\\Sigma + \\rho \\bar\\sigma^2 I) W = I,

    C = \\frac{1}{P} \\sum_p \\sum_{ij} \\frac{T^p_{ij}}{\\sum T^p}
        \\frac{(x^p_i - m)(y^p_j - m)^\\top + (y^p_j - m)(x^p_i - m)^\\top}{2},

with ``Sigma`` the covariance of all frames about their mean ``m`` and
``sigma^2 = tr(Sigma) / D``. The solution is the top ``k`` generalised
eigenvectors of ``(C, Sigma + rho sigma^2 I)``; the eigenvalues are the
canonical correlations (with ``rho = 0``). Unlike a gradient step on the
transport distance, the variance constraint leaves no shortcut: shrinking
or collapsing the outputs cannot raise the objective, only directions that
corresponding frames share can (canonical time warping, Zhou & De la Torre,
NeurIPS 2009, with the alignment given by a plan).
"""
from typing import Tuple

import torch
from torch import Tensor

__all__ = ['plan_cross_covariance', 'plan_cca']


def plan_cross_covariance(plan: Tensor, x: Tensor, y: Tensor,
                          mean: Tensor) -> Tensor:
    """Sum over pairs of the symmetrised plan-weighted cross-covariance.

    Args:
        plan (Tensor): ``(P, N, M)`` plans, any non-negative mass (each pair
            is normalised to total mass 1; pairs with no mass add nothing).
        x (Tensor): ``(P, N, D)`` frames of the first videos.
        y (Tensor): ``(P, M, D)`` frames of the second videos.
        mean (Tensor): ``(D,)`` the mean ``m`` the frames are centred on.

    Returns:
        Tensor: ``(D, D)``, ``sum_p`` of the pair's term of ``C`` (divide
        by the number of pairs for ``C``).
    """
    mass = plan.sum((1, 2), keepdim=True)
    plan = plan / mass.clamp_min(torch.finfo(plan.dtype).tiny)
    cross = torch.einsum('pij,pid,pje->de', plan, x - mean, y - mean)
    return (cross + cross.T) / 2


def plan_cca(cross: Tensor, cov: Tensor, num_components: int,
             ridge: float) -> Tuple[Tensor, Tensor]:
    """Top ``k`` generalised eigenvectors of ``(C, Sigma + rho sigma^2 I)``.

    Args:
        cross (Tensor): ``(D, D)`` symmetric ``C``.
        cov (Tensor): ``(D, D)`` covariance ``Sigma`` of the frames.
        num_components (int): ``k <= D``.
        ridge (float): ``rho >= 0``, relative to the mean variance
            ``sigma^2``; large values approach the top eigenvectors of ``C``.

    Returns:
        tuple[Tensor, Tensor]: ``W (D, k)`` with ``W^T (Sigma + rho sigma^2
        I) W = I`` and the ``k`` eigenvalues, in decreasing order (float64).
    """
    dim = cov.shape[0]
    if not 0 < num_components <= dim:
        raise ValueError(f'num_components must be in [1, {dim}], got '
                         f'{num_components}')
    if ridge < 0:
        raise ValueError(f'ridge must be >= 0, got {ridge}')
    cross, cov = cross.double(), cov.double()
    scale = torch.trace(cov) / dim
    if not scale > 0:
        raise ValueError('the frames have no variance: every feature is '
                         'constant, there is nothing to project')
    reg = cov + ridge * scale * torch.eye(
        dim, dtype=cov.dtype, device=cov.device)
    chol = torch.linalg.cholesky(reg)  # reg = L L^T
    # L^-1 C L^-T v = lambda v  <=>  C w = lambda reg w with w = L^-T v
    half = torch.linalg.solve_triangular(chol, cross, upper=False)
    whitened = torch.linalg.solve_triangular(chol, half.T, upper=False)
    values, vectors = torch.linalg.eigh((whitened + whitened.T) / 2)
    order = values.argsort(descending=True)[:num_components]
    weight = torch.linalg.solve_triangular(
        chol.T, vectors[:, order], upper=True)
    return weight, values[order]
