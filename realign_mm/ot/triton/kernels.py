"""Triton kernels of the fused GPU path (imported only when it is used).

* :func:`_assemble_kernel` writes the log-kernel of a mirror-descent step,
  ``log K = base + s_cross * (C^X T C^Y^T) - s_const * (c^x_i + c^y_j)``,
  in one pass (``base = log(a b^T w) - (1 - alpha) D / eps``,
  ``s_cross = 4 alpha / eps``, ``s_const = 2 alpha / eps``).
* :func:`_sinkhorn_kernel` runs ``n_iter`` Sinkhorn iterations per launch,
  one program per pair, the dummy / sink row and column kept as two scalar
  potentials, masks honoured. Same updates, same order, as
  :func:`realign_mm.ot.sinkhorn.sinkhorn_log`, in two phases:

  1. one log-domain iteration (:func:`_log_iteration`): row and column
     log-sum-exps streamed over tiles with an online maximum. Afterwards the
     plan ``P0 = exp(K + u0 (+) v0)`` has rows and columns summing to about
     their targets, so its entries neither overflow nor underflow as a whole
     row or column;
  2. the potentials are absorbed into ``P0`` (written once) and the other
     ``n_iter - 1`` iterations are scalings ``u = u0 + log alpha``,
     ``v = v0 + log beta`` (:func:`_scaling_iteration`):

         alpha_i = exp(lam (log a_i - log r_i + u0_i) - u0_i),
         r_i = sum_j P0_ij beta_j + exp(k^c_i + u0_i + v^c_0) beta^c,

     and the same for the columns: multiply-adds instead of exponentials.
     The launch ends by writing the plan ``P0_ij alpha_i beta_j`` in place.

Both run under ``TRITON_INTERPRET=1`` on CPU tensors (how CI tests them).
"""
import triton
import triton.language as tl

NEG_INF = -1e9
TINY = tl.constexpr(1.1754944e-38)  # smallest normal float32


@triton.jit
def _assemble_kernel(BASE, CROSS, CX, CY, OUT, N, M, s_cross, s_const,
                     BLOCK_N: tl.constexpr, BLOCK_M: tl.constexpr):
    b = tl.program_id(0)
    rows = tl.program_id(1) * BLOCK_N + tl.arange(0, BLOCK_N)
    cols = tl.program_id(2) * BLOCK_M + tl.arange(0, BLOCK_M)
    rmask, cmask = rows < N, cols < M
    tile = rmask[:, None] & cmask[None, :]
    offs = b * N * M + rows[:, None] * M + cols[None, :]
    base = tl.load(BASE + offs, mask=tile, other=0.0)
    cross = tl.load(CROSS + offs, mask=tile, other=0.0)
    cx = tl.load(CX + b * N + rows, mask=rmask, other=0.0)
    cy = tl.load(CY + b * M + cols, mask=cmask, other=0.0)
    out = base + s_cross * cross - s_const * (cx[:, None] + cy[None, :])
    tl.store(OUT + offs, out, mask=tile)


@triton.jit
def _logaddexp(x, y):
    top = tl.maximum(x, y)
    return top + tl.log(tl.exp(x - top) + tl.exp(y - top))


@triton.jit
def _lse_update(top, acc, z, AXIS: tl.constexpr):
    """One tile of a streamed log-sum-exp along ``AXIS``: the running
    maximum ``top`` and the sum ``acc`` of ``exp(. - top)``."""
    new_top = tl.maximum(top, tl.max(z, AXIS))
    acc = acc * tl.exp(top - new_top) + tl.sum(
        tl.exp(z - tl.expand_dims(new_top, AXIS)), AXIS)
    return new_top, acc


@triton.jit
def _vector_lse(K, X, count, BLOCK: tl.constexpr):
    """``LSE_i(K_i + X_i)`` over ``i < count``, streamed in tiles (the
    dummy row / column potentials)."""
    top = tl.max(tl.full([BLOCK], float('-inf'), tl.float32), 0)
    acc = tl.sum(tl.zeros([BLOCK], tl.float32), 0)
    for start in range(0, count, BLOCK):
        idx = start + tl.arange(0, BLOCK)
        inside = idx < count
        z = tl.load(K + idx, mask=inside, other=float('-inf')) + tl.load(
            X + idx, mask=inside, other=0.0)
        top, acc = _lse_update(top, acc, z, 0)
    return top + tl.log(acc)


@triton.jit
def _log_iteration(lk, b, LA, LB, MX, MY, KC, KR, LMC, LMR, U, V, UE, VE,
                   UPREV, N, M, lam_a, lam_b, HAS_COL: tl.constexpr,
                   HAS_ROW: tl.constexpr, MASS_COL: tl.constexpr,
                   MASS_ROW: tl.constexpr, BLOCK_N: tl.constexpr,
                   BLOCK_M: tl.constexpr):
    """One log-domain iteration: rows, dummy row, columns, dummy column."""
    # --- rows: u_i = lam (log a_i - LSE_j(K_ij + v_j) (+) (k^c_i + v^c))
    ve = tl.load(VE + b)
    for r0 in range(0, N, BLOCK_N):
        rows = r0 + tl.arange(0, BLOCK_N)
        rmask = rows < N
        top = tl.full([BLOCK_N], float('-inf'), tl.float32)
        acc = tl.zeros([BLOCK_N], tl.float32)
        for c0 in range(0, M, BLOCK_M):
            cols = c0 + tl.arange(0, BLOCK_M)
            cmask = cols < M
            v = tl.load(V + b * M + cols, mask=cmask, other=0.0)
            k = tl.load(lk + rows[:, None] * M + cols[None, :],
                        mask=rmask[:, None] & cmask[None, :],
                        other=float('-inf'))
            top, acc = _lse_update(top, acc, k + v[None, :], 1)
        lse = top + tl.log(acc)
        if HAS_COL:
            kc = tl.load(KC + b * N + rows, mask=rmask, other=0.0)
            lse = _logaddexp(lse, kc + ve)
        la = tl.load(LA + b * N + rows, mask=rmask, other=0.0)
        real = tl.load(MX + b * N + rows, mask=rmask, other=0)
        old = tl.load(U + b * N + rows, mask=rmask, other=0.0)
        u = tl.where(real != 0, lam_a * (la - lse), 0.0)
        tl.store(UPREV + b * N + rows, old, mask=rmask)
        tl.store(U + b * N + rows, u, mask=rmask)
    tl.debug_barrier()
    # --- dummy row: u^r = log m^r - LSE_j(k^r_j + v_j)
    if MASS_ROW:
        tl.store(UE + b, tl.load(LMR + b) - _vector_lse(
            KR + b * M, V + b * M, M, BLOCK_M))
    tl.debug_barrier()
    # --- columns: v_j = lam (log b_j - LSE_i(K_ij + u_i) (+) (k^r_j + u^r))
    ue = tl.load(UE + b)
    for c0 in range(0, M, BLOCK_M):
        cols = c0 + tl.arange(0, BLOCK_M)
        cmask = cols < M
        top = tl.full([BLOCK_M], float('-inf'), tl.float32)
        acc = tl.zeros([BLOCK_M], tl.float32)
        for r0 in range(0, N, BLOCK_N):
            rows = r0 + tl.arange(0, BLOCK_N)
            rmask = rows < N
            u = tl.load(U + b * N + rows, mask=rmask, other=0.0)
            k = tl.load(lk + rows[:, None] * M + cols[None, :],
                        mask=rmask[:, None] & cmask[None, :],
                        other=float('-inf'))
            top, acc = _lse_update(top, acc, k + u[:, None], 0)
        lse = top + tl.log(acc)
        if HAS_ROW:
            kr = tl.load(KR + b * M + cols, mask=cmask, other=0.0)
            lse = _logaddexp(lse, kr + ue)
        lb = tl.load(LB + b * M + cols, mask=cmask, other=0.0)
        real = tl.load(MY + b * M + cols, mask=cmask, other=0)
        v = tl.where(real != 0, lam_b * (lb - lse), 0.0)
        tl.store(V + b * M + cols, v, mask=cmask)
    tl.debug_barrier()
    # --- dummy column: v^c = log m^c - LSE_i(k^c_i + u_i)
    if MASS_COL:
        tl.store(VE + b, tl.load(LMC + b) - _vector_lse(
            KC + b * N, U + b * N, N, BLOCK_N))
    tl.debug_barrier()


@triton.jit
def _absorb(lk, p, b, KC, KR, U, V, UE, VE, PC, QR, ALPHA, BETA, N, M,
            HAS_COL: tl.constexpr, HAS_ROW: tl.constexpr,
            BLOCK_N: tl.constexpr, BLOCK_M: tl.constexpr):
    """``P0 = exp(K + u0 (+) v0)``, the extra column ``exp(k^c + u0 + v^c_0)``
    and row ``exp(k^r + u^r_0 + v0)``; scalings ``alpha = beta = 1``."""
    ue, ve = tl.load(UE + b), tl.load(VE + b)
    for r0 in range(0, N, BLOCK_N):
        rows = r0 + tl.arange(0, BLOCK_N)
        rmask = rows < N
        u = tl.load(U + b * N + rows, mask=rmask, other=0.0)
        for c0 in range(0, M, BLOCK_M):
            cols = c0 + tl.arange(0, BLOCK_M)
            cmask = cols < M
            tile = rmask[:, None] & cmask[None, :]
            offs = rows[:, None] * M + cols[None, :]
            v = tl.load(V + b * M + cols, mask=cmask, other=0.0)
            k = tl.load(lk + offs, mask=tile, other=float('-inf'))
            tl.store(p + offs, tl.exp(k + u[:, None] + v[None, :]), mask=tile)
        if HAS_COL:
            kc = tl.load(KC + b * N + rows, mask=rmask, other=float('-inf'))
            tl.store(PC + b * N + rows, tl.exp(kc + u + ve), mask=rmask)
        tl.store(ALPHA + b * N + rows, tl.full([BLOCK_N], 1.0, tl.float32),
                 mask=rmask)
    for c0 in range(0, M, BLOCK_M):
        cols = c0 + tl.arange(0, BLOCK_M)
        cmask = cols < M
        if HAS_ROW:
            v = tl.load(V + b * M + cols, mask=cmask, other=0.0)
            kr = tl.load(KR + b * M + cols, mask=cmask, other=float('-inf'))
            tl.store(QR + b * M + cols, tl.exp(kr + ue + v), mask=cmask)
        tl.store(BETA + b * M + cols, tl.full([BLOCK_M], 1.0, tl.float32),
                 mask=cmask)
    tl.debug_barrier()


@triton.jit
def _vector_dot(X, Y, count, BLOCK: tl.constexpr):
    """``sum_i X_i Y_i`` over ``i < count``."""
    acc = tl.zeros([BLOCK], tl.float32)
    for start in range(0, count, BLOCK):
        idx = start + tl.arange(0, BLOCK)
        inside = idx < count
        acc += tl.load(X + idx, mask=inside, other=0.0) * tl.load(
            Y + idx, mask=inside, other=0.0)
    return tl.sum(acc, 0)


@triton.jit
def _scaling_iteration(p, b, LA, LB, MX, MY, LMC, LMR, U, V, UPREV, PC, QR,
                       ALPHA, BETA, N, M, lam_a, lam_b, alpha_e, beta_e,
                       HAS_COL: tl.constexpr, HAS_ROW: tl.constexpr,
                       MASS_COL: tl.constexpr, MASS_ROW: tl.constexpr,
                       BLOCK_N: tl.constexpr, BLOCK_M: tl.constexpr):
    """One Sinkhorn iteration on the absorbed plan ``P0``; returns the
    scalings ``(alpha^r, beta^c)`` of the extra row and column."""
    # --- rows: r_i = sum_j P0_ij beta_j + PC_i beta^c
    for r0 in range(0, N, BLOCK_N):
        rows = r0 + tl.arange(0, BLOCK_N)
        rmask = rows < N
        acc = tl.zeros([BLOCK_N, BLOCK_M], tl.float32)
        for c0 in range(0, M, BLOCK_M):
            cols = c0 + tl.arange(0, BLOCK_M)
            cmask = cols < M
            beta = tl.load(BETA + b * M + cols, mask=cmask, other=0.0)
            tile = tl.load(p + rows[:, None] * M + cols[None, :],
                           mask=rmask[:, None] & cmask[None, :], other=0.0)
            acc += tile * beta[None, :]
        r = tl.sum(acc, 1)
        if HAS_COL:
            r += tl.load(PC + b * N + rows, mask=rmask, other=0.0) * beta_e
        r = tl.maximum(r, TINY)  # a fully underflowed row stays finite
        u0 = tl.load(U + b * N + rows, mask=rmask, other=0.0)
        la = tl.load(LA + b * N + rows, mask=rmask, other=0.0)
        real = tl.load(MX + b * N + rows, mask=rmask, other=0)
        old = tl.load(ALPHA + b * N + rows, mask=rmask, other=1.0)
        alpha = tl.where(real != 0,
                         tl.exp(lam_a * (la - tl.log(r) + u0) - u0), 1.0)
        tl.store(UPREV + b * N + rows, u0 + tl.log(old), mask=rmask)
        tl.store(ALPHA + b * N + rows, alpha, mask=rmask)
    tl.debug_barrier()
    # --- dummy row: alpha^r = m^r / sum_j QR_j beta_j
    if MASS_ROW:
        alpha_e = tl.exp(tl.load(LMR + b)) / _vector_dot(
            QR + b * M, BETA + b * M, M, BLOCK_M)
    # --- columns: c_j = sum_i P0_ij alpha_i + QR_j alpha^r
    for c0 in range(0, M, BLOCK_M):
        cols = c0 + tl.arange(0, BLOCK_M)
        cmask = cols < M
        acc = tl.zeros([BLOCK_N, BLOCK_M], tl.float32)
        for r0 in range(0, N, BLOCK_N):
            rows = r0 + tl.arange(0, BLOCK_N)
            rmask = rows < N
            alpha = tl.load(ALPHA + b * N + rows, mask=rmask, other=0.0)
            tile = tl.load(p + rows[:, None] * M + cols[None, :],
                           mask=rmask[:, None] & cmask[None, :], other=0.0)
            acc += tile * alpha[:, None]
        c = tl.sum(acc, 0)
        if HAS_ROW:
            c += tl.load(QR + b * M + cols, mask=cmask, other=0.0) * alpha_e
        c = tl.maximum(c, TINY)
        v0 = tl.load(V + b * M + cols, mask=cmask, other=0.0)
        lb = tl.load(LB + b * M + cols, mask=cmask, other=0.0)
        real = tl.load(MY + b * M + cols, mask=cmask, other=0)
        beta = tl.where(real != 0,
                        tl.exp(lam_b * (lb - tl.log(c) + v0) - v0), 1.0)
        tl.store(BETA + b * M + cols, beta, mask=cmask)
    tl.debug_barrier()
    # --- dummy column: beta^c = m^c / sum_i PC_i alpha_i
    if MASS_COL:
        beta_e = tl.exp(tl.load(LMC + b)) / _vector_dot(
            PC + b * N, ALPHA + b * N, N, BLOCK_N)
    return alpha_e, beta_e


@triton.jit
def _finish(p, b, U, V, UE, VE, ALPHA, BETA, N, M, alpha_e, beta_e,
            BLOCK_N: tl.constexpr, BLOCK_M: tl.constexpr):
    """Plan ``P0_ij alpha_i beta_j`` in place; potentials
    ``u = u0 + log alpha``, ``v = v0 + log beta`` (and the extra ones)."""
    for r0 in range(0, N, BLOCK_N):
        rows = r0 + tl.arange(0, BLOCK_N)
        rmask = rows < N
        alpha = tl.load(ALPHA + b * N + rows, mask=rmask, other=1.0)
        for c0 in range(0, M, BLOCK_M):
            cols = c0 + tl.arange(0, BLOCK_M)
            cmask = cols < M
            tile = rmask[:, None] & cmask[None, :]
            offs = rows[:, None] * M + cols[None, :]
            beta = tl.load(BETA + b * M + cols, mask=cmask, other=1.0)
            plan = tl.load(p + offs, mask=tile, other=0.0)
            tl.store(p + offs, plan * alpha[:, None] * beta[None, :],
                     mask=tile)
    tl.debug_barrier()
    for r0 in range(0, N, BLOCK_N):
        rows = r0 + tl.arange(0, BLOCK_N)
        rmask = rows < N
        u0 = tl.load(U + b * N + rows, mask=rmask, other=0.0)
        alpha = tl.load(ALPHA + b * N + rows, mask=rmask, other=1.0)
        tl.store(U + b * N + rows, u0 + tl.log(alpha), mask=rmask)
    for c0 in range(0, M, BLOCK_M):
        cols = c0 + tl.arange(0, BLOCK_M)
        cmask = cols < M
        v0 = tl.load(V + b * M + cols, mask=cmask, other=0.0)
        beta = tl.load(BETA + b * M + cols, mask=cmask, other=1.0)
        tl.store(V + b * M + cols, v0 + tl.log(beta), mask=cmask)
    tl.store(UE + b, tl.load(UE + b) + tl.log(alpha_e))
    tl.store(VE + b, tl.load(VE + b) + tl.log(beta_e))


@triton.jit
def _sinkhorn_kernel(LK, LA, LB, MX, MY, KC, KR, LMC, LMR, U, V, UE, VE,
                     UPREV, P, PC, QR, ALPHA, BETA, N, M, lam_a, lam_b,
                     n_iter, HAS_COL: tl.constexpr, HAS_ROW: tl.constexpr,
                     MASS_COL: tl.constexpr, MASS_ROW: tl.constexpr,
                     BLOCK_N: tl.constexpr, BLOCK_M: tl.constexpr):
    b = tl.program_id(0)
    lk = LK + b * N * M
    p = P + b * N * M
    _log_iteration(lk, b, LA, LB, MX, MY, KC, KR, LMC, LMR, U, V, UE, VE,
                   UPREV, N, M, lam_a, lam_b, HAS_COL, HAS_ROW, MASS_COL,
                   MASS_ROW, BLOCK_N, BLOCK_M)
    _absorb(lk, p, b, KC, KR, U, V, UE, VE, PC, QR, ALPHA, BETA, N, M,
            HAS_COL, HAS_ROW, BLOCK_N, BLOCK_M)
    alpha_e = tl.sum(tl.full([1], 1.0, tl.float32), 0)  # fp32 scalars
    beta_e = tl.sum(tl.full([1], 1.0, tl.float32), 0)
    for _ in range(1, n_iter):
        alpha_e, beta_e = _scaling_iteration(
            p, b, LA, LB, MX, MY, LMC, LMR, U, V, UPREV, PC, QR, ALPHA, BETA,
            N, M, lam_a, lam_b, alpha_e, beta_e, HAS_COL, HAS_ROW, MASS_COL,
            MASS_ROW, BLOCK_N, BLOCK_M)
    _finish(p, b, U, V, UE, VE, ALPHA, BETA, N, M, alpha_e, beta_e, BLOCK_N,
            BLOCK_M)
