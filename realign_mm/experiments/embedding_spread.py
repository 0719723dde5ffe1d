"""How spread out a model's embeddings are on the unit sphere: the measure
of the scale shortcut a transport distance between L2-normalised embeddings
can take.

With unit embeddings ``u_f`` of all frames of a split and their mean
direction ``m = mean(u) / ||mean(u)||``,

.. math::
    \\text{cone} = \\operatorname{mean}_f\\, u_f \\cdot m, \\qquad
    \\text{spread} = \\sqrt{\\operatorname{mean}_f
        \\|u_f - (u_f \\cdot m)\\, m\\|^2}.

A squared-Euclidean cost between unit vectors shrinks with the spread
squared. A neck that adds one vector common to every frame narrows the cone
(``cone -> 1``, ``spread -> 0``) and lowers every distance, while the
discovery, which normalises and is scale-free, still sees the frames'
arrangement: the loss falls without the frames being rearranged.
"""
from typing import Dict, Sequence

import torch

from realign_mm.apis import embed_video

__all__ = ['sphere_spread', 'embedding_spread']


def sphere_spread(emb: torch.Tensor) -> Dict[str, float]:
    """``cone`` and ``spread`` (above) of ``(F, d)`` embeddings (normalised
    here)."""
    unit = torch.nn.functional.normalize(emb.double(), dim=-1)
    mean = unit.mean(0)
    norm = mean.norm()
    if norm == 0:  # perfectly balanced: no common direction
        return dict(cone=0.0, spread=1.0)
    direction = mean / norm
    along = unit @ direction
    tangent = unit - along[:, None] * direction
    return dict(cone=float(along.mean()),
                spread=float(tangent.pow(2).sum(1).mean().sqrt()))


@torch.no_grad()
def embedding_spread(model, videos: Sequence[dict]) -> Dict[str, float]:
    """:func:`sphere_spread` of ``model``'s embeddings of every frame of
    ``videos`` (dataset items of the test pipeline)."""
    return sphere_spread(torch.cat([embed_video(model, v) for v in videos]))
