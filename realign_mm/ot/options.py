"""The solver's contract: the marginal model as one tagged value, the
iteration options as one value with named presets.

:func:`~realign_mm.ot.fused_partial_gw` takes the problem (costs,
structures, weights, prior, ``alpha``, ``epsilon``), one :class:`Marginals`
and one :class:`SolverOptions`; every option is checked here, once, before
any work, and :func:`triton_limits` says which options the Triton backend
cannot honour (``backend='auto'`` then falls back to torch and logs why).
"""
import dataclasses
import difflib
from dataclasses import dataclass
from typing import List, Optional, Union

import torch

__all__ = ['Marginals', 'SolverOptions', 'PRESETS', 'solver_options',
           'inner_tolerance', 'triton_limits']

_KINDS = ('balanced', 'mass', 'sink', 'relaxed')


@dataclass(frozen=True)
class Marginals:
    """How the plan's marginals relate to the frame weights ``a``, ``b``.

    * ``balanced``: ``T 1 = a``, ``T^T 1 = b`` (needs ``sum a = sum b``);
    * ``mass``: ``T 1 <= a``, ``T^T 1 <= b``, ``sum T = mass`` (POT's
      partial solvers), through a dummy point;
    * ``sink``: a virtual sink frame per video, sending a frame there costs
      ``sink_cost``; with ``tau`` the marginals are also KL-relaxed;
    * ``relaxed``: ``tau KL(T 1 | a) + tau KL(T^T 1 | b)``.

    Build one with :meth:`balanced`, :meth:`exact_mass`, :meth:`sink` or
    :meth:`relaxed`; the fields of another kind must stay None.
    """
    kind: str = 'balanced'
    mass: Optional[float] = None
    sink_cost: Optional[float] = None
    tau: Optional[float] = None

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f'Marginals kind must be one of {_KINDS}, got '
                             f'{self.kind!r}')
        needs = dict(balanced=(), mass=('mass', ), sink=('sink_cost', ),
                     relaxed=('tau', ))[self.kind]
        allowed = set(needs) | ({'tau'} if self.kind == 'sink' else set())
        for name in ('mass', 'sink_cost', 'tau'):
            value = getattr(self, name)
            if name in needs and value is None:
                raise ValueError(f'{self.kind!r} marginals need {name}')
            if value is not None and name not in allowed:
                raise ValueError(f'{self.kind!r} marginals take no {name} '
                                 f'(got {name}={value})')
        if self.mass is not None and not self.mass > 0:
            raise ValueError(f'mass must be > 0, got {self.mass}')
        if self.sink_cost is not None and not self.sink_cost >= 0:
            raise ValueError(f'sink_cost must be >= 0, got {self.sink_cost}')
        if self.tau is not None and not self.tau > 0:
            raise ValueError(f'tau must be > 0, got {self.tau}')

    @classmethod
    def balanced(cls) -> 'Marginals':
        return cls('balanced')

    @classmethod
    def exact_mass(cls, mass: float) -> 'Marginals':
        return cls('mass', mass=mass)

    @classmethod
    def sink(cls, sink_cost: float, tau: Optional[float] = None
             ) -> 'Marginals':
        return cls('sink', sink_cost=sink_cost, tau=tau)

    @classmethod
    def relaxed(cls, tau: float) -> 'Marginals':
        return cls('relaxed', tau=tau)

    @classmethod
    def from_keywords(cls, mass: Optional[float] = None,
                      sink_cost: Optional[float] = None,
                      tau: Optional[float] = None) -> 'Marginals':
        """The POT-style keywords (``mass=0.75``) as one value; ``mass``
        excludes the other two."""
        if mass is not None:
            if sink_cost is not None or tau is not None:
                raise ValueError('mass (exact partial transport) excludes '
                                 'sink_cost and tau')
            return cls.exact_mass(mass)
        if sink_cost is not None:
            return cls.sink(sink_cost, tau)
        if tau is not None:
            return cls.relaxed(tau)
        return cls.balanced()


@dataclass(frozen=True)
class SolverOptions:
    """How :func:`~realign_mm.ot.fused_partial_gw` iterates.

    Attributes:
        n_outer (int): most mirror-descent steps.
        n_inner (int): most Sinkhorn iterations per step (warm-started:
            the steps before the last need not converge).
        n_inner_last (int, optional): most Sinkhorn iterations of the last
            step, which sets the returned plan's marginals (it stops at
            ``tol_inner``, so a large budget costs only what convergence
            needs); None: ``n_inner``.
        tol_outer (float): stop when the plan's relative change
            ``sum |T_k+1 - T_k| / sum T_k`` is below it for every pair (0:
            a fixed budget); then the last step's budget polishes it.
        tol_inner (float, optional): Sinkhorn tolerance on the log
            marginal error; None: 1e-6 in float64, 3e-5 in float32 (whose
            error stalls near 1e-5 on exact-mass problems).
        check_every (int): Sinkhorn convergence-check period.
        overrelax (float): Sinkhorn over-relaxation in ``[1, 2)``.
        epsilon_start (float, optional): anneal epsilon geometrically from
            this value over the first half of the outer steps.
        sinkhorn (str): ``'scaling'`` (stabilised scalings with absorption)
            or ``'log'`` (log domain every iteration); same fixed point.
        dummy_shift (bool): with exact-mass marginals, the scaling Sinkhorn
            also solves the dummy point's slow mode in closed form.
        grad (str): ``'envelope'`` or ``'unrolled'``.
        backend (str): ``'auto'``, ``'torch'`` or ``'triton'``.
    """
    n_outer: int = 10
    n_inner: int = 20
    n_inner_last: Optional[int] = 100
    tol_outer: float = 1e-2
    tol_inner: Optional[float] = None
    check_every: int = 10
    overrelax: float = 1.0
    epsilon_start: Optional[float] = None
    sinkhorn: str = 'scaling'
    dummy_shift: bool = True
    grad: str = 'envelope'
    backend: str = 'auto'

    def __post_init__(self) -> None:
        if self.n_outer < 1 or self.n_inner < 1 or (
                self.n_inner_last is not None and self.n_inner_last < 1):
            raise ValueError('n_outer, n_inner and n_inner_last must be >= 1')
        if self.check_every < 1:
            raise ValueError(f'check_every must be >= 1, got '
                             f'{self.check_every}')
        if not 1 <= self.overrelax < 2:
            raise ValueError(f'overrelax must be in [1, 2), got '
                             f'{self.overrelax}')
        for name, allowed in (('sinkhorn', ('scaling', 'log')),
                              ('grad', ('envelope', 'unrolled')),
                              ('backend', ('auto', 'torch', 'triton'))):
            if getattr(self, name) not in allowed:
                raise ValueError(f'{name} must be one of {allowed}, got '
                                 f'{getattr(self, name)!r}')

    def replace(self, **changes) -> 'SolverOptions':
        """A copy with ``changes``; an unknown name is refused with the
        closest valid ones."""
        names = [f.name for f in dataclasses.fields(self)]
        for key in changes:
            if key not in names:
                close = difflib.get_close_matches(key, names, n=2)
                hint = f'; did you mean {close}?' if close else ''
                raise TypeError(f'unknown solver option {key!r}{hint} '
                                f'(options: {names})')
        return dataclasses.replace(self, **changes)


#: Named iteration settings. ``default`` (:class:`SolverOptions` as it
#: is): 10 steps of 20 Sinkhorn iterations and a last one of up to 100, for
#: a POT user's call at epsilon around 1e-2 on costs in [0, 1]: within
#: 0.1 % of the converged entropic objective on the benchmark's problems
#: (3 % on the worst of the small test problems), on POT's partial
#: constraints exactly (the plan is rounded onto them), at the speed-ups
#: of docs/solver.md. ``training``: the
#: aligner losses' base (10 steps of up to 50 iterations, tolerance 1e-6),
#: the budget every reported training result used. ``fast`` /
#: ``accurate`` are the budgets of ``tools/benchmark/ot_solver.py`` (fixed
#: iterations, over-relaxed), keyed by the problem size they were tuned
#: at; they are meant for small epsilon (1e-4 to 3e-4 on costs in [0, 1]).
PRESETS = {
    'default': {0: SolverOptions()},
    'training': {0: SolverOptions(n_outer=10, n_inner=50, n_inner_last=None,
                                  tol_outer=0.0, tol_inner=1e-6)},
    'fast': {
        n: SolverOptions(n_outer=10, n_inner=inner, n_inner_last=last,
                         overrelax=1.9, check_every=20, tol_outer=0.0)
        for n, inner, last in ((64, 10, 30), (128, 10, 30), (256, 20, 40),
                               (512, 20, 40))
    },
    'accurate': {
        n: SolverOptions(n_outer=10, n_inner=inner, n_inner_last=last,
                         overrelax=1.9, check_every=20, tol_outer=0.0)
        for n, inner, last in ((64, 20, 60), (128, 20, 60), (256, 40, 80),
                               (512, 40, 80))
    },
}


def solver_options(solver: Union[None, str, dict, SolverOptions] = None,
                   size: int = 0, base: str = 'default',
                   **changes) -> SolverOptions:
    """One :class:`SolverOptions` from a preset name (its setting for the
    tuned size nearest ``size``), a dict of options (on top of the preset
    ``base``), an instance or None (the preset ``base``), with ``changes``
    on top."""
    if solver is None:
        solver = base
    if isinstance(solver, str):
        if solver not in PRESETS:
            raise ValueError(f'unknown solver preset {solver!r}; presets: '
                             f'{sorted(PRESETS)}')
        table = PRESETS[solver]
        options = table[min(table, key=lambda n: abs(n - size))]
    elif isinstance(solver, dict):
        options = solver_options(base, size).replace(**solver)
    elif isinstance(solver, SolverOptions):
        options = solver
    else:
        raise TypeError(f'solver must be a preset name, a dict or '
                        f'SolverOptions, got {type(solver).__name__}')
    return options.replace(**changes) if changes else options


def inner_tolerance(options: SolverOptions, dtype: torch.dtype) -> float:
    """``options.tol_inner``, or the default for ``dtype`` when None."""
    if options.tol_inner is not None:
        return options.tol_inner
    return 1e-6 if dtype == torch.float64 else 3e-5


def triton_limits(options: SolverOptions, marginals: Marginals,
                  dtype, columns: int, max_columns: int) -> List[str]:
    """The reasons the Triton backend cannot run this call as asked (empty
    when it can): it runs plain float32 log-domain Sinkhorn sweeps with
    envelope gradients, whole rows per program."""
    reasons = []
    if options.grad != 'envelope':
        reasons.append(f"grad={options.grad!r} (Triton: envelope only)")
    if options.overrelax != 1:
        reasons.append(f'overrelax={options.overrelax} (Triton: plain '
                       'updates)')
    if marginals.kind == 'mass' and options.dummy_shift and \
            options.sinkhorn == 'scaling':
        reasons.append('dummy_shift with exact mass (torch scaling only; '
                       'set dummy_shift=False to allow Triton)')
    if dtype is not None and getattr(dtype, 'itemsize', 4) != 4:
        reasons.append(f'{dtype} (Triton: float32)')
    if columns > max_columns:
        reasons.append(f'{columns} columns (Triton: at most {max_columns})')
    return reasons
