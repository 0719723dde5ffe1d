"""Alignment losses REALIGN is compared with (issue: baselines).

Each is a :class:`BaseAlignmentLoss` and fits the aligner's ``align_loss``
slot.
"""
import torch
from mmaction.registry import MODELS
from torch import Tensor

from realign_mm.ot import normalized_times, sqeuclidean_cost
from .base_alignment_loss import AlignmentResult, BaseAlignmentLoss
from .fpgw_loss import FPGWLoss

__all__ = ['KOTLoss', 'GWLoss', 'TCCLoss', 'cycle_back_regression']


@MODELS.register_module()
class KOTLoss(FPGWLoss):
    """OPEL's Kantorovich OT: linear OT (no structure term, ``alpha = 0``)
    with a virtual frame (sink cost ``zeta``) and the Laplace temporal +
    optimality mixture prior (Chowdhury et al., OPEL, 2024).

    Args:
        epsilon (float): entropic regularisation. Defaults to 0.05.
        sink_cost (float): virtual frame cost. Defaults to 1.0.
        prior_scale (float): Laplace / optimality prior scale.
        optimality_weight (float): optimality share of the prior.
        **kwargs: other :class:`FPGWLoss` options (not ``alpha``,
            ``structure``).
    """
    loss_name = 'loss_kot'

    def __init__(self,
                 epsilon: float = 0.05,
                 sink_cost: float = 1.0,
                 prior_scale: float = 0.5,
                 optimality_weight: float = 0.5,
                 **kwargs) -> None:
        for key in ('alpha', 'structure', 'prior'):
            if key in kwargs:
                raise TypeError(f'KOTLoss fixes {key}; use FPGWLoss to vary it')
        super().__init__(
            alpha=0.0, epsilon=epsilon, sink_cost=sink_cost, prior='mixture',
            prior_scale=prior_scale, optimality_weight=optimality_weight,
            **kwargs)


@MODELS.register_module()
class GWLoss(FPGWLoss):
    """Balanced entropic fused GW: every frame matched, no sink, no prior
    (POT's ``entropic_fused_gromov_wasserstein`` objective).

    Args:
        alpha (float): structure weight. Defaults to 0.5.
        epsilon (float): entropic regularisation. Defaults to 0.05.
        **kwargs: other :class:`FPGWLoss` options (not the partial ones).
    """
    loss_name = 'loss_gw'

    def __init__(self, alpha: float = 0.5, epsilon: float = 0.05,
                 **kwargs) -> None:
        for key in ('sink_cost', 'tau', 'mass', 'prior'):
            if key in kwargs:
                raise TypeError(f'GWLoss is balanced and prior-free: no {key}')
        super().__init__(alpha=alpha, epsilon=epsilon, sink_cost=None,
                         tau=None, mass=None, prior='none', **kwargs)


@MODELS.register_module()
class TCCLoss(BaseAlignmentLoss):
    """Temporal cycle-consistency, cycle-back regression with variance
    (Dwibedi et al., CVPR 2019), symmetric in the two videos.

    For frame ``i`` of X: soft nearest neighbour in Y,
    ``y~ = sum_j softmax_j(-|x_i - y_j|^2 / T) y_j``, cycled back to X,
    ``beta = softmax_k(-|y~ - x_k|^2 / T)``; with ``mu = sum_k beta_k t_k``
    and ``sigma^2 = sum_k beta_k (t_k - mu)^2`` (normalised times),

    .. math::
        \\ell_i = \\frac{(t_i - \\mu)^2}{\\sigma^2} + \\lambda \\log \\sigma .

    Args:
        temperature (float): softmax temperature. Defaults to 0.1.
        variance_weight (float): ``lambda``. Defaults to 0.001.
        loss_weight (float): Defaults to 1.0.
    """
    loss_name = 'loss_tcc'
    provides_plan = False

    def __init__(self,
                 temperature: float = 0.1,
                 variance_weight: float = 0.001,
                 loss_weight: float = 1.0) -> None:
        super().__init__(loss_weight)
        self.temperature = temperature
        self.variance_weight = variance_weight

    def _cycle(self, x: Tensor, y: Tensor, mask_x: Tensor,
               mask_y: Tensor) -> Tensor:
        """Per-pair mean cycle-back loss from X through Y, ``(B,)``."""
        big = torch.finfo(x.dtype).min
        logits = -sqeuclidean_cost(x, y) / self.temperature
        alpha = logits.masked_fill(~mask_y[:, None, :], big).softmax(-1)
        soft = torch.bmm(alpha, y)  # (B, N, d)
        loss = cycle_back_regression(soft, x, mask_x, self.temperature,
                                     self.variance_weight)
        weight = mask_x.to(x.dtype)
        return (loss * weight).sum(1) / weight.sum(1).clamp_min(1)

    def align(self, x: Tensor, y: Tensor, mask_x: Tensor,
              mask_y: Tensor) -> AlignmentResult:
        """No plan; the per-pair cycle-back loss, symmetric in X and Y."""
        per_pair = 0.5 * (self._cycle(x, y, mask_x, mask_y) +
                          self._cycle(y, x, mask_y, mask_x))
        return AlignmentResult(None, per_pair)


def cycle_back_regression(soft: Tensor, x: Tensor, mask_x: Tensor,
                          temperature: float,
                          variance_weight: float) -> Tensor:
    """TCC's cycle-back regression, per frame ``(B, N)``: ``soft (B, N, d)``
    is where each frame of X went in the other video; back in X,
    ``beta = softmax_k(-|soft_i - x_k|^2 / T)``, ``mu = sum_k beta_k t_k``,
    ``sigma^2 = sum_k beta_k (t_k - mu)^2`` and
    ``l_i = (t_i - mu)^2 / sigma^2 + lambda log sigma``."""
    big = torch.finfo(x.dtype).min
    back = -sqeuclidean_cost(soft, x) / temperature
    beta = back.masked_fill(~mask_x[:, None, :], big).softmax(-1)
    times = normalized_times(mask_x).to(x.dtype)  # (B, N)
    mu = torch.bmm(beta, times[:, :, None])[..., 0]
    var = torch.bmm(beta, times[:, :, None]**2)[..., 0] - mu**2
    var = var.clamp_min(1e-8)
    return (times - mu)**2 / var + variance_weight * 0.5 * var.log()
