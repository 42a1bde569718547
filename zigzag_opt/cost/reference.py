"""The executable specification: a slow, scalar evaluator of one mapping, written like the equations.

It follows ZigZag 3.9.1's cost model (reference §3) step by step, including its rounding and truncation:
per-operand spatial loops attached to memory levels by served dims, the stationary merge-down of irrelevant
loops, partially-relevant loop decoupling, four-way data movement per memory level, word accesses at bandwidth
granularity, MAC + memory energy, and the uniform latency model (double-buffer flags, per-port stall/slack,
on/offloading, systolic drain). The vectorised model in `cost.model` must agree with this to the last bit
that matters; both are held equal to ZigZag by the differential tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from zigzag_opt.cost.imc import layer_energy_breakdown
from zigzag_opt.hardware.accelerator import Core
from zigzag_opt.hardware.memory import Direction, MemOperand, Memory
from zigzag_opt.mapping.spatial import (
    DEFAULT_LINKS,
    OperandLinks,
    SpatialMapping,
    greedy_unrolling,
    unrolling_per_level,
)
from zigzag_opt.mapping.temporal import TemporalMapping
from zigzag_opt.workload.layer import Layer, Operand, derived_span

__all__ = ["ReferenceResult", "evaluate_reference", "systolic_drain"]

Loops = list[tuple[str, float]]
DIRS = (Direction.RD_OUT_TO_LOW, Direction.WR_IN_BY_LOW, Direction.RD_OUT_TO_HIGH, Direction.WR_IN_BY_HIGH)
TL, FL, TH, FH = DIRS


@dataclass
class ReferenceResult:
    """Everything the reference computes for one mapping. Per-operand lists are indexed by memory level."""

    energy_total: float
    mac_energy: float
    mem_energy: float
    mem_energy_per_level: dict[Operand, list[float]]
    mem_energy_per_dir: dict[Operand, list[dict[Direction, float]]]
    accesses: dict[Operand, list[dict[Direction, int]]]
    utilization: dict[Operand, list[float]]
    ideal_cycle: float
    ideal_temporal_cycle: float
    stall_slack_comb: float
    data_onloading: float
    data_offloading: float
    systolic_drain: float
    latency_total0: float
    latency_total1: float
    latency_total2: float
    mac_spatial_utilization: float
    double_buffer: dict[Operand, list[bool]]
    port_stall_slack: dict[str, float] = field(default_factory=dict)
    stationary_levels: dict[Operand, list[Loops]] = field(default_factory=dict)


# ----------------------------------------------------------------------------------------------------
# Relevance (ZigZag's loop_relevancy_info and its pr-decoupled variant)
# ----------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Relevance:
    r: frozenset[str]
    ir: frozenset[str]
    pr: dict[str, tuple[str, ...]]  # derived dim -> the loop dims it depends on (in relation order)

    @property
    def r_dec(self) -> frozenset[str]:
        return self.r | {f"{d}_r" for d in self.pr}

    @property
    def ir_dec(self) -> frozenset[str]:
        return self.ir | {f"{d}_ir" for d in self.pr}


def _relevance(layer: Layer, op: Operand) -> _Relevance:
    idx = layer.indices(op)
    derived = layer.derived_dims(op)
    if derived:
        pr = {rel.derived: tuple(d for d, _ in rel.terms) for rel in layer.relations}
        in_pr = set(pr) | {d for dims in pr.values() for d in dims}
        r = frozenset(d for d in idx if d not in in_pr)
        ir = frozenset(d for d in layer.dims if d not in idx and d not in in_pr and layer.size(d) != 1)
        return _Relevance(r, ir, pr)
    r = frozenset(d for d in idx if layer.size(d) != 1)
    ir = frozenset(d for d in layer.dims if d not in idx and layer.size(d) != 1)
    return _Relevance(r, ir, {})


def _pr_extent(layer: Layer, derived: str, sizes: dict[str, float]) -> int:
    """ZigZag's calc_tensor_dim for a derived dim: span at the (truncated) component sizes, clipped to the total."""
    rel = layer.relation(derived)
    assert rel is not None  # only called for derived dims of the layer
    (da, sa), (db, sb) = rel.terms
    return min(layer.pr_total(derived), derived_span(sa, int(sizes.get(da, 1)), sb, int(sizes.get(db, 1))))


def _decouple_pr(levels: list[Loops], layer: Layer, rel: _Relevance) -> list[Loops]:
    """Replace every partially relevant loop by (D_r, data growth) followed by (D_ir, sliding-window reuse)."""
    if not rel.pr:
        return [list(level) for level in levels]
    known = rel.r | rel.ir
    cum: dict[str, dict[str, float]] = {d: dict.fromkeys(deps, 1.0) for d, deps in rel.pr.items()}
    prev_size: dict[str, float] = dict.fromkeys(rel.pr, 1.0)
    prev_reuse: dict[str, float] = dict.fromkeys(rel.pr, 1.0)
    out: list[Loops] = []
    for level in levels:
        new: Loops = []
        for dim, size in level:
            target = None if dim in known else next((d for d, deps in rel.pr.items() if dim in deps), None)
            if target is None:
                new.append((dim, size))
                continue
            cum[target][dim] *= size
            extent = _pr_extent(layer, target, cum[target])
            reuse = math.prod(cum[target].values()) / extent
            new.append((f"{target}_r", extent / prev_size[target]))
            new.append((f"{target}_ir", reuse / prev_reuse[target]))
            prev_size[target], prev_reuse[target] = extent, reuse
        out.append(new)
    return out


# ----------------------------------------------------------------------------------------------------
# Spatial mapping per operand per architecture level
# ----------------------------------------------------------------------------------------------------
# ----------------------------------------------------------------------------------------------------
# Temporal mapping: stationary merge-down
# ----------------------------------------------------------------------------------------------------
def _stationary(levels: list[Loops], ir: frozenset[str]) -> tuple[list[Loops], float]:
    """Move the innermost irrelevant loops of each level down until nothing moves; return the new levels and
    the product of the irrelevant loops left at the bottom of level 0 (the MAC-level stationary cycles)."""
    current = [list(level) for level in levels]
    while True:
        new: list[Loops] = [[] for _ in current]
        mac_st = 1.0
        for m, level in enumerate(current):
            i = 0
            while i < len(level) and level[i][0] in ir:
                if m == 0:
                    mac_st *= level[i][1]
                    new[0].append(level[i])
                else:
                    new[m - 1].append(level[i])
                i += 1
            new[m].extend(level[i:])
        if new == current:
            return new, mac_st
        current = new


def _top_loop_product(level: Loops, dims: frozenset[str]) -> float:
    out = 1.0
    for dim, size in reversed(level):
        if dim not in dims:
            break
        out *= size
    return out


# ----------------------------------------------------------------------------------------------------
# Per-operand mapping view (ZigZag's Mapping object)
# ----------------------------------------------------------------------------------------------------
@dataclass
class _Move:
    amount: dict[Direction, float]
    precision: dict[Direction, int]
    period: dict[Direction, int]
    count: dict[Direction, int]
    avg_bw: dict[Direction, int]
    window: dict[Direction, int]


@dataclass
class _View:
    unit_count: list[int]
    unit_unique: list[float]
    boost: list[int]
    data_elem: list[int]  # per-instance elements, arch levels 0..M
    data_bit: list[int]
    effective_bit: list[float]
    moves: list[_Move]


def _prod(loops: Loops, dims: frozenset[str]) -> float:
    return math.prod(s for d, s in loops if d in dims)


def _view(
    layer: Layer,
    op: Operand,
    is_output: bool,
    spatial_lv: list[Loops],
    stationary: list[Loops],
    mac_st: float,
    rel: _Relevance,
    total_cycles: float,
) -> _View:
    n_mem = len(stationary)
    s_dec = _decouple_pr(spatial_lv, layer, rel)
    totals = [math.prod(s for _, s in lv) for lv in s_dec]
    unit_count = [round(round(math.prod(totals[lv:]), 3)) for lv in range(n_mem + 1)]
    r_sp = [_prod(lv, rel.r_dec) for lv in s_dec]
    unit_unique = [math.prod(r_sp[lv:]) for lv in range(n_mem + 1)]
    boost = [round(unit_unique[lv] / unit_unique[lv + 1]) for lv in range(n_mem)] + [1]

    tm_seed: list[Loops] = [[], *stationary, []]
    c1 = _decouple_pr([tm_seed[lv] + spatial_lv[lv] for lv in range(n_mem + 1)], layer, rel)
    c2 = _decouple_pr([[]] + [tm_seed[lv + 1] + spatial_lv[lv] for lv in range(n_mem + 1)], layer, rel)[: n_mem + 1]
    # psum flags (output only): level m holds partial sums if an irrelevant loop sits at any arch level above it
    ir_flag = [any(d in rel.ir_dec and s > 1 for d, s in lv) for lv in c1]
    psum = [any(ir_flag[m + 1 :]) for m in range(n_mem)] + [False]
    prec = [
        (layer.precision.o_partial_bits if psum[lv] else layer.precision.o_final_bits)
        if is_output
        else layer.precision.bits(op)
        for lv in range(n_mem + 1)
    ]
    r2_cabl = [round(math.prod(_prod(c2[i], rel.r_dec) for i in range(lv + 1))) for lv in range(n_mem + 1)]
    data_elem = [round(x) for x in r2_cabl]
    data_bit = [data_elem[lv] * prec[lv] for lv in range(n_mem + 1)]
    top_r = [1.0] + [_top_loop_product(lv, rel.r) for lv in stationary]
    top_ir = [1.0] + [_top_loop_product(lv, rel.ir) for lv in stationary]
    effective_bit = [data_bit[lv] // top_r[lv] for lv in range(n_mem + 1)]

    ir1 = [_prod(lv, rel.ir_dec) for lv in c1]
    ir_caal = [math.prod(ir1[lv:]) for lv in range(n_mem + 1)] + [1.0, 1.0]
    size_elem = layer.tensor_elements(op)
    cabl = [math.prod(math.prod(s for _, s in stationary[i]) for i in range(m + 1)) for m in range(n_mem)]
    cyc = [1.0 if is_output else mac_st, *cabl]
    moves = []
    for m in range(n_mem):
        low_raw = data_elem[m] * prec[m] / cyc[m]
        high_raw = low_raw * boost[m]
        up_raw = data_elem[m + 1] * prec[m + 1] / cyc[m + 1]
        amount = {TL: data_elem[m] * boost[m], FL: 0.0, TH: 0.0, FH: float(data_elem[m + 1])}
        period = {TL: int(cyc[m]), FL: 0, TH: 0, FH: int(cyc[m + 1])}
        count = {TL: int(total_cycles // cyc[m]), FL: 0, TH: 0, FH: int(total_cycles // cyc[m + 1])}
        avg = {TL: int(high_raw), FL: 0, TH: 0, FH: int(up_raw)}
        if is_output:
            amount = {FL: int(data_elem[m] * boost[m]), TH: float(data_elem[m + 1])}
            period = {FL: int(cyc[m]), TH: int(cyc[m + 1])}
            count = {FL: int(total_cycles // cyc[m]), TH: int(total_cycles // cyc[m + 1])}
            avg = {FL: int(high_raw), TH: int(up_raw)}
            for low_dir, src, flag in ((TL, FL, psum[m]), (FH, TH, psum[m + 1])):
                amount[low_dir] = amount[src] if flag else 0
                period[low_dir] = period[src] if flag else 0
                count[low_dir] = count[src] if flag else 0
                avg[low_dir] = avg[src] if flag else 0
            psum_low = int(size_elem * (ir_caal[m + 1] - 1)) != 0
            psum_high = int(size_elem * (ir_caal[m + 2] - 1)) != 0
            p_part, p_final = layer.precision.o_partial_bits, layer.precision.o_final_bits
            precision = {
                TL: p_part if psum_low else 0,
                FL: p_part if psum_low else p_final,
                TH: p_part if psum_high else p_final,
                FH: p_part if psum_high else 0,
            }
        else:
            p = layer.precision.bits(op)
            precision = {TL: p, FL: 0, TH: 0, FH: p}
        scale = {TL: int(top_ir[m]), FL: int(top_ir[m]), TH: int(top_ir[m + 1]), FH: int(top_ir[m + 1])}
        window = {d: int(period[d] / scale[d]) for d in DIRS}
        mv = _Move(amount=amount, precision=precision, period=period, count=count, avg_bw=avg, window=window)
        moves.append(mv)
    # The top level exchanges nothing with the outside world
    top = moves[-1]
    for d in (TH, FH):
        top.amount[d] = top.precision[d] = top.period[d] = top.count[d] = top.avg_bw[d] = top.window[d] = 0
    return _View(unit_count, unit_unique, boost, data_elem, data_bit, effective_bit, moves)


# ----------------------------------------------------------------------------------------------------
# The whole evaluation
# ----------------------------------------------------------------------------------------------------
@dataclass
class _OperandCtx:
    op: Operand
    mem_op: MemOperand
    levels: tuple[Memory, ...]
    frac: _View
    integer: _View
    stationary: list[Loops]


def _port_functions(core: Core) -> list[tuple[Memory, str, list[tuple[MemOperand, int, Direction]]]]:
    """Per memory, per port: the (memory operand, level, direction) it carries, in ZigZag's order."""
    return [
        (mem, port.name, [(o, core.levels(o).index(mem), d) for o, d in pairs])
        for mem in core.memories
        for port, pairs in mem.carried()
    ]


def _bandwidth(mem: Memory, op: MemOperand, direction: Direction) -> tuple[int, int] | None:
    port = mem.port_for(op, direction)
    return None if port is None else (port.bandwidth_min_bits, port.bandwidth_max_bits)


def _word_accesses(ctx: _OperandCtx) -> list[dict[Direction, int]]:
    out = []
    for m, mem in enumerate(ctx.levels):
        mv = ctx.frac.moves[m]
        acc: dict[Direction, int] = {}
        for d in DIRS:
            n, p, pc = mv.amount[d], mv.precision[d], mv.count[d]
            bw = _bandwidth(mem, ctx.mem_op, d)
            if bw is None:
                if n != 0:
                    raise ValueError(f"no port for {ctx.mem_op} {d} at {mem.name}")
                acc[d] = 0
                continue
            lo, hi = bw
            acc[d] = 0 if n == 0 or p == 0 else int(math.ceil(n * p / lo) * (lo / hi) * pc * ctx.frac.unit_count[m + 1])
        out.append(acc)
    return out


def evaluate_reference(
    layer: Layer,
    core: Core,
    spatial: SpatialMapping,
    temporal: TemporalMapping,
    links: OperandLinks = DEFAULT_LINKS,
) -> ReferenceResult:
    """Evaluate one (layer, core, spatial mapping, temporal mapping) exactly as ZigZag 3.9.1 does."""
    link_of = dict(links)
    cpo = core.imc.cycles_per_op if core.imc is not None else 1.0
    frac_sm = greedy_unrolling(spatial, layer, core, fractional=True)
    int_sm = greedy_unrolling(spatial, layer, core, fractional=False)
    total_cycles = float(temporal.cycles)
    ctxs: list[_OperandCtx] = []
    for op in layer.operands():
        mem_op = link_of[op]
        levels = core.levels(mem_op)
        rel = _relevance(layer, op)
        loops_lv: list[Loops] = [[(d, float(s)) for d, s in lv] for lv in temporal.levels_of(op)]
        stationary, mac_st = _stationary(loops_lv, rel.ir)
        is_out = op is Operand.O
        views = [
            _view(layer, op, is_out, unrolling_per_level(core, levels, sm), stationary, mac_st, rel, total_cycles)
            for sm in (frac_sm, int_sm)
        ]
        ctxs.append(_OperandCtx(op, mem_op, levels, views[0], views[1], stationary))
    by_op = {c.op: c for c in ctxs}
    by_mem_op = {c.mem_op: c for c in ctxs}

    # --- utilization (fractional mapping) -------------------------------------------------------------------
    util = {c.op: [c.frac.data_bit[m + 1] / mem.size_bits for m, mem in enumerate(c.levels)] for c in ctxs}
    eff = {c.op: [c.frac.effective_bit[m + 1] / mem.size_bits for m, mem in enumerate(c.levels)] for c in ctxs}
    util_shared = {k: list(v) for k, v in util.items()}
    eff_shared = {k: list(v) for k, v in eff.items()}
    groups = _sharing_groups(core)
    for group in groups:
        present = [(by_mem_op[o].op, lv) for o, lv in group if o in by_mem_op]
        s_util = sum(util[o][lv] for o, lv in present)
        s_eff = sum(eff[o][lv] for o, lv in present)
        for o, lv in present:
            util_shared[o][lv] = s_util
            eff_shared[o][lv] = s_eff

    # --- energy ------------------------------------------------------------------------------------------------
    accesses = {c.op: _word_accesses(c) for c in ctxs}
    per_level: dict[Operand, list[float]] = {}
    per_dir: dict[Operand, list[dict[Direction, float]]] = {}
    mem_energy = 0.0
    for c in ctxs:
        per_level[c.op], per_dir[c.op] = [], []
        for m, mem in enumerate(c.levels):
            a = accesses[c.op][m]
            e = {
                TH: a[TH] * mem.read_energy_pj,
                FH: a[FH] * mem.write_energy_pj,
                TL: a[TL] * mem.read_energy_pj,
                FL: a[FL] * mem.write_energy_pj,
            }
            level_e = (e[TH] + e[TL]) + (e[FH] + e[FL])
            per_dir[c.op].append(e)
            per_level[c.op].append(level_e)
            mem_energy += level_e
    if core.imc is not None:  # the IMC macro energy replaces MACs × MAC energy
        mac_energy = sum(layer_energy_breakdown(core.imc, core.pe_array, layer, spatial).values())
    else:
        mac_energy = core.pe_array.mac_energy_pj * layer.mac_count

    # --- latency --------------------------------------------------------------------------------------------
    db = _double_buffer(ctxs, eff, eff_shared, groups, by_mem_op)
    real = {c.op: [_real_cycles(c, m) for m in range(len(c.levels))] for c in ctxs}
    allowed = {c.op: [_allowed_cycles(c, m, db[c.op], cpo) for m in range(len(c.levels))] for c in ctxs}
    ports = _port_functions(core)
    ss_ports: dict[str, float] = {}
    ss_list: list[float] = [0]
    for mem, pname, funcs in ports:
        acts = []
        for mem_op, lv, d in funcs:
            if mem_op not in by_mem_op:
                continue
            c = by_mem_op[mem_op]
            mv = c.integer.moves[lv]
            if mv.count[d] == 0:
                continue
            acts.append((real[c.op][lv][d], allowed[c.op][lv][d], math.ceil(mv.period[d] * cpo), mv.count[d]))
        if not acts:
            continue
        ss = _combine_port(acts)
        ss_ports[f"{mem.name}.{pname}"] = ss
        ss_list.append(ss)
    ss_comb = max(ss_list)

    loading: dict[tuple[Operand, int, Direction], tuple[float, bool]] = {}
    for mem, pname, funcs in ports:
        port = next(p for p in mem.ports if p.name == pname)
        shared = {o for o, _, _ in funcs} >= {MemOperand.I1, MemOperand.I2}
        _port_loading(port.bandwidth_max_bits, shared, funcs, by_mem_op, real, total_cycles, cpo, ss_comb, loading)
    inputs = [c for c in ctxs if c.op is not Operand.O]
    onload = _onloading(inputs, loading)
    out_ctx = by_op[Operand.O]
    offload = sum(
        max(loading[(Operand.O, m, TH)][0], loading[(Operand.O, m + 1, FL)][0]) for m in range(len(out_ctx.levels) - 1)
    )
    ideal_cycle = math.ceil(math.ceil(layer.mac_count / core.pe_array.mac_count) * cpo)
    ideal_temporal = total_cycles * cpo
    drain = systolic_drain(layer, core, spatial)
    lat0 = ideal_temporal + ss_comb
    lat1 = lat0 + onload
    lat2 = lat1 + offload + drain
    return ReferenceResult(
        energy_total=mem_energy + mac_energy,
        mac_energy=mac_energy,
        mem_energy=mem_energy,
        mem_energy_per_level=per_level,
        mem_energy_per_dir=per_dir,
        accesses=accesses,
        utilization=util_shared,
        ideal_cycle=ideal_cycle,
        ideal_temporal_cycle=ideal_temporal,
        stall_slack_comb=ss_comb,
        data_onloading=onload,
        data_offloading=offload,
        systolic_drain=drain,
        latency_total0=lat0,
        latency_total1=lat1,
        latency_total2=lat2,
        mac_spatial_utilization=ideal_cycle / ideal_temporal,
        double_buffer=db,
        port_stall_slack=ss_ports,
        stationary_levels={c.op: c.stationary for c in ctxs},
    )


def int_pairs(spatial: SpatialMapping, oa: str, layer: Layer, core: Core) -> tuple[tuple[str, int], ...]:
    """The user-level unrolling on array dim `oa`, restricted to the layer's dims and clipped to the sizes."""
    cap = core.pe_array.size(oa)
    return tuple((d, min(f, cap, layer.size(d))) for d, f in spatial.on(oa) if d in layer.dims)


def systolic_drain(layer: Layer, core: Core, spatial: SpatialMapping) -> int:
    """ZigZag 3.9.1: along each systolic array dim, results leave one cycle per unrolled unit after the last MAC."""
    return sum(
        max(math.ceil(math.prod(f for _, f in int_pairs(spatial, oa, layer, core))) - 1, 0)
        for oa in core.pe_array.systolic_dims
        if int_pairs(spatial, oa, layer, core)
    )


def _sharing_groups(core: Core) -> list[list[tuple[MemOperand, int]]]:
    return [[(o, core.levels(o).index(mem)) for o in mem.operands] for mem in core.memories if len(mem.operands) > 1]


def _double_buffer(
    ctxs: list[_OperandCtx],
    eff: dict[Operand, list[float]],
    eff_shared: dict[Operand, list[float]],
    groups: list[list[tuple[MemOperand, int]]],
    by_mem_op: dict[MemOperand, _OperandCtx],
) -> dict[Operand, list[bool]]:
    """A level double-buffers if its effective data leaves room for a second copy (ZigZag's rule, in operand
    order: an operand that takes the room makes the level fuller for the operands after it)."""
    out: dict[Operand, list[bool]] = {}
    for c in ctxs:
        flags = [False]
        for m in range(len(c.levels)):
            if eff_shared[c.op][m] <= 0.5:
                flags.append(True)
            elif eff[c.op][m] <= 1 - eff_shared[c.op][m]:
                flags.append(True)
                group = next((g for g in groups if (c.mem_op, m) in g), None)
                for o, lv in group or []:
                    if o in by_mem_op:
                        eff_shared[by_mem_op[o].op][lv] += eff[c.op][m]
            else:
                flags.append(False)
        out[c.op] = flags
    return out


def _real_cycles(c: _OperandCtx, m: int) -> dict[Direction, float]:
    mv = c.integer.moves[m]
    out: dict[Direction, float] = {}
    for d in DIRS:
        bw = _bandwidth(c.levels[m], c.mem_op, d)
        out[d] = 0 if not bw else math.ceil(mv.amount[d] * mv.precision[d] / bw[1])
    return out


def _allowed_cycles(c: _OperandCtx, m: int, db: list[bool], cpo: float) -> dict[Direction, float]:
    mv = c.integer.moves[m]
    out: dict[Direction, float] = {}
    for d in DIRS:
        flag = db[m + 1] if d in (TH, FH) else db[m]
        out[d] = math.ceil((mv.period[d] if flag else mv.window[d]) * cpo)
    return out


def _combine_port(acts: list[tuple[float, float, int, int]]) -> float:
    """Stall (+) / slack (−) of one port from its activities (real, allowed, period, period count)."""
    if len(acts) == 1:
        real, allowed, _, pc = acts[0]
        return (real - allowed) * (pc - 1)
    pos = sum((r - a) * (pc - 1) for r, a, _, pc in acts if (r - a) * (pc - 1) > 0)
    neg = sum((r - a) * (pc - 1) for r, a, _, pc in acts if (r - a) * (pc - 1) <= 0)
    muw = sum(a * (pc - 1) for _, a, _, pc in acts)
    return pos + max(0, neg + muw - _window_union(acts))


def _window_union(acts: list[tuple[float, float, int, int]]) -> float:
    """Cycles in which at least one activity may transfer, over the whole layer."""
    for _, allowed, period, pc in acts:
        if period == allowed:
            return period * pc
    longest = max(range(len(acts)), key=lambda i: (acts[i][2], -i))
    p_max = int(acts[longest][2])
    used = [False] * p_max
    for _, allowed, period, _ in acts:
        if p_max % int(period) != 0:
            raise ValueError("transfer periods on one port must divide each other")
        for start in range(0, p_max, int(period)):
            for t in range(start, min(start + int(allowed), start + int(period))):
                used[t] = True
    return sum(used) * acts[longest][3]


def _port_loading(
    bw_max: int,
    shared: bool,
    funcs: list[tuple[MemOperand, int, Direction]],
    by_mem_op: dict[MemOperand, _OperandCtx],
    real: dict[Operand, list[dict[Direction, float]]],
    total_cycles: float,
    cpo: float,
    ss_comb: float,
    out: dict[tuple[Operand, int, Direction], tuple[float, bool]],
) -> None:
    """On/offloading cycles of one port: once-only transfers (period count 1) may borrow idle port time."""
    once: list[tuple[Operand, int, Direction]] = []
    repeated: list[tuple[Operand, int, Direction]] = []
    for mem_op, lv, d in funcs:
        if mem_op not in by_mem_op:
            continue
        c = by_mem_op[mem_op]
        if c.op is Operand.O and d in (TL, FH):
            continue
        pc = c.integer.moves[lv].count[d]
        if pc == 1:
            once.append((c.op, lv, d))
        elif pc > 1:
            repeated.append((c.op, lv, d))
    ctx_of = {c.op: c for c in by_mem_op.values()}
    busy = sum(math.ceil(ctx_of[o].integer.moves[lv].avg_bw[d] / cpo) for o, lv, d in repeated)
    totals = [real[o][lv][d] for o, lv, d in once]
    minima: list[float] = [math.ceil(ctx_of[o].integer.data_bit[1] / bw_max) for o, _, _ in once]
    compute = math.ceil(total_cycles * cpo) + ss_comb
    surplus = max(0, (bw_max - busy) / bw_max * compute)
    remaining = _reduce_ordered(totals, minima, surplus)
    for key, rem in zip(once, remaining, strict=True):
        out[key] = (rem, shared)
    for o, lv, d in repeated:
        out[(o, lv, d)] = (real[o][lv][d], shared)


def _reduce_ordered(totals: list[float], minima: list[float], surplus: float) -> list[float]:
    """Spend `surplus` cycles shortening the largest transfers first, each down to its minimum at most."""
    if surplus <= 0 or not totals:
        return list(totals)
    order = sorted(range(len(totals)), key=lambda i: totals[i], reverse=True)
    out = list(totals)
    for i in order:
        if surplus <= 0:
            break
        cut = min(max(0.0, totals[i] - minima[i]), surplus)
        out[i] = totals[i] - cut
        surplus -= cut
    return out


def _onloading(inputs: list[_OperandCtx], loading: dict[tuple[Operand, int, Direction], tuple[float, bool]]) -> float:
    """Initial fill: per input operand, adjacent level pairs take the longer side; port sharing decides whether
    the two operands load in series or in parallel (ZigZag's half-shared part is assigned, not summed)."""
    ind: dict[Operand, float] = {}
    half: dict[Operand, float] = {}
    sh: dict[Operand, float] = {}
    for c in inputs:
        ind[c.op] = half[c.op] = sh[c.op] = 0
        for m in range(len(c.levels) - 1):
            (c1, s1), (c2, s2) = loading[(c.op, m, FH)], loading[(c.op, m + 1, TL)]
            longest = max(c1, c2)
            if s1 and s2:
                sh[c.op] += longest
            elif not s1 and not s2:
                ind[c.op] += longest
            else:
                half[c.op] = longest
    if len(inputs) == 1:
        return ind[inputs[0].op]
    a, b = inputs[0].op, inputs[1].op
    return min(
        sh[a] + max(sh[b] + half[b] + ind[b], half[a] + ind[a]),
        sh[b] + max(sh[a] + half[a] + ind[a], half[b] + ind[b]),
    )
