"""Triton kernels of the fused GPU path (imported only when it is used).

* :func:`_assemble_kernel` writes the log-kernel of a mirror-descent step,
  ``log K = base + s_cross * (C^X T C^Y^T) - s_const * (c^x_i + c^y_j)``,
  in one pass (``base = log(a b^T w) - (1 - alpha) D / eps``,
  ``s_cross = 4 alpha / eps``, ``s_const = 2 alpha / eps``).
* :func:`_sinkhorn_kernel` runs ``n_iter`` log-domain Sinkhorn iterations
  per launch, one program per pair: row and column log-sum-exps streamed
  over tiles with an online maximum, the dummy / sink row and column kept
  as two scalar potentials, masks honoured. Same updates, same order, as
  :func:`realign_mm.ot.sinkhorn.sinkhorn_log`.

Both run under ``TRITON_INTERPRET=1`` on CPU tensors (how CI tests them).
"""
import triton
import triton.language as tl

NEG_INF = -1e9


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
def _sinkhorn_kernel(LK, LA, LB, MX, MY, KC, KR, LMC, LMR, U, V, UE, VE,
                     UPREV, N, M, lam_a, lam_b, n_iter,
                     HAS_COL: tl.constexpr, HAS_ROW: tl.constexpr,
                     MASS_COL: tl.constexpr, MASS_ROW: tl.constexpr,
                     BLOCK_N: tl.constexpr, BLOCK_M: tl.constexpr):
    b = tl.program_id(0)
    lk = LK + b * N * M
    for _ in range(n_iter):
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
                z = k + v[None, :]
                top, acc = _lse_update(top, acc, z, 1)
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
                z = k + u[:, None]
                top, acc = _lse_update(top, acc, z, 0)
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
