"""R-FPGWOT alignment loss: a thin wrapper over :mod:`realign_mm.ot`."""
from typing import Optional, Union

import torch
from mmaction.registry import MODELS
from torch import Tensor

from realign_mm.ot import (FPGWResult, Marginals, TemporalStructure,
                           cosine_cost, feature_structure, fused_partial_gw,
                           laplace_diagonal_prior, mixed_structure,
                           mixture_prior, normalized_times, optimality_prior,
                           solver_options, sqeuclidean_cost)
from .base_alignment_loss import BaseAlignmentLoss

__all__ = ['FPGWLoss']

_STRUCTURES = ('temporal', 'feature', 'mixed')
_PRIORS = ('laplace', 'optimality', 'mixture', 'none')


@MODELS.register_module()
class FPGWLoss(BaseAlignmentLoss):
    """Regularised fused partial GW distance between two videos (method §1).

    .. math::
        \\mathcal{L} = \\frac{E(T^*)}{\\sum_{ij} T^*_{ij}}, \\quad
        E(T) = (1 - \\alpha) \\langle D, T \\rangle + \\alpha \\sum
        (C^X_{ik} - C^Y_{jl})^2 T_{ij} T_{kl}

    averaged over the pairs, with ``T*`` from :func:`fused_partial_gw` and
    gradients by the envelope rule (default) or unrolled.

    Args:
        alpha (float): structure weight. Defaults to 0.5.
        epsilon (float): entropic regularisation. Defaults to 0.05.
        sink_cost (float, optional): virtual sink cost ``zeta``.
            Defaults to 1.0.
        tau (float, optional): KL marginal relaxation. Defaults to None
            (exact marginals around the sink).
        mass (float, optional): exact total mass; excludes ``sink_cost``
            and ``tau`` (set ``sink_cost=None`` with it).
        cost (str): ``'sqeuclidean'`` or ``'cosine'``.
        structure (str): ``'temporal'``, ``'feature'`` or ``'mixed'``.
        structure_scale (float): Laplace scale ``b`` of the temporal
            structure. Defaults to 0.1.
        feature_weight (float): feature share of the ``'mixed'`` structure.
        prior (str): ``'laplace'``, ``'optimality'``, ``'mixture'``,
            ``'none'``. Defaults to ``'laplace'``.
        prior_scale (float): scale of the priors. Defaults to 0.5.
        optimality_weight (float): optimality share of ``'mixture'``.
        solver (str or dict, optional): every solver option, passed to
            :func:`fused_partial_gw` as one value: a preset name or a dict of
            :class:`~realign_mm.ot.SolverOptions` fields, e.g.
            ``dict(n_outer=10, n_inner=50, grad='envelope')``, on top of
            the ``'training'`` preset (10 steps of up to 50 iterations).
            Defaults to that preset.
        loss_weight (float): Defaults to 1.0.
    """
    loss_name = 'loss_fpgw'
    provides_plan = True

    def __init__(self,
                 alpha: float = 0.5,
                 epsilon: float = 0.05,
                 sink_cost: Optional[float] = 1.0,
                 tau: Optional[float] = None,
                 mass: Optional[float] = None,
                 cost: str = 'sqeuclidean',
                 structure: str = 'temporal',
                 structure_scale: float = 0.1,
                 feature_weight: float = 0.5,
                 prior: str = 'laplace',
                 prior_scale: float = 0.5,
                 optimality_weight: float = 0.5,
                 solver: Union[None, str, dict] = None,
                 loss_weight: float = 1.0) -> None:
        super().__init__(loss_weight)
        if cost not in ('sqeuclidean', 'cosine'):
            raise ValueError(f'unknown cost {cost!r}')
        if structure not in _STRUCTURES:
            raise ValueError(f'structure must be one of {_STRUCTURES}')
        if prior not in _PRIORS:
            raise ValueError(f'prior must be one of {_PRIORS}')
        self.alpha, self.epsilon = alpha, epsilon
        # both checked here, at construction: a bad option never waits
        # for the first training step
        self.marginals = Marginals.from_keywords(mass, sink_cost, tau)
        if isinstance(solver, str):  # a preset: resolved per size per call
            solver_options(solver)
            self.solver = solver
        else:
            self.solver = solver_options(solver, base='training')
        self.cost = cost
        self.structure = structure
        self.structure_scale = structure_scale
        self.feature_weight = feature_weight
        self.prior = prior
        self.prior_scale = prior_scale
        self.optimality_weight = optimality_weight

    def _structure(self, x: Tensor, mask: Tensor) -> Tensor:
        times = normalized_times(mask).to(x.dtype)
        if self.structure == 'temporal':  # O(N M) products, never dense
            return TemporalStructure(times, mask, self.structure_scale)
        if self.structure == 'feature':
            return feature_structure(x)
        return mixed_structure(times, x, self.structure_scale,
                               self.feature_weight)

    def _prior(self, cost: Tensor, mask_x: Tensor,
               mask_y: Tensor) -> Optional[Tensor]:
        if self.prior == 'none':
            return None
        if self.prior == 'optimality':
            return optimality_prior(cost, mask_x, mask_y, self.prior_scale)
        laplace = laplace_diagonal_prior(mask_x, mask_y, self.prior_scale)
        if self.prior == 'laplace':
            return laplace.to(cost.dtype)
        opt = optimality_prior(cost, mask_x, mask_y, self.prior_scale)
        return mixture_prior(laplace.to(cost.dtype), opt,
                             self.optimality_weight)

    def solve(self, x: Tensor, y: Tensor, mask_x: Tensor,
              mask_y: Tensor) -> FPGWResult:
        """Transport between ``x (B, N, d)`` and ``y (B, M, d)``."""
        cost_fn = sqeuclidean_cost if self.cost == 'sqeuclidean' else \
            cosine_cost
        cost = cost_fn(x, y)
        a = mask_x.to(x.dtype) / mask_x.sum(1, keepdim=True).clamp_min(1)
        b = mask_y.to(y.dtype) / mask_y.sum(1, keepdim=True).clamp_min(1)
        return fused_partial_gw(
            cost,
            self._structure(x, mask_x),
            self._structure(y, mask_y),
            a,
            b,
            alpha=self.alpha,
            epsilon=self.epsilon,
            marginals=self.marginals,
            prior=self._prior(cost, mask_x, mask_y),
            solver=self.solver)

    def align(self, x: Tensor, y: Tensor, mask_x: Tensor,
              mask_y: Tensor) -> FPGWResult:
        """The solver's result: the plan ``T*``, the per-pair distance
        ``E(T*) / sum T*`` and what went to the sinks."""
        # the solver runs in float32 even under --amp (bf16 potentials and
        # exp(-G / eps) would be far off): no autocast inside
        with torch.autocast(device_type=x.device.type, enabled=False):
            if x.dtype in (torch.float16, torch.bfloat16):
                x, y = x.float(), y.float()
            result = self.solve(x, y, mask_x, mask_y)
        return result
