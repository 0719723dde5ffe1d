"""The solver on a GPU: torch eager, torch.compile and the Triton path.

ms per batch (B = 64 pairs) at n = 128, 256, 512, interleaved over
``--repeats`` rounds, CUDA-synchronised (the minimum is kept), plus the
largest plan difference of each method from torch eager on the same problem.
The reference lower bound (shared/docs/solver_notes.md section 5, H100,
B = 64, n = 256) is about 60-100 us per outer iteration; the last column
divides the measured time per outer iteration by its upper end, 100 us,
scaled to n by n^3 (structure products) for n != 256.

    python tools/benchmark/ot_gpu.py                  # eager vs Triton
    python tools/benchmark/ot_gpu.py --compile        # + torch.compile
    python tools/benchmark/ot_gpu.py --profile        # top CUDA kernels
    python tools/benchmark/ot_gpu.py --sweep          # Sinkhorn tiles
"""
import argparse
import time

import torch

from realign_mm.ot import (DenseStructure, SinkhornProblem,
                           TemporalStructure, fused_partial_gw,
                           normalized_times, sqeuclidean_cost)
from realign_mm.synthetic import trajectory_pairs

BOUND_US_256 = 100.0  # upper end of the per-outer-iteration bound at n=256


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--sizes', type=int, nargs='+',
                        default=[128, 256, 512])
    parser.add_argument('--batch', type=int, default=64)
    parser.add_argument('--repeats', type=int, default=5)
    parser.add_argument('--n-outer', type=int, default=10)
    parser.add_argument('--n-inner', type=int, default=20)
    parser.add_argument('--epsilon', type=float, default=0.01)
    parser.add_argument('--structure', choices=['temporal', 'dense'],
                        default='temporal',
                        help='TemporalStructure operator or its dense '
                        'matrix (DenseStructure)')
    parser.add_argument('--compile', action='store_true',
                        help='also time torch.compile(fused_partial_gw)')
    parser.add_argument('--profile', action='store_true',
                        help='print the top CUDA kernels of one Triton-path '
                        'call (n = 256, or the largest size)')
    parser.add_argument('--sweep', action='store_true',
                        help='time the fused Sinkhorn alone for several '
                        'tile sizes and warps, then exit')
    return parser.parse_args()


SWEEP = [(rows, warps) for rows in (4, 8, 16, 32, 64) for warps in (4, 8, 16)]


def _sweep(args, device):
    """ms per launch of ``n_inner`` fused Sinkhorn iterations, per config."""
    from realign_mm.ot.triton.ops import (sinkhorn_launch_config,
                                          sinkhorn_log_triton)
    print('| n | BLOCK_N | BLOCK_M | warps | ms / launch | us / iteration |')
    print('|---|---|---|---|---|---|')
    for n in args.sizes:
        cost, _ = _problem(args.batch, n, device, 'dense')
        log_ab = torch.full((args.batch, n), -torch.log(torch.tensor(
            float(n))).item(), device=device)
        mask = torch.ones(args.batch, n, dtype=torch.bool, device=device)
        log_mass = torch.full((args.batch, ), 0.25, device=device).log()
        log_k = log_ab[:, :, None] + log_ab[:, None, :] - cost / args.epsilon
        problem = SinkhornProblem(
            log_k, log_ab, log_ab, mask, mask,
            log_k_col=log_ab + log_mass[:, None],
            log_k_row=log_ab + log_mass[:, None],
            log_mass_col=log_mass, log_mass_row=log_mass)
        extra = dict(max_iter=args.n_inner, check_every=args.n_inner,
                     tol=0.0)
        default = sinkhorn_launch_config(n, n)
        configs = [dict(default, BLOCK_N=rows, num_warps=warps)
                   for rows, warps in SWEEP]
        for launch in [default] + configs:
            def run():
                return sinkhorn_log_triton(problem, launch=launch, **extra)
            try:
                run()
            except Exception as err:  # e.g. out of registers / shared memory
                print(f'| {n} | {launch} failed: {type(err).__name__} |')
                continue
            start = torch.cuda.Event(enable_timing=True)
            stop = torch.cuda.Event(enable_timing=True)
            times = []
            for _ in range(args.repeats):
                start.record()
                run()
                stop.record()
                torch.cuda.synchronize()
                times.append(start.elapsed_time(stop))
            ms = min(times)
            tag = ' (default)' if launch is default else ''
            print(f"| {n} | {launch['BLOCK_N']} | {launch['BLOCK_M']} | "
                  f"{launch['num_warps']}{tag} | {ms:.3f} | "
                  f'{1e3 * ms / args.n_inner:.1f} |')


def _problem(batch, n, device, structure):
    x, y = trajectory_pairs(batch, n, seed=0)
    x, y = x.to(device), y.to(device)
    cost = sqeuclidean_cost(x, y)
    cost = cost / cost.amax((1, 2), keepdim=True)
    mask = torch.ones(batch, n, dtype=torch.bool, device=device)
    struct = TemporalStructure(normalized_times(mask), mask, 0.3)
    if structure == 'dense':
        struct = DenseStructure(struct.dense())
    return cost, struct


def _methods(args):
    kwargs = dict(alpha=0.5, epsilon=args.epsilon, mass=0.75,
                  n_outer=args.n_outer, n_inner=args.n_inner,
                  tol_inner=0.0, tol_outer=0.0, check_every=args.n_inner)
    methods = {
        'torch eager (log)': lambda c, s: fused_partial_gw(
            c, s, s, backend='torch', sinkhorn='log', **kwargs),
        'torch eager (scaling)': lambda c, s: fused_partial_gw(
            c, s, s, backend='torch', sinkhorn='scaling', **kwargs),
        'triton': lambda c, s: fused_partial_gw(
            c, s, s, backend='triton', **kwargs),
    }
    if args.compile:
        compiled = torch.compile(fused_partial_gw)
        methods['torch.compile (log)'] = lambda c, s: compiled(
            c, s, s, backend='torch', sinkhorn='log', **kwargs)
    return methods


def _profile(fn, cost, struct):
    from torch.profiler import ProfilerActivity, profile
    fn(cost, struct)
    torch.cuda.synchronize()
    with profile(activities=[ProfilerActivity.CUDA,
                             ProfilerActivity.CPU]) as prof:
        fn(cost, struct)
        torch.cuda.synchronize()
    print(prof.key_averages().table(sort_by='cuda_time_total',
                                    row_limit=15))


def main():
    args = parse_args()
    if not torch.cuda.is_available():
        print('no CUDA device: the GPU figures are not measured (run this '
              'on a machine with a GPU)')
        return
    device = torch.device('cuda')
    print(f'device: {torch.cuda.get_device_name(device)}, torch '
          f'{torch.__version__}, structure {args.structure}')
    if args.sweep:
        _sweep(args, device)
        return
    methods = _methods(args)
    best, plans = {}, {}
    for _ in range(args.repeats):
        for n in args.sizes:
            cost, struct = _problem(args.batch, n, device, args.structure)
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
          ' x bound | max plan diff vs eager log |')
    print('|---|---|---|---|---|---|---|')
    for n in args.sizes:
        ref = plans[n, 'torch eager (log)']
        bound = BOUND_US_256 * (n / 256)**3
        for name in methods:
            ms = 1e3 * best[n, name]
            per_outer = 1e3 * ms / args.n_outer
            diff = float((plans[n, name] - ref).abs().max() /
                         ref.abs().max())
            print(f'| {n} | {name} | {ms:.2f} | {per_outer:.0f} | '
                  f'{best[n, "torch eager (log)"] / best[n, name]:.1f}x | '
                  f'{per_outer / bound:.1f} | {diff:.1e} |')
    if args.profile:
        n = 256 if 256 in args.sizes else max(args.sizes)
        print(f'\nTriton path, n = {n}, top CUDA kernels:')
        _profile(methods['triton'], *_problem(args.batch, n, device,
                                               args.structure))


if __name__ == '__main__':
    main()
