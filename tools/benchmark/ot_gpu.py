"""The solver on a GPU: torch eager, torch.compile and the Triton path.

ms per batch (B = 64 pairs) at n = 128, 256, 512, interleaved over
``--repeats`` rounds, CUDA-synchronised, plus the largest plan difference of
the Triton path from the torch path on the same problem. The reference
lower bound (shared/docs/solver_notes.md section 5, H100, B = 64, n = 256):
about 60-100 us per outer iteration.

    python tools/benchmark/ot_gpu.py
"""
import argparse
import time

import torch

from realign_mm.ot import (TemporalStructure, fused_partial_gw,
                           normalized_times, sqeuclidean_cost)
from realign_mm.synthetic import trajectory_pairs


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--sizes', type=int, nargs='+',
                        default=[128, 256, 512])
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--n-outer', type=int, default=10)
    parser.add_argument('--n-inner', type=int, default=20)
    parser.add_argument('--epsilon', type=float, default=0.01)
    return parser.parse_args()


def _problem(batch, n, device):
    x, y = trajectory_pairs(batch, n, seed=0)
    x, y = x.to(device), y.to(device)
    cost = sqeuclidean_cost(x, y)
    cost = cost / cost.amax((1, 2), keepdim=True)
    mask = torch.ones(batch, n, dtype=torch.bool, device=device)
    return cost, TemporalStructure(normalized_times(mask), mask, 0.3)


def main():
    args = parse_args()
    if not torch.cuda.is_available():
        print('no CUDA device: the GPU figures are not measured (run this '
              'on a machine with a GPU)')
        return
    device = torch.device('cuda')
    print(f'device: {torch.cuda.get_device_name(device)}, torch '
          f'{torch.__version__}')
    kwargs = dict(alpha=0.5, epsilon=args.epsilon, mass=0.75,
                  n_outer=args.n_outer, n_inner=args.n_inner,
                  tol_inner=0.0, tol_outer=0.0, check_every=args.n_inner)
    compiled = torch.compile(fused_partial_gw)
    methods = {
        'torch eager (log)': lambda c, s: fused_partial_gw(
            c, s, s, backend='torch', sinkhorn='log', **kwargs),
        'torch eager (scaling)': lambda c, s: fused_partial_gw(
            c, s, s, backend='torch', sinkhorn='scaling', **kwargs),
        'torch.compile (log)': lambda c, s: compiled(
            c, s, s, backend='torch', sinkhorn='log', **kwargs),
        'triton': lambda c, s: fused_partial_gw(
            c, s, s, backend='triton', **kwargs),
    }
    best = {}
    plans = {}
    for _ in range(args.repeats):
        for n in args.sizes:
            cost, struct = _problem(args.batch, n, device)
            for name, fn in list(methods.items()):
                try:
                    fn(cost, struct)  # warm-up / compile
                except Exception as err:  # e.g. torch.compile limits
                    print(f'{name} failed at n={n}: {err}')
                    del methods[name]
                    continue
                torch.cuda.synchronize()
                start = time.perf_counter()
                res = fn(cost, struct)
                torch.cuda.synchronize()
                elapsed = time.perf_counter() - start
                best[n, name] = min(best.get((n, name), 1e9), elapsed)
                plans[n, name] = res.plan
    print(f'\nB = {args.batch}, {args.n_outer} outer x {args.n_inner} inner '
          f'iterations, exact mass 0.75, epsilon {args.epsilon}, float32, '
          f'min of {args.repeats}:\n')
    print('| n | method | ms / batch | us / outer iteration | vs eager log |'
          ' max plan diff vs torch log |')
    print('|---|---|---|---|---|---|')
    for n in args.sizes:
        ref = plans[n, 'torch eager (log)']
        for name in methods:
            ms = 1e3 * best[n, name]
            diff = float((plans[n, name] - ref).abs().max() /
                         ref.abs().max())
            print(f'| {n} | {name} | {ms:.2f} | '
                  f'{1e3 * ms / args.n_outer:.0f} | '
                  f'{best[n, "torch eager (log)"] / best[n, name]:.1f}x | '
                  f'{diff:.1e} |')


if __name__ == '__main__':
    main()
