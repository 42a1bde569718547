"""Per-operand data footprints and four-way data movement of a batch of temporal mappings (vectorised over N).

Every quantity of ZigZag's `TemporalMapping` and `Mapping` objects is expressed through prefix products of the
loop nest at cut points: the stationary merge-down moves each level's lower cut to the next relevant loop;
per-instance data sizes are tensor sizes of "all loops below a cut"; partially relevant loops telescope into
the derived-dim extent at that cut. Shapes: N candidates, L loop slots, D layer dims, M memory levels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from zigzag_opt.cost.batch import MappingBatch
from zigzag_opt.cost.problem import OperandTables, ProblemArrays, SpatialView

__all__ = ["LoopPrefix", "Movement", "OperandState", "loop_prefix", "movement", "operand_state"]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]
TL, FL, TH, FH = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class LoopPrefix:
    """`all[n, p]`: product of loops 0..p-1; `per_dim[n, p, d]`: the same restricted to dim d; p = 0..L."""

    all: F64
    per_dim: F64
    total: F64  # [N] total temporal cycles
    rows: I64  # [N] arange, for gathers


def loop_prefix(batch: MappingBatch, n_dims: int) -> LoopPrefix:
    size = batch.size.astype(np.float64)
    n = size.shape[0]
    ones = np.ones((n, 1))
    all_ = np.concatenate([ones, np.cumprod(size, axis=1)], axis=1)
    onehot = batch.dim[:, :, None] == np.arange(n_dims)[None, None, :]
    factors = np.where(onehot, size[:, :, None], 1.0)
    per_dim = np.concatenate([np.ones((n, 1, n_dims)), np.cumprod(factors, axis=1)], axis=1)
    rows = np.arange(n)
    return LoopPrefix(all=all_, per_dim=per_dim, total=all_[rows, batch.n_loops], rows=rows)


def _loop_mask(batch: MappingBatch, dim_mask: B1) -> B1:
    """[N, L]: loop l's dim is in `dim_mask` (padding is never)."""
    ext = np.append(dim_mask, False)
    return ext[batch.dim]  # dim -1 reads the appended False


def _next_not(mask: B1) -> I64:
    """[N, L+1]: the first position >= p whose loop is not in `mask` (L when none)."""
    n, width = mask.shape
    idx = np.where(mask, width, np.arange(width)[None, :])
    idx = np.concatenate([idx, np.full((n, 1), width)], axis=1)
    return np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1]


def _run_start(mask: B1) -> I64:
    """[N, L+1]: the start of the run of `mask` loops that ends just below position p."""
    n, width = mask.shape
    last_break = np.where(mask, -1, np.arange(width)[None, :])
    last_break = np.maximum.accumulate(last_break, axis=1)
    return np.concatenate([np.zeros((n, 1), dtype=np.int64), last_break + 1], axis=1)


@dataclass(frozen=True, slots=True)
class OperandState:
    """Temporal facts of one operand: `pos[n, ℓ]` = loops below arch level ℓ (ℓ = 0..M, after the merge-down),
    `cycles[n, ℓ]` = period of arch level ℓ, `top_r`/`top_ir[n, ℓ]` = outermost run of relevant / irrelevant loops
    of memory level ℓ-1 (1 at ℓ = 0), `oir_suffix[n, ℓ]` = product of output-irrelevant temporal loops at
    positions >= pos[ℓ] (output only), `last_oir[n]` = last position of such a loop (or -1)."""

    pos: I64
    cycles: F64
    top_r: F64
    top_ir: F64
    oir_suffix: F64
    last_oir: I64
    tsizes: F64  # [N, M+1, D] per-dim product of the temporal loops below arch level ℓ


def operand_state(batch: MappingBatch, pre: LoopPrefix, t: OperandTables, x: int, o_ir_mask: B1) -> OperandState:
    n_mem = t.n_levels
    ir = _loop_mask(batch, t.ir_mask)
    r = _loop_mask(batch, t.r_mask)
    nxt = _next_not(ir)
    rows = pre.rows
    cuts = batch.cuts[:, x, :n_mem]
    ends = np.empty((len(batch), n_mem), dtype=np.int64)
    for m in range(n_mem - 1):
        ends[:, m] = nxt[rows, cuts[:, m]]
    ends[:, n_mem - 1] = batch.n_loops
    pos = np.concatenate([np.zeros((len(batch), 1), dtype=np.int64), ends], axis=1)
    mac_cycles = pre.all[rows, nxt[:, 0]] if not t.is_output else np.ones(len(batch))
    cycles = np.concatenate([mac_cycles[:, None], pre.all[rows[:, None], ends]], axis=1)
    top_r = np.ones((len(batch), n_mem + 1))
    top_ir = np.ones((len(batch), n_mem + 1))
    for mask, out in ((r, top_r), (ir, top_ir)):
        start_of_run = _run_start(mask)
        for m in range(n_mem):
            lo = np.maximum(start_of_run[rows, ends[:, m]], pos[:, m])
            out[:, m + 1] = pre.all[rows, ends[:, m]] / pre.all[rows, lo]
    oir = _loop_mask(batch, o_ir_mask) & (batch.size > 1)
    oir_prefix = np.concatenate(
        [np.ones((len(batch), 1)), np.cumprod(np.where(oir, batch.size, 1).astype(np.float64), axis=1)], axis=1
    )
    oir_total = oir_prefix[rows, batch.n_loops]
    oir_suffix = oir_total[:, None] / oir_prefix[rows[:, None], pos]
    width = batch.dim.shape[1]
    last_oir = np.max(np.where(oir, np.arange(width)[None, :], -1), axis=1)
    tsizes = pre.per_dim[rows[:, None], pos, :]
    return OperandState(
        pos=pos, cycles=cycles, top_r=top_r, top_ir=top_ir, oir_suffix=oir_suffix, last_oir=last_oir, tsizes=tsizes
    )


@dataclass(frozen=True, slots=True)
class Movement:
    """One operand under one spatial view. Per arch level ℓ = 0..M: `elem`, `bits`, `effective_bits`, `prec`.
    Per memory level m and direction k (TL, FL, TH, FH): `amount`, `prec_dir`, `period`, `count`, `avg_bw`,
    `window` — all [N, M, 4]."""

    elem: F64
    bits: F64
    effective_bits: F64
    amount: F64
    prec_dir: F64
    period: F64
    count: F64
    avg_bw: F64
    window: F64


def _span(sa: int, a: F64, sb: int, b: F64) -> F64:
    g = math.gcd(sa, sb)
    span: F64 = a * b - np.maximum(0.0, b - sa // g) * (a - sb // g)
    return span


def _elements(st: OperandState, t: OperandTables, view: SpatialView) -> F64:
    """[N, M+1] per-instance elements held at each arch level: the tensor size of the loops below it (ZigZag's D)."""
    n_arch = st.tsizes.shape[1]
    sizes = st.tsizes * view.prefix[None, :n_arch, :]
    out = np.prod(sizes[:, :, t.r_index], axis=2)
    for a, ca, b, cb, total in t.pr:
        span = _span(ca, np.trunc(sizes[:, :, a]), cb, np.trunc(sizes[:, :, b]))
        out = out * np.minimum(float(total), span)
    rounded: F64 = np.round(out)
    return rounded


def movement(prob: ProblemArrays, pre: LoopPrefix, st: OperandState, t: OperandTables, view: SpatialView) -> Movement:
    n = len(pre.total)
    n_mem = t.n_levels
    elem = _elements(st, t, view)
    if t.is_output:
        # psum[ℓ]: an output-irrelevant loop sits at a level above ℓ, so level ℓ holds partial sums
        psum = np.zeros((n, n_mem + 1), dtype=bool)
        psum[:, :n_mem] = (st.last_oir[:, None] >= st.pos[:, :n_mem]) | view.ir_any_above[None, 1 : n_mem + 1]
        prec = np.where(psum, float(prob.o_partial_bits), float(prob.o_final_bits))
    else:
        prec = np.full((n, n_mem + 1), float(t.precision))
    bits = elem * prec
    effective = np.floor_divide(bits, st.top_r)
    boost = view.boost.astype(np.float64)[None, :n_mem]
    cyc = st.cycles
    raw = bits / cyc
    amount = np.zeros((n, n_mem, 4))
    prec_dir = np.zeros((n, n_mem, 4))
    period = np.zeros((n, n_mem, 4))
    count = np.zeros((n, n_mem, 4))
    avg = np.zeros((n, n_mem, 4))
    down, up = (FL, TH) if t.is_output else (TL, FH)
    amount[:, :, down] = np.trunc(elem[:, :n_mem] * boost) if t.is_output else elem[:, :n_mem] * boost
    amount[:, :, up] = elem[:, 1:]
    period[:, :, down] = np.trunc(cyc[:, :n_mem])
    period[:, :, up] = np.trunc(cyc[:, 1:])
    count[:, :, down] = np.floor_divide(pre.total[:, None], cyc[:, :n_mem])
    count[:, :, up] = np.floor_divide(pre.total[:, None], cyc[:, 1:])
    avg[:, :, down] = np.trunc(raw[:, :n_mem] * boost)
    avg[:, :, up] = np.trunc(raw[:, 1:])
    if t.is_output:
        _output_readback(prob, st, t, view, psum, amount, period, count, avg, prec_dir)
    else:
        prec_dir[:, :, TL] = prec_dir[:, :, FH] = t.precision
    scale = np.empty((n, n_mem, 4))
    scale[:, :, TL] = scale[:, :, FL] = np.trunc(st.top_ir[:, :n_mem])
    scale[:, :, TH] = scale[:, :, FH] = np.trunc(st.top_ir[:, 1:])
    window = np.trunc(period / scale)
    top = n_mem - 1  # the top level exchanges nothing with the world outside
    for arr in (amount, prec_dir, period, count, avg, window):
        arr[:, top, TH] = 0.0
        arr[:, top, FH] = 0.0
    return Movement(elem, bits, effective, amount, prec_dir, period, count, avg, window)


def _output_readback(
    prob: ProblemArrays,
    st: OperandState,
    t: OperandTables,
    view: SpatialView,
    psum: B1,
    amount: F64,
    period: F64,
    count: F64,
    avg: F64,
    prec_dir: F64,
) -> None:
    """Psum read-back links mirror the write links when the level (or the one above) holds partial sums; the
    precision of each output link follows whether read-backs happen at all (ZigZag's element-count rule)."""
    m = t.n_levels
    for low, src, flag in ((TL, FL, psum[:, :m]), (FH, TH, psum[:, 1 : m + 1])):
        for arr in (amount, period, count, avg):
            arr[:, :, low] = np.where(flag, arr[:, :, src], 0.0)
    caal_low = st.oir_suffix[:, :m] * view.ir_suffix_o[None, 1 : m + 1]
    caal_high = st.oir_suffix[:, 1 : m + 1] * view.ir_suffix_o[None, 2 : m + 2]
    low_active = np.trunc(t.size_elem * (caal_low - 1)) != 0
    high_active = np.trunc(t.size_elem * (caal_high - 1)) != 0
    part, final = float(prob.o_partial_bits), float(prob.o_final_bits)
    prec_dir[:, :, TL] = np.where(low_active, part, 0.0)
    prec_dir[:, :, FL] = np.where(low_active, part, final)
    prec_dir[:, :, TH] = np.where(high_active, part, final)
    prec_dir[:, :, FH] = np.where(high_active, part, 0.0)
