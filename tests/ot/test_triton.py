"""The Triton path against the torch path, float32, relative 1e-4, on odd
sizes, ragged masks, B = 1 and B = 17.

By default (and in CI) the kernels run in triton's CPU interpreter
(``TRITON_INTERPRET=1``). On a machine with a GPU, ``TRITON_INTERPRET=0``
runs the same tests compiled, on CUDA tensors.
"""
import os

os.environ.setdefault('TRITON_INTERPRET', '1')  # before triton compiles

import pytest  # noqa: E402
import torch  # noqa: E402

from realign_mm.ot import (Marginals, SolverOptions,  # noqa: E402
                           TemporalStructure, fused_partial_gw,
                           normalized_times, sqeuclidean_cost, triton_limits)

pytest.importorskip('triton')
INTERPRETED = os.environ['TRITON_INTERPRET'] == '1'
if not INTERPRETED and not torch.cuda.is_available():
    pytest.skip('needs TRITON_INTERPRET=1 (CPU) or a CUDA device',
                allow_module_level=True)
DEVICE = 'cpu' if INTERPRETED else 'cuda'


def _problem(batch, n, m, seed=0, ragged=True):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(batch, n, 6, generator=g).to(DEVICE)
    y = torch.randn(batch, m, 6, generator=g).to(DEVICE)
    mask_x = torch.ones(batch, n, dtype=torch.bool, device=DEVICE)
    mask_y = torch.ones(batch, m, dtype=torch.bool, device=DEVICE)
    if ragged:  # every other pair is shorter
        mask_x[1::2, max(1, n - n // 3):] = False
        mask_y[1::2, max(1, m - m // 4):] = False
    cost = sqeuclidean_cost(x, y)
    cost = cost / cost.amax((1, 2), keepdim=True)
    a = mask_x.float() / mask_x.sum(1, keepdim=True)
    b = mask_y.float() / mask_y.sum(1, keepdim=True)
    sx = TemporalStructure(normalized_times(mask_x), mask_x, 0.2)
    sy = TemporalStructure(normalized_times(mask_y), mask_y, 0.2)
    return cost, sx, sy, a, b


MODELS = dict(mass=dict(mass=0.5), sink=dict(sink_cost=0.3),
              tau=dict(tau=0.5, sink_cost=0.3), balanced={})


@pytest.mark.parametrize('batch,n,m,model', [
    (1, 1, 1, 'sink'),
    (2, 37, 41, 'mass'),
    (4, 64, 64, 'mass'),  # tiles divide the sizes: the unmasked loads
    (3, 128, 96, 'tau'),
    (2, 300, 300, 'balanced'),
    (17, 9, 13, 'sink'),  # many pairs: one program each
])
def test_triton_equals_torch(batch, n, m, model):
    cost, sx, sy, a, b = _problem(batch, n, m, ragged=model != 'balanced')
    kwargs = dict(alpha=0.5, epsilon=0.05, n_outer=3, n_inner=10,
                  tol_inner=0.0, tol_outer=0.0, check_every=5,
                  sinkhorn='log', **MODELS[model])
    ref = fused_partial_gw(cost, sx, sy, a, b, backend='torch', **kwargs)
    got = fused_partial_gw(cost, sx, sy, a, b, backend='triton', **kwargs)
    assert got.n_inner == ref.n_inner
    scale = ref.plan.abs().max()
    assert (got.plan - ref.plan).abs().max() <= 1e-4 * scale
    torch.testing.assert_close(got.value, ref.value, rtol=1e-4, atol=1e-7)
    torch.testing.assert_close(got.sink_x, ref.sink_x, rtol=1e-4, atol=1e-7)
    pad = ~(a > 0)
    assert (got.plan[pad] == 0).all()  # padded frames: exactly no mass


def test_triton_gradients_follow_the_envelope_rule():
    cost, sx, sy, a, b = _problem(2, 20, 24)
    kwargs = dict(alpha=0.5, epsilon=0.05, n_outer=2, n_inner=10,
                  sinkhorn='log', sink_cost=0.3, tol_inner=0.0)
    grads = []
    for backend in ('torch', 'triton'):
        c = cost.clone().requires_grad_()
        fused_partial_gw(c, sx, sy, a, b, backend=backend,
                         **kwargs).value.sum().backward()
        grads.append(c.grad)
    torch.testing.assert_close(grads[1], grads[0], rtol=1e-4, atol=1e-7)


def test_backend_choice_and_refusals():
    from realign_mm.ot.triton import resolve_backend
    cost, sx, sy, a, b = _problem(1, 4, 4, ragged=False)
    expected = 'torch' if INTERPRETED else 'triton'  # CPU / CUDA tensors
    assert resolve_backend('auto', cost) == expected
    assert resolve_backend('triton', cost) == 'triton'
    with pytest.raises(ValueError, match='backend'):
        resolve_backend('cuda', cost)
    with pytest.raises(ValueError, match='envelope'):
        fused_partial_gw(cost, sx, sy, alpha=0.5, epsilon=0.1,
                         backend='triton', grad='unrolled')
    with pytest.raises(ValueError, match='float32'):
        fused_partial_gw(cost.double(), sx, sy, alpha=0.5, epsilon=0.1,
                         backend='triton')
    # every option Triton cannot honour is named before any work ...
    with pytest.raises(ValueError, match='overrelax=1.8.*dummy_shift'):
        fused_partial_gw(cost, sx, sy, alpha=0.5, epsilon=0.1, mass=0.5,
                         backend='triton', overrelax=1.8)
    # ... and 'auto' falls back to torch with the reason, whatever device
    limits = triton_limits(SolverOptions(overrelax=1.8), Marginals(),
                           cost.dtype, 4, 4096)
    assert resolve_backend('auto', cost, limits) == 'torch'
    assert fused_partial_gw(cost, sx, sy, alpha=0.5, epsilon=0.1,
                            overrelax=1.8).plan.shape == (1, 4, 4)
    # dummy_shift=False lets an exact-mass call run the Triton kernels
    assert not triton_limits(SolverOptions(dummy_shift=False),
                             Marginals.exact_mass(0.5), cost.dtype, 4, 4096)
