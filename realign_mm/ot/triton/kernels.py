"""Triton kernels of the fused GPU path (imported only when it is used).

* :func:`_assemble_kernel` writes the log-kernel of a mirror-descent step,
  ``log K = base + s_cross * (C^X T C^Y^T) - s_const * (c^x_i + c^y_j)``,
  in one pass (``base = log(a b^T w) - (1 - alpha) D / eps``,
  ``s_cross = 4 alpha / eps``, ``s_const = 2 alpha / eps``).
* :func:`_sinkhorn_kernel` runs ``n_iter`` Sinkhorn iterations per launch,
  one program per pair, the dummy / sink row and column kept as two scalar
  potentials, masks honoured. Same updates, same order, as
  :func:`realign_mm.ot.sinkhorn.sinkhorn_log`. A tile holds whole rows
  (``BLOCK_M >= M``), so the column vectors stay in registers for the whole
  launch and one sweep over the rows does a full iteration: each row tile
  is updated with the current column potentials, then at once added into
  the column sums with its new row potentials. The sweeps are:

  1. one log-domain iteration (:func:`_log_sweep`): row log-sum-exps per
     tile, column log-sum-exps accumulated over tiles with an online
     maximum. Afterwards the plan ``P0 = exp(K + u0 (+) v0)`` has rows and
     columns summing to about their targets, so its entries neither
     overflow nor underflow as a whole row or column;
  2. the potentials are absorbed into ``P0`` (:func:`_absorb_sweep`, written
     once), and the other ``n_iter - 1`` iterations are scalings
     ``u = u0 + log alpha``, ``v = v0 + log beta``
     (:func:`_scaling_sweep`):

         alpha_i = exp(lam (log a_i - log r_i + u0_i) - u0_i),
         r_i = sum_j P0_ij beta_j + exp(k^c_i + u0_i + v^c_0) beta^c,

     and the same for the columns: multiply-adds instead of exponentials;
  3. :func:`_finish_sweep` writes the plan ``P0_ij alpha_i beta_j`` in place
     and the potentials.

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
def _fp32_scalar(value):
    return tl.sum(tl.full([1], value, tl.float32), 0)


@triton.jit
def _log_sweep(lk, b, LA, MX, KC, U, UPREV, N, M, lam_a, lam_b, v, ve, ue,
               kr, lb, col_real, cols, cmask, log_mc, HAS_COL: tl.constexpr,
               HAS_ROW: tl.constexpr, MASS_COL: tl.constexpr,
               BLOCK_N: tl.constexpr, BLOCK_M: tl.constexpr):
    """One log-domain iteration. Rows:
    ``u_i = lam (log a_i - LSE_j(K_ij + v_j) (+) (k^c_i + v^c))``; columns:
    ``v_j = lam (log b_j - LSE_i(K_ij + u_i) (+) (k^r_j + u^r))`` (``u^r``
    already updated by the caller); dummy column
    ``v^c = log m^c - LSE_i(k^c_i + u_i)``. Returns ``(v, v^c)``."""
    col_top = tl.full([BLOCK_M], float('-inf'), tl.float32)
    col_acc = tl.zeros([BLOCK_M], tl.float32)
    dc_top = _fp32_scalar(float('-inf'))
    dc_acc = _fp32_scalar(0.0)
    for r0 in range(0, N, BLOCK_N):
        rows = r0 + tl.arange(0, BLOCK_N)
        rmask = rows < N
        k = tl.load(lk + rows[:, None] * M + cols[None, :],
                    mask=rmask[:, None] & cmask[None, :],
                    other=float('-inf'))
        z = k + v[None, :]
        top = tl.max(z, 1)
        lse = top + tl.log(tl.sum(tl.exp(z - top[:, None]), 1))
        if HAS_COL:  # (MASS_COL implies HAS_COL)
            kc = tl.load(KC + b * N + rows, mask=rmask, other=float('-inf'))
            lse = _logaddexp(lse, kc + ve)
        la = tl.load(LA + b * N + rows, mask=rmask, other=0.0)
        real = tl.load(MX + b * N + rows, mask=rmask, other=0) != 0
        old = tl.load(U + b * N + rows, mask=rmask, other=0.0)
        u = tl.where(real, lam_a * (la - lse), 0.0)
        tl.store(UPREV + b * N + rows, old, mask=rmask)
        tl.store(U + b * N + rows, u, mask=rmask)
        col_top, col_acc = _lse_update(col_top, col_acc, k + u[:, None], 0)
        if MASS_COL:
            dc_top, dc_acc = _lse_update(dc_top, dc_acc, kc + u, 0)
    lse = col_top + tl.log(col_acc)
    if HAS_ROW:
        lse = _logaddexp(lse, kr + ue)
    v = tl.where(col_real, lam_b * (lb - lse), 0.0)
    if MASS_COL:
        ve = log_mc - (dc_top + tl.log(dc_acc))
    return v, ve


@triton.jit
def _load_tile(ptrs, rmask, cmask, EVEN_N: tl.constexpr,
               EVEN_M: tl.constexpr):
    """A ``(BLOCK_N, BLOCK_M)`` tile, zero outside; no masks when the
    sizes divide (fewer instructions per entry in the hot loop)."""
    if EVEN_N and EVEN_M:
        tile = tl.load(ptrs)
    else:
        tile = tl.load(ptrs, mask=rmask[:, None] & cmask[None, :], other=0.0)
    return tile


@triton.jit
def _load_vec(ptrs, mask, EVEN: tl.constexpr):
    if EVEN:
        vec = tl.load(ptrs)
    else:
        vec = tl.load(ptrs, mask=mask, other=0.0)
    return vec


@triton.jit
def _absorb_sweep(lk, p, b, LA, MX, KC, U, PC, AR, ALPHA, N, M, v, ve, cols,
                  cmask, HAS_COL: tl.constexpr, BLOCK_N: tl.constexpr):
    """``P0 = exp(K + u0 (+) v0)``, the extra column
    ``PC = exp(k^c + u0 + v^c_0)``, ``alpha = 1`` and the row targets
    ``AR = a`` (0 on padded rows)."""
    for r0 in range(0, N, BLOCK_N):
        rows = r0 + tl.arange(0, BLOCK_N)
        rmask = rows < N
        tile = rmask[:, None] & cmask[None, :]
        offs = rows[:, None] * M + cols[None, :]
        u = tl.load(U + b * N + rows, mask=rmask, other=0.0)
        k = tl.load(lk + offs, mask=tile, other=float('-inf'))
        tl.store(p + offs, tl.exp(k + u[:, None] + v[None, :]), mask=tile)
        if HAS_COL:
            kc = tl.load(KC + b * N + rows, mask=rmask, other=float('-inf'))
            tl.store(PC + b * N + rows, tl.exp(kc + u + ve), mask=rmask)
        la = tl.load(LA + b * N + rows, mask=rmask, other=0.0)
        real = tl.load(MX + b * N + rows, mask=rmask, other=0) != 0
        tl.store(AR + b * N + rows, tl.where(real, tl.exp(la), 0.0),
                 mask=rmask)
        tl.store(ALPHA + b * N + rows, tl.full([BLOCK_N], 1.0, tl.float32),
                 mask=rmask)


@triton.jit
def _scaling_sweep(p, b, LA, U, PC, AR, alpha_out, N, M, lam_a, lam_b,
                   beta, beta_e, alpha_e, qr, lb, br, v0, col_real, cols,
                   cmask, log_mc, HAS_COL: tl.constexpr, HAS_ROW: tl.constexpr,
                   MASS_COL: tl.constexpr, EXACT_A: tl.constexpr,
                   EXACT_B: tl.constexpr, EVEN_N: tl.constexpr,
                   EVEN_M: tl.constexpr, BLOCK_N: tl.constexpr,
                   BLOCK_M: tl.constexpr):
    """One scaling iteration on the absorbed ``P0``: rows
    ``r_i = sum_j P0_ij beta_j + PC_i beta^c``, columns
    ``c_j = sum_i P0_ij alpha_i + QR_j alpha^r`` (``alpha^r`` already
    updated by the caller), dummy column
    ``beta^c = m^c / sum_i PC_i alpha_i``. With exact marginals
    (``lam = 1``) the scalings are ``a_i / r_i`` and ``b_j / c_j``.
    Padded frames get scaling 0. Returns ``(beta, beta^c)``."""
    col = tl.zeros([BLOCK_N, BLOCK_M], tl.float32)
    dc = tl.zeros([BLOCK_N], tl.float32)
    ptrs = p + tl.arange(0, BLOCK_N)[:, None] * M + cols[None, :]
    for r0 in range(0, N, BLOCK_N):
        rows = r0 + tl.arange(0, BLOCK_N)
        rmask = rows < N
        tile = _load_tile(ptrs, rmask, cmask, EVEN_N, EVEN_M)
        ptrs += BLOCK_N * M
        r = tl.sum(tile * beta[None, :], 1)
        if HAS_COL:  # (MASS_COL implies HAS_COL)
            pc = _load_vec(PC + b * N + rows, rmask, EVEN_N)
            r += pc * beta_e
        r = tl.maximum(r, TINY)  # a fully underflowed row stays finite
        ar = _load_vec(AR + b * N + rows, rmask, EVEN_N)
        if EXACT_A:
            alpha = ar / r
        else:
            u0 = _load_vec(U + b * N + rows, rmask, EVEN_N)
            la = _load_vec(LA + b * N + rows, rmask, EVEN_N)
            alpha = tl.where(ar > 0,
                             tl.exp(lam_a * (la - tl.log(r) + u0) - u0), 0.0)
        tl.store(alpha_out + rows, alpha, mask=rmask)
        col += tile * alpha[:, None]
        if MASS_COL:
            dc += pc * alpha
    c = tl.sum(col, 0)
    if HAS_ROW:
        c += qr * alpha_e
    c = tl.maximum(c, TINY)
    if EXACT_B:
        beta = br / c
    else:
        beta = tl.where(col_real,
                        tl.exp(lam_b * (lb - tl.log(c) + v0) - v0), 0.0)
    if MASS_COL:
        beta_e = tl.exp(log_mc) / tl.sum(dc, 0)
    return beta, beta_e


@triton.jit
def _finish_sweep(p, b, U, UPREV, AR, alpha_last, alpha_prev, has_prev, N,
                  M, beta, cols, cmask, BLOCK_N: tl.constexpr):
    """Plan ``P0_ij alpha_i beta_j`` in place, ``u = u0 + log alpha`` and
    the previous iteration's ``u`` (0 on padded rows)."""
    for r0 in range(0, N, BLOCK_N):
        rows = r0 + tl.arange(0, BLOCK_N)
        rmask = rows < N
        tile = rmask[:, None] & cmask[None, :]
        offs = rows[:, None] * M + cols[None, :]
        alpha = tl.load(alpha_last + rows, mask=rmask, other=1.0)
        plan = tl.load(p + offs, mask=tile, other=0.0)
        tl.store(p + offs, plan * alpha[:, None] * beta[None, :], mask=tile)
        real = tl.load(AR + b * N + rows, mask=rmask, other=0.0) > 0
        u0 = tl.load(U + b * N + rows, mask=rmask, other=0.0)
        tl.store(U + b * N + rows, tl.where(real, u0 + tl.log(alpha), 0.0),
                 mask=rmask)
        if has_prev:
            prev = tl.load(alpha_prev + rows, mask=rmask, other=1.0)
            tl.store(UPREV + b * N + rows,
                     tl.where(real, u0 + tl.log(prev), 0.0), mask=rmask)


@triton.jit
def _sinkhorn_kernel(LK, LA, LB, MX, MY, KC, KR, LMC, LMR, U, V, UE, VE,
                     UPREV, P, PC, AR, ALPHA, N, M, lam_a, lam_b, n_iter,
                     HAS_COL: tl.constexpr, HAS_ROW: tl.constexpr,
                     MASS_COL: tl.constexpr, MASS_ROW: tl.constexpr,
                     EXACT_A: tl.constexpr, EXACT_B: tl.constexpr,
                     EVEN_N: tl.constexpr, EVEN_M: tl.constexpr,
                     BLOCK_N: tl.constexpr, BLOCK_M: tl.constexpr):
    b = tl.program_id(0)
    lk = LK + b * N * M
    p = P + b * N * M
    cols = tl.arange(0, BLOCK_M)
    cmask = cols < M
    # column vectors and the extra potentials live in registers
    v = tl.load(V + b * M + cols, mask=cmask, other=0.0)
    lb = tl.load(LB + b * M + cols, mask=cmask, other=0.0)
    col_real = tl.load(MY + b * M + cols, mask=cmask, other=0) != 0
    br = tl.where(col_real, tl.exp(lb), 0.0)
    kr = tl.load(KR + b * M + cols, mask=cmask, other=float('-inf'))
    ue = tl.load(UE + b)
    ve = tl.load(VE + b)
    log_mc = tl.load(LMC + b)
    log_mr = tl.load(LMR + b)

    # 1. log domain; the dummy row u^r = log m^r - LSE_j(k^r_j + v_j) only
    # needs the old v, so it is updated before the sweep
    if MASS_ROW:
        top = tl.max(kr + v, 0)
        ue = log_mr - (top + tl.log(tl.sum(tl.exp(kr + v - top), 0)))
    v, ve = _log_sweep(lk, b, LA, MX, KC, U, UPREV, N, M, lam_a, lam_b, v,
                       ve, ue, kr, lb, col_real, cols, cmask, log_mc,
                       HAS_COL, HAS_ROW, MASS_COL, BLOCK_N, BLOCK_M)
    tl.debug_barrier()

    # 2. absorb, then scalings; alpha alternates between two slots
    _absorb_sweep(lk, p, b, LA, MX, KC, U, PC, AR, ALPHA, N, M, v, ve, cols,
                  cmask, HAS_COL, BLOCK_N)
    tl.debug_barrier()
    slot = tl.num_programs(0) * N
    qr = tl.exp(kr + ue + v)  # extra row of P0
    beta = tl.full([BLOCK_M], 1.0, tl.float32)
    alpha_e = _fp32_scalar(1.0)
    beta_e = _fp32_scalar(1.0)
    for it in range(1, n_iter):
        if MASS_ROW:  # alpha^r = m^r / sum_j QR_j beta_j
            alpha_e = tl.exp(log_mr) / tl.sum(qr * beta, 0)
        beta, beta_e = _scaling_sweep(
            p, b, LA, U, PC, AR, ALPHA + (it % 2) * slot + b * N, N, M,
            lam_a, lam_b, beta, beta_e, alpha_e, qr, lb, br, v, col_real,
            cols, cmask, log_mc, HAS_COL, HAS_ROW, MASS_COL, EXACT_A, EXACT_B,
            EVEN_N, EVEN_M, BLOCK_N, BLOCK_M)
        tl.debug_barrier()

    # 3. plan and potentials
    alpha_last = ALPHA + ((n_iter - 1) % 2) * slot + b * N
    alpha_prev = ALPHA + (n_iter % 2) * slot + b * N
    _finish_sweep(p, b, U, UPREV, AR, alpha_last, alpha_prev, n_iter > 1, N,
                  M, beta, cols, cmask, BLOCK_N)
    tl.store(V + b * M + cols, tl.where(col_real, v + tl.log(beta), 0.0),
             mask=cmask)
    tl.store(UE + b, ue + tl.log(alpha_e))
    tl.store(VE + b, ve + tl.log(beta_e))
