"""Temporal priors ``P`` for the entropic term ``eps * KL(T | P)``.

A prior here is a log-weight ``log w`` of shape ``(B, N, M)`` that reweights
the product measure ``a b^T``: the reference of the KL term is
``R_ij = a_i b_j w_ij``. ``w = 1`` (``log w = 0``) is the plain product
measure, for which the balanced problem equals POT's entropic FGW.
Priors are detached: they shape the transport, they carry no gradient.
"""
import math

import torch
from torch import Tensor

from .costs import normalized_times

__all__ = ['laplace_diagonal_prior', 'optimality_prior', 'mixture_prior']


def _masked_fill(log_w: Tensor, mask_x: Tensor, mask_y: Tensor) -> Tensor:
    pair_mask = mask_x[:, :, None] & mask_y[:, None, :]
    return torch.where(pair_mask, log_w, torch.zeros_like(log_w))


def laplace_diagonal_prior(mask_x: Tensor, mask_y: Tensor,
                           scale: float) -> Tensor:
    """Laplace prior around the diagonal of normalised time (OPEL).

    .. math::
        \\log w_{ij} = -\\frac{|i/N - j/M|}{b \\sqrt{1/N^2 + 1/M^2}}

    Args:
        mask_x (Tensor): ``(B, N)`` bool real-frame mask of X.
        mask_y (Tensor): ``(B, M)`` bool real-frame mask of Y.
        scale (float): ``b``.

    Returns:
        Tensor: ``(B, N, M)`` log-weights (0 on padded entries).
    """
    tx = normalized_times(mask_x)
    ty = normalized_times(mask_y)
    n = mask_x.sum(1).clamp_min(1).to(tx.dtype)
    m = mask_y.sum(1).clamp_min(1).to(tx.dtype)
    width = scale * torch.sqrt(1 / n**2 + 1 / m**2)  # (B,)
    gap = (tx[:, :, None] - ty[:, None, :]).abs()
    return _masked_fill(-gap / width[:, None, None], mask_x, mask_y)


def optimality_prior(cost: Tensor, mask_x: Tensor, mask_y: Tensor,
                     scale: float) -> Tensor:
    """Laplace prior centred on each row's best match (OPEL), detached.

    .. math::
        \\log w_{ij} = -|t_j - t_{j^*(i)}| / b, \\quad
        j^*(i) = \\arg\\min_j D_{ij}

    Args:
        cost (Tensor): ``(B, N, M)`` feature cost D.
        mask_x (Tensor): ``(B, N)``.
        mask_y (Tensor): ``(B, M)``.
        scale (float): ``b`` in normalised time.

    Returns:
        Tensor: ``(B, N, M)`` log-weights.
    """
    cost = cost.detach().masked_fill(~mask_y[:, None, :], math.inf)
    best = cost.argmin(dim=2)  # (B, N)
    ty = normalized_times(mask_y).to(cost.dtype)
    t_best = torch.gather(ty, 1, best)  # (B, N)
    gap = (ty[:, None, :] - t_best[:, :, None]).abs()
    return _masked_fill(-gap / scale, mask_x, mask_y)


def mixture_prior(log_w1: Tensor, log_w2: Tensor, weight: float) -> Tensor:
    """Mixture ``(1 - weight) w1 + weight w2`` of two priors, in log space."""
    if weight <= 0:
        return log_w1
    if weight >= 1:
        return log_w2
    return torch.logaddexp(log_w1 + math.log(1 - weight),
                           log_w2 + math.log(weight))
