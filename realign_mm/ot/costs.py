"""Cost and structure matrices for fused Gromov-Wasserstein on frame sequences.

All functions are batched over pairs and backend-free torch maths:
``x`` is ``(B, N, d)``, ``y`` is ``(B, M, d)``, a frame mask is ``(B, N)`` bool.
"""
from typing import Optional, Tuple, Union

import torch
from torch import Tensor

from .structures import Structure, as_structure

StructureLike = Union[Tensor, Structure]

__all__ = [
    'sqeuclidean_cost', 'cosine_cost', 'normalized_times',
    'temporal_structure', 'feature_structure', 'mixed_structure',
    'square_loss_product', 'square_loss_terms', 'fgw_objective'
]


def sqeuclidean_cost(x: Tensor, y: Tensor) -> Tensor:
    """Squared Euclidean cost ``D_ij = ||x_i - y_j||^2``.

    Args:
        x (Tensor): ``(B, N, d)`` embeddings of the first video.
        y (Tensor): ``(B, M, d)`` embeddings of the second video.

    Returns:
        Tensor: ``(B, N, M)``, clamped at zero against round-off.
    """
    x2 = (x * x).sum(-1)  # (B, N)
    y2 = (y * y).sum(-1)  # (B, M)
    cost = torch.baddbmm(x2[:, :, None] + y2[:, None, :], x,
                         y.transpose(1, 2), alpha=-2)
    # clamp round-off negatives without a clamp node: autograd would keep a
    # (B, N, M) tensor for it, and the gradient of the expansion is exact
    return cost + (cost.detach().clamp_min(0) - cost.detach())


def cosine_cost(x: Tensor, y: Tensor, eps: float = 1e-8) -> Tensor:
    """Cosine cost ``D_ij = 1 - <x_i, y_j> / (|x_i| |y_j|)``, ``(B, N, M)``."""
    xn = x / x.norm(dim=-1, keepdim=True).clamp_min(eps)
    yn = y / y.norm(dim=-1, keepdim=True).clamp_min(eps)
    return 1 - torch.bmm(xn, yn.transpose(1, 2))


def normalized_times(mask: Tensor) -> Tensor:
    """Normalised time ``t_i = r_i / n`` of each real frame.

    ``r_i`` is the rank of frame ``i`` among the real frames of its video and
    ``n`` their number, so a video of ``n`` frames spans ``[0, (n-1)/n]``
    whatever its padding. Padded frames get time 0.

    Args:
        mask (Tensor): ``(B, N)`` bool, True for real frames.

    Returns:
        Tensor: ``(B, N)`` float times.
    """
    m = mask.to(torch.get_default_dtype())
    rank = torch.cumsum(m, dim=1) - 1
    n = m.sum(1, keepdim=True).clamp_min(1)
    return torch.where(mask, rank / n, torch.zeros_like(rank))


def temporal_structure(times: Tensor, scale: float) -> Tensor:
    """Temporal Laplace structure ``C_ik = 1 - exp(-|t_i - t_k| / scale)``.

    Args:
        times (Tensor): ``(B, N)`` normalised frame times.
        scale (float): Laplace scale ``b`` in normalised time.

    Returns:
        Tensor: ``(B, N, N)`` symmetric, zero diagonal, values in [0, 1).
    """
    gap = (times[:, :, None] - times[:, None, :]).abs()
    return 1 - torch.exp(-gap / scale)


def feature_structure(x: Tensor) -> Tensor:
    """Feature structure ``C_ik = ||x_i - x_k||^2``, ``(B, N, N)``."""
    return sqeuclidean_cost(x, x)


def mixed_structure(times: Tensor, x: Tensor, scale: float,
                    weight: float) -> Tensor:
    """Convex mix ``(1 - w) C_temporal + w C_feature`` of the two above."""
    return ((1 - weight) * temporal_structure(times, scale) +
            weight * feature_structure(x))


def square_loss_product(struct_x: StructureLike, struct_y: StructureLike,
                        plan: Tensor) -> Tensor:
    """Tensor product ``L(C^X, C^Y) (x) T`` for the square loss.

    .. math::
        (L \\otimes T)_{ij} = \\sum_{kl} (C^X_{ik} - C^Y_{jl})^2 T_{kl}
          = ((C^X)^2 p)_i + ((C^Y)^2 q)_j - 2 (C^X T C^{Y\\top})_{ij}

    with the *plan* marginals ``p = T 1`` and ``q = T^T 1`` (Peyre et al.,
    ICML 2016, Prop. 1), so it is also right for partial plans whose
    marginals differ from the frame weights. Cost O(N^2 M + N M^2) for dense
    structures, O(N M L) for :class:`~realign_mm.ot.structures.
    TemporalStructure`.

    Args:
        struct_x (Tensor or structure): ``(B, N, N)`` symmetric structure.
        struct_y (Tensor or structure): ``(B, M, M)`` symmetric structure.
        plan (Tensor): ``(B, N, M)`` transport plan.

    Returns:
        Tensor: ``(B, N, M)``.
    """
    const_x, const_y, cross = square_loss_terms(struct_x, struct_y, plan)
    return const_x + const_y - 2 * cross


def square_loss_terms(struct_x: StructureLike, struct_y: StructureLike,
                      plan: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    """The three terms of :func:`square_loss_product`, unassembled.

    Returns:
        tuple: ``(C^X)^2 p`` as ``(B, N, 1)``, ``((C^Y)^2 q)^T`` as
        ``(B, 1, M)`` and ``C^X T C^{Y\\top}`` as ``(B, N, M)``, so that
        ``L (x) T = const_x + const_y - 2 cross``. The solver folds the two
        rank-one terms into one pass.
    """
    sx, sy = as_structure(struct_x), as_structure(struct_y)
    p = plan.sum(2, keepdim=True)  # (B, N, 1)
    q = plan.sum(1).unsqueeze(2)  # (B, M, 1)
    const_x = sx.square_matmul(p)  # (B, N, 1)
    const_y = sy.square_matmul(q).transpose(1, 2)  # (B, 1, M)
    cross = sx.matmul(sy.rmatmul(plan))  # C^Y symmetric
    return const_x, const_y, cross


def fgw_objective(cost: Tensor,
                  struct_x: StructureLike,
                  struct_y: StructureLike,
                  plan: Tensor,
                  alpha: float,
                  product: Optional[Tensor] = None) -> Tensor:
    """Fused GW objective of a plan, per pair.

    .. math::
        E(T) = (1 - \\alpha) \\langle D, T \\rangle
               + \\alpha \\sum_{ijkl} (C^X_{ik} - C^Y_{jl})^2 T_{ij} T_{kl}

    This is the quantity POT's ``fused_gromov_wasserstein`` and
    ``partial_fused_gromov_wasserstein`` minimise with ``loss_fun=
    'square_loss'``.

    Args:
        cost (Tensor): ``(B, N, M)`` feature cost D.
        struct_x (Tensor or structure): ``(B, N, N)``.
        struct_y (Tensor or structure): ``(B, M, M)``.
        plan (Tensor): ``(B, N, M)``.
        alpha (float): structure weight in [0, 1].
        product (Tensor, optional): precomputed ``L (x) T``.

    Returns:
        Tensor: ``(B,)``.
    """
    linear = (cost * plan).sum((1, 2))
    if alpha == 0:
        return linear
    if product is None:
        product = square_loss_product(struct_x, struct_y, plan)
    quadratic = (product * plan).sum((1, 2))
    return (1 - alpha) * linear + alpha * quadratic
