"""Batched optimal-transport solvers on tensors (no registry, no config)."""
from .costs import (cosine_cost, feature_structure, fgw_objective,
                    mixed_structure, normalized_times, sqeuclidean_cost,
                    square_loss_product, square_loss_terms,
                    temporal_structure)
from .fpgw import FPGWResult, fused_partial_gw
from .laplace_filter import LaplaceKernel, laplace_filter
from .options import (PRESETS, Marginals, SolverOptions, solver_options,
                      triton_limits)
from .priors import laplace_diagonal_prior, mixture_prior, optimality_prior
from .sinkhorn import (SinkhornOutput, SinkhornProblem, SinkhornState,
                       sinkhorn_log, sinkhorn_scaling)
from .structures import DenseStructure, TemporalStructure, as_structure

__all__ = [
    'FPGWResult', 'fused_partial_gw', 'SinkhornState', 'SinkhornProblem',
    'SinkhornOutput', 'sinkhorn_log',
    'sinkhorn_scaling', 'sqeuclidean_cost', 'cosine_cost',
    'normalized_times', 'temporal_structure', 'feature_structure',
    'mixed_structure', 'square_loss_product', 'square_loss_terms',
    'fgw_objective', 'laplace_diagonal_prior', 'optimality_prior',
    'mixture_prior', 'LaplaceKernel', 'laplace_filter', 'DenseStructure',
    'TemporalStructure', 'as_structure', 'Marginals', 'SolverOptions',
    'PRESETS', 'solver_options', 'triton_limits'
]
