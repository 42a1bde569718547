"""The cost model of `footprint`, `latency` and `model` as numba kernels: one candidate at a time, scalar arithmetic.

The numpy model evaluates a batch as a few hundred array operations, which costs ~3.5 ms for a single mapping
(per-operation overhead) and ~15 µs per mapping in large batches. Here the same equations run in one compiled loop
over the candidates, fed by flat tables packed once per `ProblemArrays` (`tables_of`). Every rounding rule of the
numpy model is kept operation for operation — `np.trunc`, numpy's floor division and remainder (`_fdiv`, `_mod`),
half-to-even rounding (`np.rint`), NaN-propagating `np.minimum`/`np.maximum` (`_min`, `_max`), stable orderings,
and numpy's pairwise summation where a float sum is not exact (`_pairwise_sum`) — so the results are the numpy
model's bit for bit, invalid candidates included.

Importing this module imports numba; the kernels compile on their first call (cached on disk, ``cache=True``).
`zigzag_opt.cost.model` imports it lazily.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numba
import numpy as np
import numpy.typing as npt

from zigzag_opt.cost.batch import MappingBatch
from zigzag_opt.cost.latency import LatencyParts
from zigzag_opt.cost.model import BatchResult
from zigzag_opt.cost.problem import ProblemArrays

__all__ = ["KernelTables", "evaluate_kernel", "tables_of"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]
_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(fn: _F) -> _F:
    """`numba.njit` with on-disk caching and numpy's floating-point error semantics (inf/NaN, no exceptions)."""
    out: _F = numba.njit(cache=True, error_model="numpy")(fn)
    return out


TL, FL, TH, FH = 0, 1, 2, 3
# fields of the movement table mv[view, operand, level, direction, field]
AMOUNT, PREC, PERIOD, COUNT, AVG, WINDOW = 0, 1, 2, 3, 4, 5
# fields of the per-arch-level table lv[view, operand, arch level, field]
ELEM, BITS, EFF = 0, 1, 2
# fields of view_lv[view, operand, arch level, field]
UNITS, BOOST, IR_SUFFIX, IR_ANY = 0, 1, 2, 3
# fields of mem_lv[operand, level, field]: capacity, energies, then bandwidth min[4] and max[4]
SIZE_BITS, READ_PJ, WRITE_PJ, BW_MIN, BW_MAX = 0, 1, 2, 3, 7
# consts
CPO, DRAIN, O_PART, O_FINAL, MAC_PJ = 0, 1, 2, 3, 4
# rows of the [N] float outputs
R_MEM, R_ENERGY, R_LATENCY, R_IDEAL, R_SS, R_ON, R_OFF, R_T0, R_T1, R_T2, R_CYCLES = range(11)
N_ROWS = 11


# ------------------------------------------------------------------------------------------------------------------
# Scalar rules of numpy
# ------------------------------------------------------------------------------------------------------------------


@_jit
def _divmod(a: float, b: float) -> tuple[float, float]:
    """numpy's `npy_divmod` (floor quotient and Python-style remainder), including its snapping and signs."""
    mod = np.fmod(a, b)
    if b == 0.0:
        return a / b, mod
    div = (a - mod) / b
    if mod != 0.0:
        if (b < 0.0) != (mod < 0.0):
            mod += b
            div -= 1.0
    else:
        mod = np.copysign(0.0, b)
    if div != 0.0:
        floordiv = np.floor(div)
        if div - floordiv > 0.5:
            floordiv += 1.0
    else:
        floordiv = np.copysign(0.0, a / b)
    return floordiv, mod


@_jit
def _fdiv(a: float, b: float) -> float:
    """`np.floor_divide` on two floats."""
    if b == 0.0:
        return a / b
    return _divmod(a, b)[0]


@_jit
def _mod(a: float, b: float) -> float:
    """`np.mod` on two floats."""
    if b == 0.0:
        out: float = np.fmod(a, b)
        return out
    return _divmod(a, b)[1]


@_jit
def _min(a: float, b: float) -> float:
    """`np.minimum`: NaN wins."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a <= b else b


@_jit
def _max(a: float, b: float) -> float:
    """`np.maximum`: NaN wins."""
    if a != a:
        return a
    if b != b:
        return b
    return a if a >= b else b


@_jit
def _pairwise_sum(a: F64, start: int, n: int) -> float:
    """numpy's pairwise summation of a[start:start+n] (n <= 128), as `ndarray.sum` adds a contiguous axis."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[start + i]
        return res
    r0, r1, r2, r3 = a[start], a[start + 1], a[start + 2], a[start + 3]
    r4, r5, r6, r7 = a[start + 4], a[start + 5], a[start + 6], a[start + 7]
    i = 8
    while i < n - n % 8:
        r0 += a[start + i]
        r1 += a[start + i + 1]
        r2 += a[start + i + 2]
        r3 += a[start + i + 3]
        r4 += a[start + i + 4]
        r5 += a[start + i + 5]
        r6 += a[start + i + 6]
        r7 += a[start + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[start + i]
        i += 1
    return res


# ------------------------------------------------------------------------------------------------------------------
# footprint.py: loop prefixes, operand state, movement
# ------------------------------------------------------------------------------------------------------------------


@_jit
def _loop_tables(dim: I64, size: I64, n: int, o_ir: B1, all_: F64, per_dim: F64, oir_pre: F64) -> int:
    """Prefix products of the loop nest of candidate n (all loops, per dim, output-irrelevant loops > 1); returns
    the last position of an output-irrelevant loop > 1 (-1 if none)."""
    width = dim.shape[1]
    n_dims = per_dim.shape[1]
    all_[0] = 1.0
    oir_pre[0] = 1.0
    for d in range(n_dims):
        per_dim[0, d] = 1.0
    last = -1
    for j in range(width):
        s = float(size[n, j])
        dj = dim[n, j]
        all_[j + 1] = all_[j] * s
        for d in range(n_dims):
            per_dim[j + 1, d] = per_dim[j, d] * s if d == dj else per_dim[j, d]
        if 0 <= dj < n_dims and o_ir[dj] and size[n, j] > 1:
            oir_pre[j + 1] = oir_pre[j] * s
            last = j
        else:
            oir_pre[j + 1] = oir_pre[j]
    return last


@_jit
def _in_mask(mask: B1, x: int, dj: int) -> bool:
    """Loop of dim `dj` is in operand x's dim mask (padding, dim -1, never is)."""
    return 0 <= dj < mask.shape[1] and bool(mask[x, dj])


@_jit
def _operand_state(
    dim: I64,
    cuts: I64,
    n_loops: I64,
    n: int,
    x: int,
    n_mem: int,
    is_out: bool,
    r_mask: B1,
    ir_mask: B1,
    all_: F64,
    oir_pre: F64,
    pos: I64,
    cyc: F64,
    top_r: F64,
    top_ir: F64,
    oir_suf: F64,
    nxt: I64,
    start_r: I64,
    start_ir: I64,
) -> None:
    """`footprint.operand_state` for operand x of candidate n, into row x of pos/cyc/top_r/top_ir/oir_suf."""
    width = dim.shape[1]
    nl = n_loops[n]
    nxt[width] = width
    for p in range(width - 1, -1, -1):
        nxt[p] = nxt[p + 1] if _in_mask(ir_mask, x, dim[n, p]) else p
    start_r[0] = 0
    start_ir[0] = 0
    for p in range(1, width + 1):
        start_r[p] = start_r[p - 1] if _in_mask(r_mask, x, dim[n, p - 1]) else p
        start_ir[p] = start_ir[p - 1] if _in_mask(ir_mask, x, dim[n, p - 1]) else p
    pos[x, 0] = 0
    for m in range(n_mem):
        if m == n_mem - 1:
            end = nl
        else:
            c = cuts[n, x, m]
            if c < 0:  # numpy's negative indexing (only reachable by malformed, invalid cuts)
                c += width + 1
            end = nxt[min(max(c, 0), width)]
        pos[x, m + 1] = end
    cyc[x, 0] = 1.0 if is_out else all_[nxt[0]]
    top_r[x, 0] = 1.0
    top_ir[x, 0] = 1.0
    for m in range(n_mem):
        end = pos[x, m + 1]
        cyc[x, m + 1] = all_[end]
        top_r[x, m + 1] = all_[end] / all_[max(start_r[end], pos[x, m])]
        top_ir[x, m + 1] = all_[end] / all_[max(start_ir[end], pos[x, m])]
    for lv in range(n_mem + 1):
        oir_suf[x, lv] = oir_pre[nl] / oir_pre[pos[x, lv]]


@_jit
def _elements(
    v: int,
    x: int,
    p: int,
    lv: int,
    per_dim: F64,
    prefix: F64,
    r_index: I64,
    n_r: int,
    pr_dims: I64,
    pr_f: F64,
    n_pr: int,
) -> float:
    """`footprint._elements` at arch level lv (loops below position p): per-instance elements of operand x."""
    out = 1.0
    for j in range(n_r):
        d = r_index[x, j]
        out = out * (per_dim[p, d] * prefix[v, x, lv, d])
    for j in range(n_pr):
        a = pr_dims[x, j, 0]
        b = pr_dims[x, j, 1]
        va = np.trunc(per_dim[p, a] * prefix[v, x, lv, a])
        vb = np.trunc(per_dim[p, b] * prefix[v, x, lv, b])
        span = va * vb - _max(0.0, vb - pr_f[x, j, 0]) * (va - pr_f[x, j, 1])
        out = out * _min(pr_f[x, j, 2], span)
    res: float = np.rint(out)
    return res


@_jit
def _levels(
    v: int,
    x: int,
    n_mem: int,
    is_out: bool,
    last_oir: int,
    pos: I64,
    top_r: F64,
    per_dim: F64,
    prefix: F64,
    view_lv: F64,
    r_index: I64,
    op_i: I64,
    pr_dims: I64,
    pr_f: F64,
    op_f: F64,
    consts: F64,
    lv_tab: F64,
    psum: B1,
) -> None:
    """Per arch level: elements, bits, effective bits (and, for the output, partial-sum flags) of operand x."""
    n_r, n_pr = op_i[x, 2], op_i[x, 3]
    for lv in range(n_mem + 1):
        p = pos[x, lv]
        elem = _elements(v, x, p, lv, per_dim, prefix, r_index, n_r, pr_dims, pr_f, n_pr)
        if is_out:
            ps = lv < n_mem and (last_oir >= p or view_lv[v, x, lv + 1, IR_ANY] != 0.0)
            psum[lv] = ps
            prec = consts[O_PART] if ps else consts[O_FINAL]
        else:
            prec = op_f[x, 0]
        bits = elem * prec
        lv_tab[v, x, lv, ELEM] = elem
        lv_tab[v, x, lv, BITS] = bits
        lv_tab[v, x, lv, EFF] = _fdiv(bits, top_r[x, lv])


@_jit
def _movement(
    v: int,
    x: int,
    n_mem: int,
    is_out: bool,
    total: float,
    cyc: F64,
    top_ir: F64,
    oir_suf: F64,
    view_lv: F64,
    op_f: F64,
    consts: F64,
    lv_tab: F64,
    psum: B1,
    mv: F64,
) -> None:
    """`footprint.movement` per memory level and direction (after `_levels`), into mv[v, x]."""
    part, final = consts[O_PART], consts[O_FINAL]
    down, up = (FL, TH) if is_out else (TL, FH)
    for m in range(n_mem):
        boost = view_lv[v, x, m, BOOST]
        e_lo, e_hi = lv_tab[v, x, m, ELEM], lv_tab[v, x, m + 1, ELEM]
        b_lo, b_hi = lv_tab[v, x, m, BITS], lv_tab[v, x, m + 1, BITS]
        c_lo, c_hi = cyc[x, m], cyc[x, m + 1]
        for k in range(4):
            for f in range(6):
                mv[v, x, m, k, f] = 0.0
        mv[v, x, m, down, AMOUNT] = np.trunc(e_lo * boost) if is_out else e_lo * boost
        mv[v, x, m, up, AMOUNT] = e_hi
        mv[v, x, m, down, PERIOD] = np.trunc(c_lo)
        mv[v, x, m, up, PERIOD] = np.trunc(c_hi)
        mv[v, x, m, down, COUNT] = _fdiv(total, c_lo)
        mv[v, x, m, up, COUNT] = _fdiv(total, c_hi)
        mv[v, x, m, down, AVG] = np.trunc(b_lo / c_lo * boost)
        mv[v, x, m, up, AVG] = np.trunc(b_hi / c_hi)
        if is_out:
            for f in (AMOUNT, PERIOD, COUNT, AVG):
                mv[v, x, m, TL, f] = mv[v, x, m, FL, f] if psum[m] else 0.0
                mv[v, x, m, FH, f] = mv[v, x, m, TH, f] if psum[m + 1] else 0.0
            size_elem = op_f[x, 1]
            caal_low = oir_suf[x, m] * view_lv[v, x, m + 1, IR_SUFFIX]
            caal_high = oir_suf[x, m + 1] * view_lv[v, x, m + 2, IR_SUFFIX]
            low_active = np.trunc(size_elem * (caal_low - 1.0)) != 0.0
            high_active = np.trunc(size_elem * (caal_high - 1.0)) != 0.0
            mv[v, x, m, TL, PREC] = part if low_active else 0.0
            mv[v, x, m, FL, PREC] = part if low_active else final
            mv[v, x, m, TH, PREC] = part if high_active else final
            mv[v, x, m, FH, PREC] = part if high_active else 0.0
        else:
            mv[v, x, m, TL, PREC] = op_f[x, 0]
            mv[v, x, m, FH, PREC] = op_f[x, 0]
        s_lo, s_hi = np.trunc(top_ir[x, m]), np.trunc(top_ir[x, m + 1])
        for k in range(4):
            mv[v, x, m, k, WINDOW] = np.trunc(mv[v, x, m, k, PERIOD] / (s_lo if k < TH else s_hi))
        if m == n_mem - 1:  # the top level exchanges nothing with the world outside
            for f in range(6):
                mv[v, x, m, TH, f] = 0.0
                mv[v, x, m, FH, f] = 0.0


# ------------------------------------------------------------------------------------------------------------------
# model.py: word accesses, energy, utilisation
# ------------------------------------------------------------------------------------------------------------------


@_jit
def _accesses(
    n: int, x: int, n_mem: int, mv: F64, mem_lv: F64, view_lv: F64, out_f: F64, acc_off: int, epd_off: int
) -> tuple[bool, float]:
    """`model._word_accesses` and the energy per direction of operand x (fractional view) into the outputs;
    returns (every moving link has a port, the operand's memory energy)."""
    ok = True
    base_a = acc_off + n * n_mem * 4
    base_e = epd_off + n * n_mem * 4
    for m in range(n_mem):
        units = view_lv[0, x, m + 1, UNITS]
        for k in range(4):
            amount = mv[0, x, m, k, AMOUNT]
            prec = mv[0, x, m, k, PREC]
            lo = mem_lv[x, m, BW_MIN + k]
            hi = mem_lv[x, m, BW_MAX + k]
            has_port = lo > 0.0
            if amount != 0.0 and not has_port:
                ok = False
            words = 0.0
            if amount != 0.0 and prec != 0.0 and has_port:
                words = np.trunc(np.ceil(amount * prec / lo) * (lo / hi) * mv[0, x, m, k, COUNT] * units)
            cost = mem_lv[x, m, READ_PJ] if k == TL or k == TH else mem_lv[x, m, WRITE_PJ]
            out_f[base_a + m * 4 + k] = words
            out_f[base_e + m * 4 + k] = words * cost
    return ok, _pairwise_sum(out_f, base_e, n_mem * 4)


@_jit
def _share(ind: F64, shared: F64, group_of: I64, groups: I64) -> None:
    """Utilisation of a shared memory: the sum over the operands it holds (`model._utilization`)."""
    shared[:, :] = ind
    for g in range(groups.shape[0]):
        total = 0.0
        for j in range(groups[g, 0]):
            total = total + ind[groups[g, 1 + 2 * j], groups[g, 2 + 2 * j]]
        for j in range(groups[g, 0]):
            shared[groups[g, 1 + 2 * j], groups[g, 2 + 2 * j]] = total


@_jit
def _double_buffer(op_i: I64, eff: F64, eff_sh: F64, group_of: I64, groups: I64, db: B1) -> None:
    """`latency.double_buffer_flags`: eff_sh is consumed (the shared memory fills in operand order)."""
    for x in range(op_i.shape[0]):
        db[x, 0] = False
        for m in range(op_i[x, 0]):
            half = eff_sh[x, m] <= 0.5
            room = (not half) and eff[x, m] <= 1.0 - eff_sh[x, m]
            db[x, m + 1] = half or room
            g = group_of[x, m]
            if g >= 0:
                add = eff[x, m] if room else 0.0
                for j in range(groups[g, 0]):
                    gx, gm = groups[g, 1 + 2 * j], groups[g, 2 + 2 * j]
                    eff_sh[gx, gm] = eff_sh[gx, gm] + add


# ------------------------------------------------------------------------------------------------------------------
# latency.py: per-port stall/slack, loading
# ------------------------------------------------------------------------------------------------------------------


@_jit
def _count_below(j: int, y: float, ps: F64, as_: F64, pp: F64, finite: B1, stack_j: I64, stack_y: F64) -> float:
    """`latency._uncovered`'s count_below(j, y) with an explicit stack: cycles t < y uncovered by activities < j.
    Every term is an integer-valued float (or inf/NaN), so the sum does not depend on its order; a zero argument
    contributes zero unless an infinite or NaN term could make it NaN (`finite`)."""
    total = 0.0
    top = 0
    stack_j[0], stack_y[0] = j, y
    sign = np.ones(stack_j.shape[0])  # the sign rides with the entry in a parallel array below
    sign[0] = 1.0
    while top >= 0:
        cj, cy, cs = stack_j[top], stack_y[top], sign[top]
        top -= 1
        if cj == 0:
            total += cs * cy
            continue
        if cy == 0.0 and finite[cj]:
            continue
        p = ps[cj - 1]
        total += cs * (_fdiv(cy, p) * pp[cj])
        z = _mod(cy, p)
        top += 1
        stack_j[top], stack_y[top], sign[top] = cj - 1, z, cs
        top += 1
        stack_j[top], stack_y[top], sign[top] = cj - 1, _min(as_[cj - 1], z), -cs
    return total


@_jit
def _uncovered(k: int, ps: F64, as_: F64, pp: F64, finite: B1, stack_j: I64, stack_y: F64) -> float:
    """`latency._uncovered`: cycles t < P_k with t mod P_j >= A_j for every activity j (sorted by period)."""
    finite[0] = True
    pp[0] = 0.0
    for j in range(1, k + 1):
        a = _count_below(j - 1, ps[j - 1], ps, as_, pp, finite, stack_j, stack_y)
        b = _count_below(j - 1, _min(as_[j - 1], ps[j - 1]), ps, as_, pp, finite, stack_j, stack_y)
        pp[j] = a - b
        finite[j] = finite[j - 1] and np.isfinite(pp[j]) and not np.isnan(as_[j - 1])
    return pp[k]


@_jit
def _window_union(
    k: int,
    period: F64,
    allowed: F64,
    count: F64,
    active: B1,
    ps: F64,
    as_: F64,
    pp: F64,
    finite: B1,
    stack_j: I64,
    stack_y: F64,
) -> tuple[float, bool]:
    """`latency._window_union` for one candidate's k links of one port."""
    for j in range(k):
        if active[j] and period[j] == allowed[j]:
            return period[j] * count[j], True  # the early return: some activity may always transfer
    longest = 0
    best = -1.0 if not active[0] else period[0]
    for j in range(1, k):
        key = period[j] if active[j] else -1.0
        if key > best:
            best, longest = key, j
    p_max = period[longest]
    divides = True
    for j in range(k):
        ps[j] = period[j] if active[j] else 1.0
        as_[j] = allowed[j] if active[j] else 0.0
        if _mod(p_max, ps[j]) != 0.0:
            divides = False
    for j in range(1, k):  # stable insertion sort by period
        pj, aj = ps[j], as_[j]
        i = j - 1
        while i >= 0 and ps[i] > pj:
            ps[i + 1], as_[i + 1] = ps[i], as_[i]
            i -= 1
        ps[i + 1], as_[i + 1] = pj, aj
    chain_ok = True
    for j in range(1, k):
        if _mod(ps[j], ps[j - 1]) != 0.0:
            chain_ok = False
    uncovered = _uncovered(k, ps, as_, pp, finite, stack_j, stack_y)
    return (p_max - uncovered) * count[longest], divides and chain_ok


@_jit
def _port_stall_slack(
    n: int,
    port_links: I64,
    mv: F64,
    real: F64,
    allowed: F64,
    cpo: float,
    out_f: F64,
    port_off: int,
    scratch: F64,
    active: B1,
    pp: F64,
    finite: B1,
    stack_j: I64,
    stack_y: F64,
) -> tuple[float, bool]:
    """`latency._port_stall_slack` for candidate n: writes port_ss[n, :]; returns (max over ports, or -inf without
    ports, and whether the model is defined)."""
    n_ports = port_links.shape[0]
    valid = True
    worst = -np.inf
    for p in range(n_ports):
        k = port_links[p, 0, 0]
        value = 0.0
        if k > 0:
            period, alw, cnt = scratch[0], scratch[1], scratch[2]
            ps, as_ = scratch[3], scratch[4]
            pos_ss, neg_ss, sum_ss, sum_muw = 0.0, 0.0, 0.0, 0.0
            n_active = 0
            for j in range(k):
                x, m, d = port_links[p, 0, 1 + 3 * j], port_links[p, 0, 2 + 3 * j], port_links[p, 0, 3 + 3 * j]
                c = mv[1, x, m, d, COUNT]
                period[j] = np.ceil(mv[1, x, m, d, PERIOD] * cpo)
                alw[j] = allowed[x, m, d]
                cnt[j] = c
                active[j] = c > 0.0
                ss = (real[x, m, d] - alw[j]) * (c - 1.0) if active[j] else 0.0
                muw = alw[j] * (c - 1.0) if active[j] else 0.0
                n_active += 1 if active[j] else 0
                sum_ss += ss
                sum_muw += muw
                if ss > 0.0:
                    pos_ss += ss
                if ss <= 0.0:
                    neg_ss += ss
            if n_active == 1:
                value = sum_ss
            elif n_active > 1:
                union, defined = _window_union(k, period, alw, cnt, active, ps, as_, pp, finite, stack_j, stack_y)
                value = pos_ss + _max(0.0, neg_ss + sum_muw - union)
                valid = valid and defined
        out_f[port_off + n * n_ports + p] = value
        worst = value if p == 0 else _max(worst, value)
    return worst, valid


@_jit
def _loading(
    port_links: I64,
    port_bw: F64,
    mv: F64,
    lv_tab: F64,
    real: F64,
    cpo: float,
    compute: float,
    loading: F64,
    scratch: F64,
    order: I64,
) -> None:
    """`latency._loading_cycles`: per link the cycles it needs before computing starts / after it ends."""
    loading[:, :, :] = 0.0
    for p in range(port_links.shape[0]):
        k = port_links[p, 1, 0]
        if k == 0:
            continue
        bw = port_bw[p]
        totals, minima, keys = scratch[0], scratch[1], scratch[2]
        busy = 0.0
        for j in range(k):
            x, m, d = port_links[p, 1, 1 + 3 * j], port_links[p, 1, 2 + 3 * j], port_links[p, 1, 3 + 3 * j]
            c = mv[1, x, m, d, COUNT]
            busy += np.ceil(mv[1, x, m, d, AVG] / cpo) if c > 1.0 else 0.0
            totals[j] = real[x, m, d]
            minima[j] = np.ceil(lv_tab[1, x, 1, BITS] / bw)
            keys[j] = -totals[j] if c == 1.0 else np.inf
        surplus = _max(0.0, (bw - busy) / bw * compute)
        for j in range(k):  # stable argsort of keys (insertion sort)
            i = j - 1
            while i >= 0 and keys[order[i]] > keys[j]:
                order[i + 1] = order[i]
                i -= 1
            order[i + 1] = j
        budget = surplus
        for i in range(k):
            j = order[i]
            x, m, d = port_links[p, 1, 1 + 3 * j], port_links[p, 1, 2 + 3 * j], port_links[p, 1, 3 + 3 * j]
            c = mv[1, x, m, d, COUNT]
            tot = totals[j]
            cut = _min(_max(0.0, tot - minima[j]), budget) if c == 1.0 and budget > 0.0 else 0.0
            budget = budget - cut
            loading[x, m, d] = tot - cut if c == 1.0 else (tot if c > 1.0 else 0.0)


@_jit
def _onloading(op_i: I64, loading: F64, shared_in: B1) -> float:
    """`latency._onloading`: the initial fill of the inputs (series on ports both inputs share)."""
    ind = np.zeros(2)
    half = np.zeros(2)
    sh = np.zeros(2)
    n_in = 0
    for x in range(op_i.shape[0]):
        if op_i[x, 1] or n_in == 2:
            continue
        for m in range(op_i[x, 0] - 1):
            longest = _max(loading[x, m, FH], loading[x, m + 1, TL])
            s1, s2 = shared_in[x, m, FH], shared_in[x, m + 1, TL]
            if s1 and s2:
                sh[n_in] = sh[n_in] + longest
            elif not s1 and not s2:
                ind[n_in] = ind[n_in] + longest
            else:
                half[n_in] = longest
        n_in += 1
    if n_in == 1:
        return ind[0]
    ia, ha, sa = ind[0], half[0], sh[0]
    ib, hb, sb = ind[1], half[1], sh[1]
    return _min(sa + _max(sb + hb + ib, ha + ia), sb + _max(sa + ha + ia, hb + ib))


@_jit
def _offloading(op_i: I64, loading: F64) -> float:
    """`latency._offloading`: the final drain of the output."""
    out = 0.0
    for x in range(op_i.shape[0]):
        if op_i[x, 1]:
            for m in range(op_i[x, 0] - 1):
                out = out + _max(loading[x, m, TH], loading[x, m + 1, FL])
            return out
    return out


# ------------------------------------------------------------------------------------------------------------------
# The kernel
# ------------------------------------------------------------------------------------------------------------------


@_jit
def _structure_ok(dim: I64, size: I64, cuts: I64, n_loops: I64, n: int, op_i: I64, per_dim: F64, dim_f: F64) -> bool:
    """`model._structure_ok` for candidate n."""
    nl = n_loops[n]
    for d in range(per_dim.shape[1]):
        final = per_dim[nl, d]
        if final != dim_f[0, d] and final != dim_f[1, d]:
            return False
    for x in range(op_i.shape[0]):
        n_mem = op_i[x, 0]
        if cuts[n, x, 0] < 0 or cuts[n, x, n_mem - 1] != nl:
            return False
        for m in range(n_mem - 1):
            if cuts[n, x, m + 1] < cuts[n, x, m]:
                return False
    return True


@_jit
def _kernel(
    dim: I64,
    size: I64,
    n_loops: I64,
    cuts: I64,
    op_i: I64,
    masks: B1,
    r_index: I64,
    pr_dims: I64,
    pr_f: F64,
    prefix: F64,
    view_lv: F64,
    mem_lv: F64,
    op_f: F64,
    dim_f: F64,
    group_of: I64,
    groups: I64,
    port_links: I64,
    port_bw: F64,
    shared_in: B1,
    consts: F64,
    offsets: I64,
    out_f: F64,
    out_b: B1,
) -> None:
    """Evaluate every candidate of the batch; see `evaluate_kernel` for the output layout (`offsets`)."""
    n_cand, width = dim.shape
    n_ops, n_dims = r_index.shape
    m_max = mem_lv.shape[1]
    k_max = max(1, port_links.shape[2] // 3)
    cpo = consts[CPO]
    out_id = 0
    for x in range(n_ops):
        if op_i[x, 1]:
            out_id = x
            break
    o_ir = masks[out_id, 1]
    r_mask, ir_mask = masks[:, 0], masks[:, 1]
    # scratch, reused by every candidate
    all_ = np.empty(width + 1)
    per_dim = np.empty((width + 1, n_dims))
    oir_pre = np.empty(width + 1)
    nxt = np.empty(width + 1, dtype=np.int64)
    start_r = np.empty(width + 1, dtype=np.int64)
    start_ir = np.empty(width + 1, dtype=np.int64)
    pos = np.zeros((n_ops, m_max + 1), dtype=np.int64)
    cyc = np.ones((n_ops, m_max + 1))
    top_r = np.ones((n_ops, m_max + 1))
    top_ir = np.ones((n_ops, m_max + 1))
    oir_suf = np.ones((n_ops, m_max + 1))
    lv_tab = np.zeros((2, n_ops, m_max + 1, 3))
    mv = np.zeros((2, n_ops, m_max, 4, 6))
    psum = np.zeros(m_max + 1, dtype=np.bool_)
    ind = np.zeros((n_ops, m_max))
    util = np.zeros((n_ops, m_max))
    eff = np.zeros((n_ops, m_max))
    eff_sh = np.zeros((n_ops, m_max))
    db = np.zeros((n_ops, m_max + 1), dtype=np.bool_)
    real = np.zeros((n_ops, m_max, 4))
    allowed = np.zeros((n_ops, m_max, 4))
    loading = np.zeros((n_ops, m_max, 4))
    scratch = np.zeros((5, k_max))
    active = np.zeros(k_max, dtype=np.bool_)
    pp = np.zeros(k_max + 1)
    finite = np.zeros(k_max + 1, dtype=np.bool_)
    stack_j = np.zeros(k_max + 2, dtype=np.int64)
    stack_y = np.zeros(k_max + 2)
    order = np.zeros(k_max, dtype=np.int64)
    port_off = offsets[0]
    for n in range(n_cand):
        last_oir = _loop_tables(dim, size, n, o_ir, all_, per_dim, oir_pre)
        total = all_[n_loops[n]]
        mem_energy = 0.0
        ports_ok = True
        for x in range(n_ops):
            n_mem = op_i[x, 0]
            is_out = op_i[x, 1] != 0
            _operand_state(
                dim, cuts, n_loops, n, x, n_mem, is_out, r_mask, ir_mask, all_, oir_pre,
                pos, cyc, top_r, top_ir, oir_suf, nxt, start_r, start_ir,
            )  # fmt: skip
            for v in range(2):
                _levels(
                    v, x, n_mem, is_out, last_oir, pos, top_r, per_dim, prefix, view_lv, r_index, op_i,
                    pr_dims, pr_f, op_f, consts, lv_tab, psum,
                )  # fmt: skip
                _movement(v, x, n_mem, is_out, total, cyc, top_ir, oir_suf, view_lv, op_f, consts, lv_tab, psum, mv)
            ok, e = _accesses(n, x, n_mem, mv, mem_lv, view_lv, out_f, offsets[1 + 4 * x], offsets[2 + 4 * x])
            ports_ok = ports_ok and ok
            mem_energy = mem_energy + e
            for m in range(n_mem):
                ind[x, m] = lv_tab[0, x, m + 1, BITS] / mem_lv[x, m, SIZE_BITS]
                eff[x, m] = lv_tab[0, x, m + 1, EFF] / mem_lv[x, m, SIZE_BITS]
        _share(ind, util, group_of, groups)
        _share(eff, eff_sh, group_of, groups)
        fits = True
        for x in range(n_ops):
            base = offsets[3 + 4 * x] + n * op_i[x, 0]
            for m in range(op_i[x, 0]):
                out_f[base + m] = util[x, m]
                fits = fits and util[x, m] <= 1.0
        _double_buffer(op_i, eff, eff_sh, group_of, groups, db)
        for x in range(n_ops):
            n_mem = op_i[x, 0]
            base = offsets[4 + 4 * x] + n * (n_mem + 1)
            for lv in range(n_mem + 1):
                out_b[base + lv] = db[x, lv]
            for m in range(n_mem):
                for d in range(4):
                    bw = mem_lv[x, m, BW_MAX + d]
                    amount_bits = mv[1, x, m, d, AMOUNT] * mv[1, x, m, d, PREC]
                    real[x, m, d] = np.ceil(amount_bits / bw) if bw > 0.0 else 0.0
                    flag = db[x, m] if d < TH else db[x, m + 1]
                    allowed[x, m, d] = np.ceil((mv[1, x, m, d, PERIOD] if flag else mv[1, x, m, d, WINDOW]) * cpo)
        worst, lat_valid = _port_stall_slack(
            n, port_links, mv, real, allowed, cpo, out_f, port_off, scratch, active, pp, finite, stack_j, stack_y
        )
        ss_comb = _max(0.0, worst) if port_links.shape[0] > 0 else 0.0
        compute = np.ceil(total * cpo) + ss_comb
        _loading(port_links, port_bw, mv, lv_tab, real, cpo, compute, loading, scratch, order)
        onload = _onloading(op_i, loading, shared_in)
        offload = _offloading(op_i, loading)
        ideal = total * cpo
        total0 = ideal + ss_comb
        total1 = total0 + onload
        total2 = total1 + offload + consts[DRAIN]
        valid = _structure_ok(dim, size, cuts, n_loops, n, op_i, per_dim, dim_f) and ports_ok and lat_valid
        out_f[R_MEM * n_cand + n] = mem_energy
        out_f[R_ENERGY * n_cand + n] = mem_energy + consts[MAC_PJ] if valid else np.inf
        out_f[R_LATENCY * n_cand + n] = total2 if valid else np.inf
        out_f[R_IDEAL * n_cand + n] = ideal
        out_f[R_SS * n_cand + n] = ss_comb
        out_f[R_ON * n_cand + n] = onload
        out_f[R_OFF * n_cand + n] = offload
        out_f[R_T0 * n_cand + n] = total0
        out_f[R_T1 * n_cand + n] = total1
        out_f[R_T2 * n_cand + n] = total2
        out_f[R_CYCLES * n_cand + n] = total
        out_b[n] = valid
        out_b[n_cand + n] = fits
        out_b[2 * n_cand + n] = lat_valid


# ------------------------------------------------------------------------------------------------------------------
# Packing (once per problem) and the evaluate entry point
# ------------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KernelTables:
    """The problem's constants as the kernel reads them (see `tables_of`). `arrays` is the kernel's argument tuple
    after the batch; `levels[x]` is operand x's memory level count; `n_ports` the number of ports."""

    arrays: tuple[npt.NDArray[Any], ...]
    levels: tuple[int, ...]
    n_ports: int


def tables_of(prob: ProblemArrays) -> KernelTables:
    """The packed tables of `prob`, computed once and kept on the problem (`ProblemArrays.kernel_cache`)."""
    cached = prob.kernel_cache.get("tables")
    if cached is None:
        cached = _pack(prob)
        prob.kernel_cache["tables"] = cached
    assert isinstance(cached, KernelTables)
    return cached


def _pack(prob: ProblemArrays) -> KernelTables:
    ops = prob.operands
    n_ops, n_dims = len(ops), len(prob.dims)
    m_max = max(t.n_levels for t in ops)
    n_pr = max([len(t.pr) for t in ops] + [1])
    op_i = np.zeros((n_ops, 4), dtype=np.int64)
    masks = np.zeros((n_ops, 2, n_dims), dtype=np.bool_)
    r_index = np.zeros((n_ops, n_dims), dtype=np.int64)
    pr_dims = np.zeros((n_ops, n_pr, 2), dtype=np.int64)
    pr_f = np.zeros((n_ops, n_pr, 3))
    prefix = np.ones((2, n_ops, m_max + 2, n_dims))
    view_lv = np.zeros((2, n_ops, m_max + 2, 4))
    mem_lv = np.zeros((n_ops, m_max, 11))
    op_f = np.zeros((n_ops, 2))
    for x, t in enumerate(ops):
        m = t.n_levels
        op_i[x] = (m, int(t.is_output), len(t.r_index), len(t.pr))
        masks[x, 0], masks[x, 1] = t.r_mask, t.ir_mask
        r_index[x, : len(t.r_index)] = t.r_index
        for j, (a, ca, b, cb, total) in enumerate(t.pr):
            g = int(np.gcd(ca, cb))
            pr_dims[x, j] = (a, b)
            pr_f[x, j] = (ca // g, cb // g, float(total))
        for v, view in enumerate((t.frac, t.integer)):
            prefix[v, x, : m + 2] = view.prefix
            view_lv[v, x, : m + 1, UNITS] = view.unit_count.astype(np.float64)
            view_lv[v, x, : m + 1, BOOST] = view.boost.astype(np.float64)
            view_lv[v, x, : m + 2, IR_SUFFIX] = view.ir_suffix_o
            view_lv[v, x, : m + 2, IR_ANY] = view.ir_any_above
        mem_lv[x, :m, SIZE_BITS] = t.size_bits
        mem_lv[x, :m, READ_PJ] = t.read_pj
        mem_lv[x, :m, WRITE_PJ] = t.write_pj
        mem_lv[x, :m, BW_MIN : BW_MIN + 4] = t.bw_min
        mem_lv[x, :m, BW_MAX : BW_MAX + 4] = t.bw_max
        op_f[x] = (float(t.precision), t.size_elem)
    dim_f = np.array(
        [
            [float(prob.temporal_sizes.get(d, 1)) for d in prob.dims],
            [float(prob.exact_temporal_sizes.get(d, 1)) for d in prob.dims],
        ]
    )
    group_of, groups = _pack_groups(prob, m_max)
    port_links, port_bw, shared_in = _pack_ports(prob, m_max)
    consts = np.array(
        [
            prob.cycles_per_op,
            prob.systolic_drain,
            float(prob.o_partial_bits),
            float(prob.o_final_bits),
            prob.mac_energy_total_pj,
        ]
    )
    arrays = (op_i, masks, r_index, pr_dims, pr_f, prefix, view_lv, mem_lv, op_f, dim_f, group_of, groups)
    arrays += (port_links, port_bw, shared_in, consts)
    return KernelTables(arrays=arrays, levels=tuple(t.n_levels for t in ops), n_ports=len(prob.ports))


def _pack_groups(prob: ProblemArrays, m_max: int) -> tuple[I64, I64]:
    """`group_of[x, m]`: the first sharing group holding (x, m), or -1; `groups[g]`: length, then (x, m) pairs."""
    n_ops = len(prob.operands)
    group_of = np.full((n_ops, m_max), -1, dtype=np.int64)
    width = max([len(g) for g in prob.sharing_groups] + [0])
    groups = np.zeros((len(prob.sharing_groups), 1 + 2 * width), dtype=np.int64)
    for g, group in enumerate(prob.sharing_groups):
        groups[g, 0] = len(group)
        for j, (x, m) in enumerate(group):
            groups[g, 1 + 2 * j], groups[g, 2 + 2 * j] = x, m
            if group_of[x, m] < 0:
                group_of[x, m] = g
    return group_of, groups


def _pack_ports(prob: ProblemArrays, m_max: int) -> tuple[I64, F64, B1]:
    """`port_links[p, 0]`: the links that can move data (stall/slack), `[p, 1]`: the links that load (not the
    output's read-backs), each as a length and (operand, level, direction) triples; `shared_in[x, m, d]`: the
    link's (last) port is shared by both inputs."""
    ops = prob.operands
    stall = [[(x, m, k) for x, m, k in p.links if not (m == ops[x].n_levels - 1 and k in (TH, FH))] for p in prob.ports]
    load = [[(x, m, k) for x, m, k in p.links if not (ops[x].is_output and k in (TL, FH))] for p in prob.ports]
    width = max([len(p.links) for p in prob.ports] + [1])
    port_links = np.zeros((len(prob.ports), 2, 1 + 3 * width), dtype=np.int64)
    for p in range(len(prob.ports)):
        for s, links in enumerate((stall[p], load[p])):
            port_links[p, s, 0] = len(links)
            for j, link in enumerate(links):
                port_links[p, s, 1 + 3 * j : 4 + 3 * j] = link
    port_bw = np.array([p.bw_max for p in prob.ports], dtype=np.float64)
    shared_in = np.zeros((len(ops), m_max, 4), dtype=np.bool_)
    for port in prob.ports:
        for x, m, k in port.links:
            shared_in[x, m, k] = port.shared_by_inputs
    return port_links, port_bw, shared_in


def _int64(a: I64) -> I64:
    out: I64 = np.ascontiguousarray(a, dtype=np.int64)
    return out


def evaluate_kernel(prob: ProblemArrays, batch: MappingBatch) -> BatchResult:
    """`model.evaluate_numpy`'s results, computed by the compiled kernel.

    Output layout: one float buffer holding 11 rows of [N] (mem_energy, energy, latency, the latency parts,
    total cycles), then port_ss [N, P], then per operand accesses [N, M, 4], energy per direction [N, M, 4] and
    utilisation [N, M]; one bool buffer holding valid, fits and the latency model's validity [N], then per
    operand the double-buffer flags [N, M+1]. Every array of the result is a contiguous view into them.
    """
    tables = tables_of(prob)
    n = len(batch)
    levels = tables.levels
    n_ports = tables.n_ports
    offsets = np.zeros(1 + 4 * len(levels), dtype=np.int64)
    f_at = N_ROWS * n
    offsets[0] = f_at
    f_at += n * n_ports
    b_at = 3 * n
    for x, m in enumerate(levels):
        offsets[1 + 4 * x] = f_at
        offsets[2 + 4 * x] = f_at + n * m * 4
        offsets[3 + 4 * x] = f_at + 2 * n * m * 4
        offsets[4 + 4 * x] = b_at
        f_at += n * m * 9
        b_at += n * (m + 1)
    out_f = np.empty(f_at)
    out_b = np.empty(b_at, dtype=np.bool_)
    _kernel(
        _int64(batch.dim), _int64(batch.size), _int64(batch.n_loops), _int64(batch.cuts),
        *tables.arrays, offsets, out_f, out_b,
    )  # fmt: skip
    rows = out_f[: N_ROWS * n].reshape(N_ROWS, n)
    flags = out_b[: 3 * n].reshape(3, n)
    accesses, energy_per_dir, utilization, double_buffer = [], [], [], []
    for x, m in enumerate(levels):
        at = int(offsets[1 + 4 * x])
        accesses.append(out_f[at : at + n * m * 4].reshape(n, m, 4))
        energy_per_dir.append(out_f[at + n * m * 4 : at + 2 * n * m * 4].reshape(n, m, 4))
        utilization.append(out_f[at + 2 * n * m * 4 : at + n * m * 9].reshape(n, m))
        bt = int(offsets[4 + 4 * x])
        double_buffer.append(out_b[bt : bt + n * (m + 1)].reshape(n, m + 1))
    parts = LatencyParts(
        ideal_temporal=rows[R_IDEAL],
        stall_slack=rows[R_SS],
        onloading=rows[R_ON],
        offloading=rows[R_OFF],
        total0=rows[R_T0],
        total1=rows[R_T1],
        total2=rows[R_T2],
        port_ss=out_f[N_ROWS * n : N_ROWS * n + n * n_ports].reshape(n, n_ports),
        double_buffer=double_buffer,
        valid=flags[2],
    )
    return BatchResult(
        valid=flags[0],
        fits=flags[1],
        energy=rows[R_ENERGY],
        mac_energy=prob.mac_energy_total_pj,
        mem_energy=rows[R_MEM],
        latency=rows[R_LATENCY],
        parts=parts,
        accesses=accesses,
        energy_per_dir=energy_per_dir,
        utilization=utilization,
        total_cycles=rows[R_CYCLES],
    )
