"""The cost model of `footprint`, `latency` and `model` as numba kernels: one candidate at a time, scalar arithmetic.

The numpy model evaluates a batch as a few hundred array operations, which costs ~3.5 ms for a single mapping
(per-operation overhead) and ~15 µs per mapping in large batches. Here the same equations run in one compiled loop
over the candidates, fed by flat tables packed once per `ProblemArrays` (`tables_of`). Every rounding rule of the
numpy model is kept operation for operation — `np.trunc`, numpy's floor division and remainder (`_fdiv`, `_mod`),
half-to-even rounding (`np.rint`), NaN-propagating `np.minimum`/`np.maximum` (`_min`, `_max`), stable orderings,
and numpy's pairwise summation where a float sum is not exact (`_pairwise_sum`) — so the results are the numpy
model's bit for bit, invalid candidates included (a cut or loop count beyond the loop nest makes a candidate
invalid in both). Two shortcuts change no number: the window union's
recursion, exponential in the number of links on a port, runs in O(k²) (`_count_below`), and the latency reuses
the energy's movement tables when no spatial unrolling is fractional (the two views are then equal).

Importing this module imports numba; the kernels compile on their first call (cached on disk, ``cache=True``).
`zigzag_opt.cost.model` imports it lazily.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

from zigzag_opt.cost.batch import MappingBatch
from zigzag_opt.cost.latency import LatencyParts
from zigzag_opt.cost.model import BatchResult, SingleResult
from zigzag_opt.cost.problem import ProblemArrays

__all__ = ["KernelTables", "evaluate_kernel", "tables_of"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]
_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(fn: _F) -> _F:
    """`numba.njit` with on-disk caching and numpy's floating-point error semantics (inf/NaN, no exceptions); the
    GIL is released (the kernels touch only the arrays they are given), so threads can evaluate in parallel."""
    return cast(_F, numba.njit(cache=True, error_model="numpy", nogil=True)(fn))


def _jit_inline(fn: _F) -> _F:
    """`_jit`, inlined into its callers by numba: for helpers called per candidate with many array arguments (a
    call costs reference-count updates per array argument; inlining everything would triple the compile time)."""
    return cast(_F, numba.njit(cache=True, error_model="numpy", inline="always")(fn))


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
CPO, DRAIN, O_PART, O_FINAL, MAC_PJ, SAME_VIEWS = 0, 1, 2, 3, 4, 5
# rows of the port scratch sf (float) and si (int)
S_PERIOD, S_ALLOWED, S_COUNT, S_PS, S_AS, S_PP, S_CC, S_STACK_Y, S_STACK_S, S_TOTALS, S_MINIMA, S_KEYS = range(12)
S_STACK_J, S_ORDER = 0, 1
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
def _exact_ints(a: float, b: float) -> bool:
    """a, b are integers with 0 <= a, 0 < b and a + b < 2^53: then floor(a / b) is the exact floor quotient
    (a non-integral quotient lies at least 1/b > ulp/2 from an integer), which numpy's divmod also returns."""
    return 0.0 <= a < 2.0**52 and 0.0 < b < 2.0**52 and np.floor(a) == a and np.floor(b) == b


@_jit
def _fdiv(a: float, b: float) -> float:
    """`np.floor_divide` on two floats."""
    if _exact_ints(a, b):
        q: float = np.floor(a / b)
        return q
    if b == 0.0:
        return a / b
    return _divmod(a, b)[0]


@_jit
def _mod(a: float, b: float) -> float:
    """`np.mod` on two floats."""
    if _exact_ints(a, b):
        r: float = a - np.floor(a / b) * b
        return r
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
        acc = 0.0
        for i in range(n):
            acc += a[start + i]
        return acc
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
    res: float = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[start + i]
        i += 1
    return res


# ------------------------------------------------------------------------------------------------------------------
# footprint.py: loop prefixes, operand state, movement
# ------------------------------------------------------------------------------------------------------------------


@_jit_inline
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


@_jit_inline
def _in_mask(mask: B1, x: int, dj: int) -> bool:
    """Loop of dim `dj` is in operand x's dim mask (padding, dim -1, never is)."""
    return 0 <= dj < mask.shape[1] and bool(mask[x, dj])


@_jit_inline
def _operand_state(
    dim: I64,
    cuts: I64,
    nl: int,
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


@_jit_inline
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


@_jit_inline
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


@_jit_inline
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


@_jit_inline
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
            cost = mem_lv[x, m, READ_PJ] if k in (TL, TH) else mem_lv[x, m, WRITE_PJ]
            out_f[base_a + m * 4 + k] = words
            out_f[base_e + m * 4 + k] = words * cost
    return ok, _pairwise_sum(out_f, base_e, n_mem * 4)


@_jit_inline
def _share(ind: F64, shared: F64, groups: I64) -> None:
    """Utilisation of a shared memory: the sum over the operands it holds (`model._utilization`)."""
    shared[:, :] = ind
    for g in range(groups.shape[0]):
        total = 0.0
        for j in range(groups[g, 0]):
            total = total + ind[groups[g, 1 + 2 * j], groups[g, 2 + 2 * j]]
        for j in range(groups[g, 0]):
            shared[groups[g, 1 + 2 * j], groups[g, 2 + 2 * j]] = total


@_jit_inline
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
def _count_below_tree(j: int, y: float, sf: F64, si: I64) -> float:
    """`latency._uncovered`'s count_below(j, y) term by term (2^j terms, explicit stack): cycles t < y uncovered
    by activities < j. Every term is an integer-valued float, inf or NaN, so the sum does not depend on its order."""
    total = 0.0
    top = 0
    si[S_STACK_J, 0], sf[S_STACK_Y, 0], sf[S_STACK_S, 0] = j, y, 1.0
    while top >= 0:
        cj, cy, cs = si[S_STACK_J, top], sf[S_STACK_Y, top], sf[S_STACK_S, top]
        top -= 1
        if cj == 0:
            total += cs * cy
            continue
        p = sf[S_PS, cj - 1]
        total += cs * (_fdiv(cy, p) * sf[S_PP, cj])
        z = _mod(cy, p)
        top += 1
        si[S_STACK_J, top], sf[S_STACK_Y, top], sf[S_STACK_S, top] = cj - 1, z, cs
        top += 1
        si[S_STACK_J, top], sf[S_STACK_Y, top], sf[S_STACK_S, top] = cj - 1, _min(sf[S_AS, cj - 1], z), -cs
    return total


@_jit
def _count_below(j: int, y: float, sf: F64) -> float:
    """count_below(j, y) in j steps, for finite windows: within(j, z) = count_below(j-1, z) - count_below(j-1,
    min(A, z)) is exactly 0 when z <= A and count_below(j-1, z) - cc[j] otherwise (cc[j] = count_below(j-1, A));
    all terms are integer-valued, so regrouping the sum changes no bit."""
    total: float = 0.0
    while j > 0:
        p = sf[S_PS, j - 1]
        z = _mod(y, p)
        total += _fdiv(y, p) * sf[S_PP, j]
        if z <= sf[S_AS, j - 1]:
            return total
        total -= sf[S_CC, j]
        y = z
        j -= 1
    return total + y


@_jit
def _uncovered(k: int, sf: F64, si: I64) -> float:
    """`latency._uncovered`: cycles t < P_k with t mod P_j >= A_j for every activity j, periods P sorted (rows
    S_PS, S_AS of sf). S_PP holds per_period(j); the term-by-term evaluation serves windows that are not finite
    (malformed cuts only)."""
    finite = True
    for j in range(k):
        finite = finite and np.isfinite(sf[S_AS, j]) and np.isfinite(sf[S_PS, j])
    for j in range(1, k + 1):
        p, a = sf[S_PS, j - 1], sf[S_AS, j - 1]
        if finite:
            sf[S_CC, j] = _count_below(j - 1, a, sf)
            sf[S_PP, j] = _count_below(j - 1, p, sf) - _count_below(j - 1, _min(a, p), sf)
        else:
            hi = _count_below_tree(j - 1, p, sf, si)
            sf[S_PP, j] = hi - _count_below_tree(j - 1, _min(a, p), sf, si)
    out: float = sf[S_PP, k]
    return out


@_jit
def _window_union(k: int, sf: F64, si: I64) -> tuple[float, bool]:
    """`latency._window_union` for one candidate's k links of one port (rows S_PERIOD, S_ALLOWED, S_COUNT of sf;
    a link is active when its count is > 0)."""
    for j in range(k):
        if sf[S_COUNT, j] > 0.0 and sf[S_PERIOD, j] == sf[S_ALLOWED, j]:
            return sf[S_PERIOD, j] * sf[S_COUNT, j], True  # the early return: some activity may always transfer
    longest = 0
    best = sf[S_PERIOD, 0] if sf[S_COUNT, 0] > 0.0 else -1.0
    for j in range(1, k):
        key = sf[S_PERIOD, j] if sf[S_COUNT, j] > 0.0 else -1.0
        if key > best:
            best, longest = key, j
    p_max = sf[S_PERIOD, longest]
    divides = True
    for j in range(k):
        active = sf[S_COUNT, j] > 0.0
        sf[S_PS, j] = sf[S_PERIOD, j] if active else 1.0
        sf[S_AS, j] = sf[S_ALLOWED, j] if active else 0.0
        if _mod(p_max, sf[S_PS, j]) != 0.0:
            divides = False
    for j in range(1, k):  # stable insertion sort by period
        pj, aj = sf[S_PS, j], sf[S_AS, j]
        i = j - 1
        while i >= 0 and sf[S_PS, i] > pj:
            sf[S_PS, i + 1], sf[S_AS, i + 1] = sf[S_PS, i], sf[S_AS, i]
            i -= 1
        sf[S_PS, i + 1], sf[S_AS, i + 1] = pj, aj
    chain_ok = True
    for j in range(1, k):
        if _mod(sf[S_PS, j], sf[S_PS, j - 1]) != 0.0:
            chain_ok = False
    uncovered = _uncovered(k, sf, si)
    return (p_max - uncovered) * sf[S_COUNT, longest], divides and chain_ok


@_jit
def _port_stall_slack(
    n: int,
    vi: int,
    ports_i: I64,
    links: I64,
    mv: F64,
    real: F64,
    allowed: F64,
    cpo: float,
    out_f: F64,
    at: int,
    sf: F64,
    si: I64,
) -> tuple[float, bool]:
    """`latency._port_stall_slack` for candidate n: writes port_ss[n, :] at out_f[at:]; returns the maximum over the
    ports (-inf without ports) and whether the model is defined."""
    n_ports = ports_i.shape[0]
    valid = True
    worst = -np.inf
    for p in range(n_ports):
        first, k = ports_i[p, 0], ports_i[p, 1]
        value = 0.0
        if k > 0:
            pos_ss, neg_ss, sum_ss, sum_muw = 0.0, 0.0, 0.0, 0.0
            n_active = 0
            for j in range(k):
                x, m, d = links[first + j, 0], links[first + j, 1], links[first + j, 2]
                c = mv[vi, x, m, d, COUNT]
                a = allowed[x, m, d]
                sf[S_PERIOD, j] = np.ceil(mv[vi, x, m, d, PERIOD] * cpo)
                sf[S_ALLOWED, j] = a
                sf[S_COUNT, j] = c
                ss, muw = 0.0, 0.0
                if c > 0.0:
                    ss = (real[x, m, d] - a) * (c - 1.0)
                    muw = a * (c - 1.0)
                    n_active += 1
                sum_ss += ss
                sum_muw += muw
                if ss > 0.0:
                    pos_ss += ss
                if ss <= 0.0:
                    neg_ss += ss
            if n_active == 1:
                value = sum_ss
            elif n_active > 1:
                union, defined = _window_union(k, sf, si)
                value = pos_ss + _max(0.0, neg_ss + sum_muw - union)
                valid = valid and defined
        out_f[at + n * n_ports + p] = value
        worst = value if p == 0 else _max(worst, value)
    return worst, valid


@_jit
def _loading(
    vi: int, ports_i: I64, links: I64, port_bw: F64, mv: F64, lv_tab: F64, real: F64, cpo: float, compute: float,
    loading: F64, sf: F64, si: I64,
) -> None:  # fmt: skip
    """`latency._loading_cycles`: per link the cycles it needs before computing starts / after it ends. Links used
    once are shortened longest first (stable ties), each down to its minimum, within the port's spare bandwidth."""
    loading[:, :, :] = 0.0
    for p in range(ports_i.shape[0]):
        first, k = ports_i[p, 2], ports_i[p, 3]
        if k == 0:
            continue
        bw = port_bw[p]
        busy = 0.0
        for j in range(k):
            x, m, d = links[first + j, 0], links[first + j, 1], links[first + j, 2]
            c = mv[vi, x, m, d, COUNT]
            busy += np.ceil(mv[vi, x, m, d, AVG] / cpo) if c > 1.0 else 0.0
            sf[S_TOTALS, j] = real[x, m, d]
            sf[S_MINIMA, j] = np.ceil(lv_tab[vi, x, 1, BITS] / bw)
            sf[S_KEYS, j] = -real[x, m, d] if c == 1.0 else np.inf
            sf[S_COUNT, j] = c
        surplus = _max(0.0, (bw - busy) / bw * compute)
        for j in range(k):  # stable argsort of the keys (insertion sort)
            i = j - 1
            while i >= 0 and sf[S_KEYS, si[S_ORDER, i]] > sf[S_KEYS, j]:
                si[S_ORDER, i + 1] = si[S_ORDER, i]
                i -= 1
            si[S_ORDER, i + 1] = j
        budget = surplus
        for i in range(k):
            j = si[S_ORDER, i]
            x, m, d = links[first + j, 0], links[first + j, 1], links[first + j, 2]
            c, tot = sf[S_COUNT, j], sf[S_TOTALS, j]
            cut = _min(_max(0.0, tot - sf[S_MINIMA, j]), budget) if c == 1.0 and budget > 0.0 else 0.0
            budget = budget - cut
            loading[x, m, d] = tot - cut if c == 1.0 else (tot if c > 1.0 else 0.0)


@_jit_inline
def _onloading(op_i: I64, loading: F64, shared_in: B1) -> float:
    """`latency._onloading`: the initial fill of the inputs (series on ports both inputs share)."""
    ia, ha, sa, ib, hb, sb = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    n_in = 0
    for x in range(op_i.shape[0]):
        if op_i[x, 1] or n_in == 2:
            continue
        ind, half, sh = 0.0, 0.0, 0.0
        for m in range(op_i[x, 0] - 1):
            longest = _max(loading[x, m, FH], loading[x, m + 1, TL])
            s1, s2 = shared_in[x, m, FH], shared_in[x, m + 1, TL]
            if s1 and s2:
                sh = sh + longest
            elif not s1 and not s2:
                ind = ind + longest
            else:
                half = longest
        if n_in == 0:
            ia, ha, sa = ind, half, sh
        else:
            ib, hb, sb = ind, half, sh
        n_in += 1
    if n_in == 1:
        return ia
    return _min(sa + _max(sb + hb + ib, ha + ia), sb + _max(sa + ha + ia, hb + ib))


@_jit_inline
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


@_jit_inline
def _structure_ok(cuts: I64, n_loops: I64, n: int, nl: int, op_i: I64, per_dim: F64, dim_f: F64) -> bool:
    """`model._structure_ok` for candidate n (`nl`: its loop count as an index into the prefix tables)."""
    for d in range(per_dim.shape[1]):
        final = per_dim[nl, d]
        if final != dim_f[0, d] and final != dim_f[1, d]:
            return False
    for x in range(op_i.shape[0]):
        n_mem = op_i[x, 0]
        if cuts[n, x, 0] < 0 or cuts[n, x, n_mem - 1] != n_loops[n]:
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
    ports_i: I64,
    links: I64,
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
    k_max = 1
    for p in range(ports_i.shape[0]):
        k_max = max(k_max, ports_i[p, 1], ports_i[p, 3])
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
    sf = np.zeros((12, k_max + 2))
    si = np.zeros((2, k_max + 2), dtype=np.int64)
    port_off = offsets[0]
    # the integer spatial view (latency) is the fractional one (energy) unless some unrolling is fractional
    n_views = 1 if consts[SAME_VIEWS] != 0.0 else 2
    vi = n_views - 1
    for n in range(n_cand):
        last_oir = _loop_tables(dim, size, n, o_ir, all_, per_dim, oir_pre)
        nl = n_loops[n]
        if nl < 0:  # numpy's negative indexing (a malformed, invalid candidate)
            nl += width + 1
        nl_ok = 0 <= nl <= width  # beyond the loop nest: invalid (`model._indexable`)
        nl = min(max(nl, 0), width)
        total = all_[nl]
        mem_energy = 0.0
        ports_ok = True
        for x in range(n_ops):
            n_mem = op_i[x, 0]
            is_out = op_i[x, 1] != 0
            _operand_state(
                dim, cuts, nl, n, x, n_mem, is_out, r_mask, ir_mask, all_, oir_pre,
                pos, cyc, top_r, top_ir, oir_suf, nxt, start_r, start_ir,
            )  # fmt: skip
            for v in range(n_views):
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
        _share(ind, util, groups)
        _share(eff, eff_sh, groups)
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
                    amount_bits = mv[vi, x, m, d, AMOUNT] * mv[vi, x, m, d, PREC]
                    real[x, m, d] = np.ceil(amount_bits / bw) if bw > 0.0 else 0.0
                    flag = db[x, m] if d < TH else db[x, m + 1]
                    allowed[x, m, d] = np.ceil((mv[vi, x, m, d, PERIOD] if flag else mv[vi, x, m, d, WINDOW]) * cpo)
        worst, lat_valid = _port_stall_slack(n, vi, ports_i, links, mv, real, allowed, cpo, out_f, port_off, sf, si)
        ss_comb = _max(0.0, worst) if ports_i.shape[0] > 0 else 0.0
        compute = np.ceil(total * cpo) + ss_comb
        _loading(vi, ports_i, links, port_bw, mv, lv_tab, real, cpo, compute, loading, sf, si)
        onload = _onloading(op_i, loading, shared_in)
        offload = _offloading(op_i, loading)
        ideal = total * cpo
        total0 = ideal + ss_comb
        total1 = total0 + onload
        total2 = total1 + offload + consts[DRAIN]
        valid = nl_ok and _structure_ok(cuts, n_loops, n, nl, op_i, per_dim, dim_f) and ports_ok and lat_valid
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
class _Layout:
    """Where the kernel writes the results of N candidates (see `evaluate_kernel`): `offsets` as the kernel reads
    them, buffer sizes, and each result array as (start, stop, shape) in its buffer."""

    offsets: I64
    f_size: int
    b_size: int
    port_ss: tuple[int, int, tuple[int, ...]]
    accesses: tuple[tuple[int, int, tuple[int, ...]], ...]
    energy_per_dir: tuple[tuple[int, int, tuple[int, ...]], ...]
    utilization: tuple[tuple[int, int, tuple[int, ...]], ...]
    double_buffer: tuple[tuple[int, int, tuple[int, ...]], ...]


@dataclass(frozen=True, slots=True)
class KernelTables:
    """The problem's constants as the kernel reads them (see `tables_of`). `arrays` is the kernel's argument tuple
    after the batch; `levels[x]` is operand x's memory level count; `n_ports` the number of ports; `layouts` caches
    the output layout per batch size."""

    arrays: tuple[npt.NDArray[Any], ...]
    levels: tuple[int, ...]
    n_ports: int
    layouts: dict[int, _Layout]

    def layout(self, n: int) -> _Layout:
        out = self.layouts.get(n)
        if out is None:
            if len(self.layouts) >= 16:
                self.layouts.clear()
            out = self.layouts[n] = _layout(n, self.levels, self.n_ports)
        return out


@functools.lru_cache(maxsize=1024)  # shared by every problem with the same level counts and ports (never written)
def _layout(n: int, levels: tuple[int, ...], n_ports: int) -> _Layout:
    offsets = np.zeros(1 + 4 * len(levels), dtype=np.int64)
    f_at = offsets[0] = N_ROWS * n
    port_ss = (f_at, f_at + n * n_ports, (n, n_ports))
    f_at += n * n_ports
    b_at = 3 * n
    acc, epd, util, db = [], [], [], []
    for x, m in enumerate(levels):
        offsets[1 + 4 * x : 5 + 4 * x] = (f_at, f_at + n * m * 4, f_at + 2 * n * m * 4, b_at)
        acc.append((f_at, f_at + n * m * 4, (n, m, 4)))
        epd.append((f_at + n * m * 4, f_at + 2 * n * m * 4, (n, m, 4)))
        util.append((f_at + 2 * n * m * 4, f_at + n * m * 9, (n, m)))
        db.append((b_at, b_at + n * (m + 1), (n, m + 1)))
        f_at += n * m * 9
        b_at += n * (m + 1)
    return _Layout(offsets, f_at, b_at, port_ss, tuple(acc), tuple(epd), tuple(util), tuple(db))


def tables_of(prob: ProblemArrays) -> KernelTables:
    """The packed tables of `prob`, computed once (by `compile_problem`, or here on first use) and kept on the problem
    (`ProblemArrays.kernel_cache`)."""
    cached = prob.kernel_cache.get("tables")
    if cached is None:
        cached = prob.kernel_cache["tables"] = _pack(prob)
    out: KernelTables = cached
    return out


def _pack(prob: ProblemArrays) -> KernelTables:
    """Pack the problem's tables (numpy slices where the data is numpy, lists where it is Python)."""
    ops = prob.operands
    n_ops, n_dims = len(ops), len(prob.dims)
    m_max = max(t.n_levels for t in ops)
    n_pr = max([len(t.pr) for t in ops] + [1])
    prefix = np.ones((2, n_ops, m_max + 2, n_dims))
    view_lv = np.zeros((2, n_ops, m_max + 2, 4))
    mem_lv = np.zeros((n_ops, m_max, 11))
    masks = np.zeros((n_ops, 2, n_dims), dtype=np.bool_)
    r_index = np.zeros((n_ops, n_dims), dtype=np.int64)
    pr_dims, pr_f = [[0, 0]] * (n_ops * n_pr), [[0.0] * 3] * (n_ops * n_pr)
    for x, t in enumerate(ops):
        m = t.n_levels
        masks[x, 0], masks[x, 1] = t.r_mask, t.ir_mask
        r_index[x, : len(t.r_index)] = t.r_index
        for j, (a, ca, b, cb, total) in enumerate(t.pr):
            g = math.gcd(ca, cb)
            pr_dims[x * n_pr + j], pr_f[x * n_pr + j] = [a, b], [ca // g, cb // g, float(total)]
        for v, view in enumerate((t.frac, t.integer)):
            prefix[v, x, : m + 2] = view.prefix
            lv = view_lv[v, x].T  # field-major view: one assignment per field
            lv[UNITS, : m + 1], lv[BOOST, : m + 1] = view.unit_count, view.boost
            lv[IR_SUFFIX, : m + 2], lv[IR_ANY, : m + 2] = view.ir_suffix_o, view.ir_any_above
        mem = mem_lv[x].T
        mem[SIZE_BITS, :m], mem[READ_PJ, :m], mem[WRITE_PJ, :m] = t.size_bits, t.read_pj, t.write_pj
        mem[BW_MIN : BW_MIN + 4, :m], mem[BW_MAX : BW_MAX + 4, :m] = t.bw_min.T, t.bw_max.T
    op_i = [[t.n_levels, int(t.is_output), len(t.r_index), len(t.pr)] for t in ops]
    op_f = [[float(t.precision), t.size_elem] for t in ops]
    dim_f = [float(prob.temporal_sizes.get(d, 1)) for d in prob.dims]
    dim_f += [float(prob.exact_temporal_sizes.get(d, 1)) for d in prob.dims]
    same_views = np.array_equal(prefix[0], prefix[1]) and np.array_equal(view_lv[0], view_lv[1])
    consts = [
        prob.cycles_per_op,
        prob.systolic_drain,
        float(prob.o_partial_bits),
        float(prob.o_final_bits),
        prob.mac_energy_total_pj,
        float(same_views),
    ]
    arrays: tuple[npt.NDArray[Any], ...] = (
        np.array(op_i, dtype=np.int64),
        masks,
        r_index,
        np.array(pr_dims, dtype=np.int64).reshape(n_ops, n_pr, 2),
        np.array(pr_f).reshape(n_ops, n_pr, 3),
        prefix,
        view_lv,
        mem_lv,
        np.array(op_f),
        np.array(dim_f).reshape(2, n_dims),
        *_pack_groups(prob, m_max),
        *_pack_ports(prob, m_max),
        np.array(consts),
    )
    levels = tuple(t.n_levels for t in ops)
    return KernelTables(
        arrays=arrays, levels=levels, n_ports=len(prob.ports), layouts={1: _layout(1, levels, len(prob.ports))}
    )


def _pack_groups(prob: ProblemArrays, m_max: int) -> tuple[I64, I64]:
    """`group_of[x, m]`: the first sharing group holding (x, m), or -1; `groups[g]`: length, then (x, m) pairs."""
    first: dict[tuple[int, int], int] = {}
    width = 1 + 2 * max([len(g) for g in prob.sharing_groups] + [0])
    rows: list[int] = []
    for g, group in enumerate(prob.sharing_groups):
        row = [len(group), *(v for pair in group for v in pair)]
        rows += row + [0] * (width - len(row))
        for pair in group:
            first.setdefault(pair, g)
    group_of = [first.get((x, m), -1) for x in range(len(prob.operands)) for m in range(m_max)]
    return (
        np.array(group_of, dtype=np.int64).reshape(len(prob.operands), m_max),
        np.array(rows, dtype=np.int64).reshape(len(prob.sharing_groups), width),
    )


def _pack_ports(prob: ProblemArrays, m_max: int) -> tuple[I64, I64, F64, B1]:
    """Per port `ports_i[p]`: (first, count) of the links that can move data (stall/slack), then (first, count) of
    the links that load (not the output's read-backs), as rows of `links` (operand, level, direction); the ports'
    bandwidths; `shared_in[x, m, d]`: the link's (last) port is shared by both inputs."""
    ops = prob.operands
    ports_i: list[int] = []
    links: list[tuple[int, int, int]] = []
    shared: dict[tuple[int, int, int], bool] = {}
    for port in prob.ports:
        stall = [(x, m, k) for x, m, k in port.links if not (m == ops[x].n_levels - 1 and k in (TH, FH))]
        load = [(x, m, k) for x, m, k in port.links if not (ops[x].is_output and k in (TL, FH))]
        ports_i += [len(links), len(stall), len(links) + len(stall), len(load)]
        links += stall + load
        shared.update(dict.fromkeys(port.links, port.shared_by_inputs))
    shared_in = np.zeros((len(ops), m_max, 4), dtype=np.bool_)
    if shared:
        shared_in[tuple(np.array(list(shared)).T)] = list(shared.values())
    return (
        np.array(ports_i, dtype=np.int64).reshape(len(prob.ports), 4),
        np.array(links, dtype=np.int64).reshape(len(links), 3),
        np.array([p.bw_max for p in prob.ports], dtype=np.float64),
        shared_in,
    )


def _launch(prob: ProblemArrays, batch: MappingBatch) -> tuple[_Layout, F64, B1]:
    """Check the batch's shapes, run the kernel on it and return the output layout and buffers."""
    tables = tables_of(prob)
    n, width = batch.dim.shape
    if batch.size.shape != (n, width) or batch.n_loops.shape != (n,) or batch.cuts.shape[:2] != (n, len(tables.levels)):
        raise ValueError("malformed MappingBatch: dim, size [N, L], n_loops [N], cuts [N, operands, levels] disagree")
    if batch.cuts.shape[2] < max(tables.levels):
        raise ValueError(f"MappingBatch.cuts holds {batch.cuts.shape[2]} levels; the problem has {max(tables.levels)}")
    lay = tables.layout(n)
    out_f = np.empty(lay.f_size)
    out_b = np.empty(lay.b_size, dtype=np.bool_)
    args: tuple[npt.NDArray[Any], ...] = (
        np.ascontiguousarray(batch.dim, dtype=np.int64),
        np.ascontiguousarray(batch.size, dtype=np.int64),
        np.ascontiguousarray(batch.n_loops, dtype=np.int64),
        np.ascontiguousarray(batch.cuts, dtype=np.int64),
        *tables.arrays,
        lay.offsets,
        out_f,
        out_b,
    )
    _kernel(*args)
    return lay, out_f, out_b


def evaluate_kernel(prob: ProblemArrays, batch: MappingBatch) -> BatchResult:
    """`model.evaluate_numpy`'s results, computed by the compiled kernel.

    Output layout: one float buffer holding 11 rows of [N] (mem_energy, energy, latency, the latency parts,
    total cycles), then port_ss [N, P], then per operand accesses [N, M, 4], energy per direction [N, M, 4] and
    utilisation [N, M]; one bool buffer holding valid, fits and the latency model's validity [N], then per
    operand the double-buffer flags [N, M+1]. Every array of the result is a contiguous view into them.
    """
    lay, out_f, out_b = _launch(prob, batch)
    n = batch.dim.shape[0]
    rows = out_f[: N_ROWS * n].reshape(N_ROWS, n)
    flags = out_b[: 3 * n].reshape(3, n)
    a, b, shape = lay.port_ss
    parts = LatencyParts(
        ideal_temporal=rows[R_IDEAL],
        stall_slack=rows[R_SS],
        onloading=rows[R_ON],
        offloading=rows[R_OFF],
        total0=rows[R_T0],
        total1=rows[R_T1],
        total2=rows[R_T2],
        port_ss=out_f[a:b].reshape(shape),
        double_buffer=[out_b[a:b].reshape(shape) for a, b, shape in lay.double_buffer],
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
        accesses=[out_f[a:b].reshape(shape) for a, b, shape in lay.accesses],
        energy_per_dir=[out_f[a:b].reshape(shape) for a, b, shape in lay.energy_per_dir],
        utilization=[out_f[a:b].reshape(shape) for a, b, shape in lay.utilization],
        total_cycles=rows[R_CYCLES],
    )


def evaluate_kernel_single(prob: ProblemArrays, batch: MappingBatch) -> SingleResult:
    """`SingleResult.from_batch(evaluate_kernel(prob, batch), 0)` for a one-mapping batch, converting the kernel's
    output buffer to Python numbers in one call instead of viewing it as arrays first."""
    if batch.dim.shape[0] != 1:
        raise ValueError("evaluate_kernel_single takes a batch of one mapping")
    lay, out_f, out_b = _launch(prob, batch)
    f = out_f.tolist()
    return SingleResult(
        valid=bool(out_b[0]),
        mac_energy=prob.mac_energy_total_pj,
        mem_energy=f[R_MEM],
        latency_parts=(f[R_IDEAL], f[R_SS], f[R_ON], f[R_OFF], f[R_T0], f[R_T1], f[R_T2]),
        accesses=[f[a:b] for a, b, _ in lay.accesses],
        energy_per_dir=[f[a:b] for a, b, _ in lay.energy_per_dir],
        utilization=[f[a:b] for a, b, _ in lay.utilization],
    )
