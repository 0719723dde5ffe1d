"""Benchmark the batched R-FPGW solver against POT on CPU.

For each size n, interleaved over ``--repeats`` rounds in one process:

* ours: :func:`realign_mm.ot.fused_partial_gw` on B pairs at once (exact
  mass m; the temporal structure as an O(N L M) operator and as dense
  matrices, ``--structures``), ms per pair;
* POT exact ``partial_fused_gromov_wasserstein`` (Frank-Wolfe + network
  simplex, one pair at a time, ``numItermax=1e6``), ms per pair;
* POT ``entropic_partial_gromov_wasserstein`` (structure only: POT's fused
  entropic partial solver ignores the feature cost), capped: a few outer
  iterations on one pair, reported as a lower bound and skipped for larger n
  once one call passes ``--entropic-cap`` seconds.

It prints the speed ratio (POT exact / ours, same pairs, same run), the
relative gap between our objective E(T) and POT's exact one on the pairs
POT solved, the gap to the converged entropic solution at the same epsilon
(float64, 60 steps of up to 1000 iterations: the solver's own error; the
rest of the gap to POT is the entropic bias of epsilon), the largest
violation of POT's constraints (T 1 <= a, T^T 1 <= b, sum T = m), then the
memory autograd keeps for the backward pass of the loss at B = 64,
n = 256 against the storage of one batch of plans.

Example::

    python tools/benchmark/ot_solver.py --presets default  # docs table
    python tools/benchmark/ot_solver.py --sizes 32 --batch 4 --repeats 1
"""
import argparse
import ctypes
import statistics
import time

import numpy as np
import torch

from realign_mm.ot import (TemporalStructure, fused_partial_gw,
                           normalized_times, solver_options,
                           sqeuclidean_cost, temporal_structure)
from realign_mm.synthetic import trajectory_pairs


#: The benchmark's epsilon per n (annealed from --epsilon-start over the
#: first half of the outer steps); the iteration budgets are the library's
#: presets (realign_mm.ot.PRESETS: 'fast' is the speed goal's setting,
#: 'accurate' doubles the iterations, and here also halves epsilon). The
#: entropic bias of the value grows with epsilon and with n (converged,
#: median over 24 pairs: +2.6 % at n = 128 and +10.2 % at n = 256 for
#: epsilon 3e-4; +3.0 % at n = 256 for 1e-4), so larger n gets a smaller
#: epsilon. Tuned on pairs 4-11 of each batch; the table reports pairs 0-3.
_EPSILON = {64: 3e-4, 128: 3e-4, 256: 1.2e-4, 512: 8e-5}
#: 'default' is a POT user's call with no solver option at all:
#: ``fused_partial_gw(M, C1, C2, alpha=..., epsilon=--default-epsilon,
#: mass=...)``; 'fast' and 'accurate' are tuned budgets.
PRESETS = ('default', 'fast', 'accurate')


def preset(name: str, n: int, args=None) -> dict:
    """``fused_partial_gw`` keywords of a preset for n frames (the nearest
    tuned size)."""
    if name == 'default':
        return dict(epsilon=getattr(args, 'default_epsilon', 1e-2))
    size = min(_EPSILON, key=lambda s: abs(s - n))
    return dict(epsilon=_EPSILON[size] / (2 if name == 'accurate' else 1),
                solver=name, tol_inner=1e-4,
                epsilon_start=getattr(args, 'epsilon_start', 0.05))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--sizes', type=int, nargs='+',
                        default=[64, 128, 256, 512])
    parser.add_argument('--batch', type=int, default=64,
                        help='pairs per batch (ours)')
    parser.add_argument('--batch-large', type=int, default=8,
                        help='pairs per batch at n >= 512')
    parser.add_argument('--pot-pairs', type=int, default=4,
                        help='pairs solved by POT per round')
    parser.add_argument('--repeats', type=int, default=3)
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--mass', type=float, default=0.75)
    parser.add_argument('--alpha', type=float, default=0.5)
    parser.add_argument('--scale', type=float, default=0.3,
                        help='temporal Laplace structure scale')
    parser.add_argument('--default-epsilon', type=float, default=1e-2,
                        help="epsilon of the 'default' row")
    parser.add_argument('--presets', nargs='+', default=list(PRESETS),
                        choices=list(PRESETS),
                        help='solver settings to time (see PRESETS)')
    parser.add_argument('--structures', nargs='+',
                        default=['operator', 'dense'],
                        choices=['operator', 'dense'],
                        help='the temporal structure as the O(N L M) '
                        'operator or as (B, n, n) matrices')
    parser.add_argument('--epsilon-start', type=float, default=0.05)
    parser.add_argument('--entropic-cap', type=float, default=5.0,
                        help='seconds; larger n skip POT entropic')
    parser.add_argument('--entropic-iters', type=int, default=3,
                        help='outer iterations of POT entropic (of 1000)')
    parser.add_argument('--memory-size', type=int, nargs=2,
                        default=[64, 256], metavar=('B', 'N'))
    parser.add_argument('--no-malloc-tuning', action='store_true',
                        help='keep glibc defaults (see --help epilog)')
    return parser.parse_args()


def tune_malloc() -> bool:
    """Keep freed (B, N, M) buffers in the heap instead of returning them to
    the OS: glibc otherwise unmaps each one and the next allocation pays
    page faults on every page (measured: the Laplace product 4x slower)."""
    try:
        libc = ctypes.CDLL('libc.so.6')
    except OSError:
        return False
    m_trim_threshold, m_mmap_threshold = -1, -3
    ok = libc.mallopt(m_mmap_threshold, 32 * 1024 * 1024)
    ok &= libc.mallopt(m_trim_threshold, 1 << 30)
    return bool(ok)


def make_problem(batch, n, args, seed):
    x, y = trajectory_pairs(batch, n, seed=seed)
    cost = sqeuclidean_cost(x, y)
    cost = cost / cost.amax((1, 2), keepdim=True)
    return cost, normalized_times(torch.ones(batch, n, dtype=torch.bool))


def structure(kind, times, args):
    if kind == 'dense':
        return temporal_structure(times, args.scale)
    return TemporalStructure(times, torch.ones(times.shape, dtype=torch.bool),
                             args.scale)


def solve_ours(cost, struct, args, name):
    return fused_partial_gw(cost, struct, struct, alpha=args.alpha,
                            mass=args.mass, **preset(name, cost.shape[1],
                                                     args))


def solve_converged(cost, times, args, name):
    """The entropic solution at the preset's final epsilon, converged in
    float64."""
    struct = structure('operator', times.double(), args)
    return fused_partial_gw(
        cost.double(), struct, struct, alpha=args.alpha, mass=args.mass,
        epsilon=preset(name, cost.shape[1], args)['epsilon'], n_outer=60,
        n_inner=1000, n_inner_last=1000, tol_outer=1e-10,
        tol_inner=1e-10).value


def constraint_error(result, args):
    """Largest violation of T 1 <= a, T^T 1 <= b and sum T = m."""
    plan = result.plan.double()
    n, m = plan.shape[1:]
    return max(float((plan.sum(2) - 1 / n).max().clamp_min(0)),
               float((plan.sum(1) - 1 / m).max().clamp_min(0)),
               float((plan.sum((1, 2)) - args.mass).abs().max()))


def solve_pot_exact(ot, cost, dense, args):
    n = cost.shape[0]
    p = np.full(n, 1.0 / n)
    _, log = ot.gromov.partial_fused_gromov_wasserstein(
        cost, dense, dense, p, p, m=args.mass, alpha=args.alpha,
        numItermax=int(1e6), log=True)
    return log['partial_fgw_dist']


def solve_pot_entropic(ot, dense, args):
    n = dense.shape[0]
    p = np.full(n, 1.0 / n)
    ot.gromov.entropic_partial_gromov_wasserstein(
        dense, dense, p, p, reg=0.05, m=args.mass,
        numItermax=args.entropic_iters)


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def saved_tensor_bytes(fn, inputs):
    """Bytes of the distinct storages autograd saves for backward in fn,
    leaving out the inputs (the embeddings exist anyway)."""
    storages = {}
    known = {t.untyped_storage().data_ptr() for t in inputs}

    def pack(t):
        storage = t.untyped_storage()
        if storage.data_ptr() not in known:
            storages[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = fn()
    return out, sum(storages.values())


def memory_report(args):
    batch, n = args.memory_size
    x, y = trajectory_pairs(batch, n, seed=123)
    mask = torch.ones(batch, n, dtype=torch.bool)
    struct = TemporalStructure(normalized_times(mask), mask, args.scale)
    plan_bytes = batch * n * n * 4
    lines = []
    for grad in ('envelope', 'unrolled'):
        if grad == 'unrolled' and batch * n * n > 64 * 128 * 128:
            lines.append(f'| {grad} | not measured above B*n^2 = 64*128^2 '
                         '(grows with every iteration) | |')
            continue
        xr, yr = x.clone().requires_grad_(), y.clone().requires_grad_()

        def loss():
            cost = sqeuclidean_cost(xr, yr)
            return fused_partial_gw(
                cost, struct, struct, alpha=args.alpha, mass=args.mass,
                grad=grad, **preset('fast', n, args)).distance.mean()

        value, saved = saved_tensor_bytes(loss, (xr, yr))
        value.backward()
        lines.append(f'| {grad} | {saved / 2**20:.1f} MiB | '
                     f'{saved / plan_bytes:.2f} |')
    return plan_bytes, lines


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    tuned = False if args.no_malloc_tuning else tune_malloc()
    import ot  # POT, the reference

    kinds = [(p, k) for p in args.presets for k in args.structures]
    rows = {(n, p, k): dict(ours=[], gaps=[], solver_gaps=[], violation=[])
            for n in args.sizes for p, k in kinds}
    pot = {n: dict(exact=[], entropic=[]) for n in args.sizes}
    entropic_off = set()
    for rep in range(args.repeats):
        for n in args.sizes:  # interleaved: every method in every round
            batch = args.batch_large if n >= 512 else args.batch
            cost, times = make_problem(batch, n, args, seed=rep)
            pairs = min(args.pot_pairs, batch)
            results = {}
            for name, kind in kinds:
                struct = structure(kind, times, args)
                solve_ours(cost, struct, args, name)  # warm-up
                seconds, results[name, kind] = timed(
                    lambda: solve_ours(cost, struct, args, name))
                row = rows[n, name, kind]
                row['ours'].append(1e3 * seconds / batch)
                row['violation'].append(
                    constraint_error(results[name, kind], args))
            for name in args.presets:
                converged = solve_converged(cost[:pairs], times[:pairs],
                                            args, name)
                for kind in args.structures:
                    value = results[name, kind].value[:pairs].double()
                    rows[n, name, kind]['solver_gaps'].extend(
                        (value / converged - 1).tolist())
            dense = temporal_structure(times[:1].double(),
                                       args.scale)[0].numpy()
            spent = 0.0
            for b in range(pairs):
                c = cost[b].double().numpy()
                seconds, ref = timed(
                    lambda: solve_pot_exact(ot, c, dense, args))
                spent += seconds
                for name, kind in kinds:
                    rows[n, name, kind]['gaps'].append(
                        (float(results[name, kind].value[b]) - ref) / ref)
            pot[n]['exact'].append(1e3 * spent / pairs)
            if n not in entropic_off:
                seconds, _ = timed(lambda: solve_pot_entropic(ot, dense, args))
                pot[n]['entropic'].append(1e3 * seconds)
                if seconds > args.entropic_cap:
                    entropic_off.update(s for s in args.sizes if s > n)

    print(f'torch {torch.__version__}, POT {ot.__version__}, '
          f'{args.threads} threads, malloc tuning '
          f'{"on" if tuned else "off"}; min over {args.repeats} '
          f'interleaved rounds, value gaps over {args.pot_pairs} pairs x '
          f'{args.repeats} rounds')
    print(f'problem: time-warped 128-d trajectories, 25% outlier frames, '
          f'alpha={args.alpha}, m={args.mass}, temporal scale {args.scale}, '
          f'float32')
    for name in args.presets:
        for n in args.sizes:
            print(f'  {name}, n = {n}: {preset(name, n, args)} = '
                  f'{solver_options(preset(name, n, args).get("solver"), n)}')

    def median_worst(values):
        values = np.array(values)
        return (f'{100 * statistics.median(values):+.1f}% / '
                f'{100 * values[np.abs(values).argmax()]:+.1f}%')

    print('\n| n | B | ours | structure | ms/pair | POT exact ms/pair | '
          'speed-up | gap to POT exact: median / worst | gap to converged '
          '(same epsilon): median / worst | constraint violation, max | '
          'POT entropic pGW ms/pair |')
    print('|---|---|---|---|---|---|---|---|---|---|---|')
    for n in args.sizes:
        batch = args.batch_large if n >= 512 else args.batch
        exact = min(pot[n]['exact'])
        if pot[n]['entropic']:
            entropic = (f'>= {min(pot[n]["entropic"]):.0f} '
                        f'({args.entropic_iters} of 1000 its)')
        else:
            entropic = f'skipped (> {args.entropic_cap:.0f} s at smaller n)'
        for name, kind in kinds:
            r = rows[n, name, kind]
            ours = min(r['ours'])
            print(f'| {n} | {batch} | {name} | {kind} | {ours:.2f} | '
                  f'{exact:.1f} | {exact / ours:.1f}x | '
                  f'{median_worst(r["gaps"])} | '
                  f'{median_worst(r["solver_gaps"])} | '
                  f'{max(r["violation"]):.0e} | {entropic} |')

    plan_bytes, lines = memory_report(args)
    batch, n = args.memory_size
    print(f'\nmemory kept for backward of the loss, B={batch}, n={n} '
          f'(one batch of plans = {plan_bytes / 2**20:.1f} MiB):\n')
    print('| gradient | saved for backward | / plan storage |')
    print('|---|---|---|')
    for line in lines:
        print(line)


if __name__ == '__main__':
    main()
