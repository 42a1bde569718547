"""ZigZag's uniform latency model over a batch: double-buffer flags, per-port stall/slack, on/offloading.

Shapes: N candidates; per operand M memory levels; direction axis (TL, FL, TH, FH).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from zigzag_opt.cost.footprint import FH, FL, TH, TL, Movement
from zigzag_opt.cost.problem import PortTable, ProblemArrays

__all__ = ["LatencyParts", "latency"]

F64 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class LatencyParts:
    """Latency components [N]; `port_ss[p]` per port of `ProblemArrays.ports`; `valid` false where ZigZag's
    model is undefined (periods on a shared port that do not divide each other)."""

    ideal_temporal: F64
    stall_slack: F64
    onloading: F64
    offloading: F64
    total0: F64
    total1: F64
    total2: F64
    port_ss: F64  # [N, P]
    double_buffer: list[B1]  # per operand [N, M+1]
    valid: B1


def double_buffer_flags(prob: ProblemArrays, eff: list[F64], eff_shared: list[F64]) -> list[B1]:
    """A level double-buffers if its effective data leaves room for a second copy; an operand that takes the
    room fills the shared memory for the operands after it (ZigZag's rule, in the layer's operand order)."""
    shared = [e.copy() for e in eff_shared]
    flags = []
    for x, t in enumerate(prob.operands):
        n = eff[x].shape[0]
        out = np.zeros((n, t.n_levels + 1), dtype=bool)
        for m in range(t.n_levels):
            half = shared[x][:, m] <= 0.5
            room = ~half & (eff[x][:, m] <= 1 - shared[x][:, m])
            out[:, m + 1] = half | room
            group = next((g for g in prob.sharing_groups if (x, m) in g), ())
            for gx, gm in group:
                shared[gx][:, gm] = shared[gx][:, gm] + np.where(room, eff[x][:, m], 0.0)
        flags.append(out)
    return flags


def _real_cycles(prob: ProblemArrays, mv: list[Movement]) -> list[F64]:
    out = []
    for x, t in enumerate(prob.operands):
        bw = t.bw_max[None, :, :]
        safe = np.where(bw > 0, bw, 1.0)
        out.append(np.where(bw > 0, np.ceil(mv[x].amount * mv[x].prec_dir / safe), 0.0))
    return out


def _allowed_cycles(prob: ProblemArrays, mv: list[Movement], db: list[B1]) -> list[F64]:
    out = []
    for x, t in enumerate(prob.operands):
        flag = np.empty(mv[x].period.shape, dtype=bool)
        flag[:, :, TL] = flag[:, :, FL] = db[x][:, : t.n_levels]
        flag[:, :, TH] = flag[:, :, FH] = db[x][:, 1:]
        out.append(np.ceil(np.where(flag, mv[x].period, mv[x].window) * prob.cycles_per_op))
    return out


def _active_links(port: PortTable, prob: ProblemArrays) -> list[tuple[int, int, int]]:
    """Links that can move data: the top level of an operand never exchanges data upward."""
    return [(x, m, k) for x, m, k in port.links if not (m == prob.operands[x].n_levels - 1 and k in (TH, FH))]


def _window_union(period: F64, allowed: F64, count: F64, active: B1) -> tuple[F64, B1]:
    """Cycles in which at least one activity on a port may transfer ([N], and whether it is defined).

    Windows are the first `allowed` cycles of every period. Periods are prefix products of one loop nest, so
    they divide each other; the uncovered cycles of the longest period are counted recursively along that chain.
    """
    n, k = period.shape
    rows = np.arange(n)
    full = active & (period == allowed)
    first_full = np.argmax(full, axis=1)
    early = full.any(axis=1)
    early_value = period[rows, first_full] * count[rows, first_full]
    key = np.where(active, period, -1.0)
    longest = np.argmax(key, axis=1)  # first activity with the longest period
    p_max = period[rows, longest]
    p = np.where(active, period, 1.0)
    a = np.where(active, allowed, 0.0)
    divides = np.all(np.mod(p_max[:, None], p) == 0, axis=1)
    order = np.argsort(p, axis=1, kind="stable")
    ps = np.take_along_axis(p, order, axis=1)
    as_ = np.take_along_axis(a, order, axis=1)
    chain_ok = np.all(np.mod(ps[:, 1:], ps[:, :-1]) == 0, axis=1) if k > 1 else np.ones(n, dtype=bool)
    uncovered = _uncovered(ps, as_)
    union = (p_max - uncovered) * count[rows, longest]
    return np.where(early, early_value, union), early | (divides & chain_ok)


def _uncovered(ps: F64, as_: F64) -> F64:
    """Cycles t < P_k with t mod P_j >= A_j for every activity j (sorted by period along a divisibility chain)."""
    k = ps.shape[1]
    memo: dict[int, F64] = {}

    def count_below(j: int, y: F64) -> F64:
        if j == 0:
            return y
        pj = ps[:, j - 1]
        return np.floor_divide(y, pj) * per_period(j) + within(j, np.mod(y, pj))

    def within(j: int, z: F64) -> F64:
        return count_below(j - 1, z) - count_below(j - 1, np.minimum(as_[:, j - 1], z))

    def per_period(j: int) -> F64:
        if j not in memo:
            memo[j] = within(j, ps[:, j - 1])
        return memo[j]

    return per_period(k) if k else np.zeros(ps.shape[0])


def _gather(arrs: list[F64], links: list[tuple[int, int, int]], n: int) -> F64:
    if not links:
        return np.zeros((n, 0))
    return np.stack([arrs[x][:, m, k] for x, m, k in links], axis=1)


def _port_stall_slack(prob: ProblemArrays, mv: list[Movement], real: list[F64], allowed: list[F64]) -> tuple[F64, B1]:
    n = real[0].shape[0]
    out = np.zeros((n, len(prob.ports)))
    valid = np.ones(n, dtype=bool)
    cpo = prob.cycles_per_op
    for p, port in enumerate(prob.ports):
        links = _active_links(port, prob)
        if not links:
            continue
        count = _gather([m.count for m in mv], links, n)
        period = np.ceil(_gather([m.period for m in mv], links, n) * cpo)
        r, a = _gather(real, links, n), _gather(allowed, links, n)
        active = count > 0
        ss = np.where(active, (r - a) * (count - 1), 0.0)
        muw = np.where(active, a * (count - 1), 0.0)
        n_active = active.sum(axis=1)
        union, defined = _window_union(period, a, count, active)
        pos = np.where(ss > 0, ss, 0.0).sum(axis=1)
        neg = np.where(ss <= 0, ss, 0.0).sum(axis=1)
        combined = pos + np.maximum(0.0, neg + muw.sum(axis=1) - union)
        out[:, p] = np.where(n_active == 1, ss.sum(axis=1), np.where(n_active > 1, combined, 0.0))
        valid &= (n_active <= 1) | defined
    return out, valid


def _reduce_ordered(totals: F64, minima: F64, members: B1, surplus: F64) -> F64:
    """Shorten the longest once-only transfers first, each at most to its minimum, spending at most `surplus`."""
    n, k = totals.shape
    rows = np.arange(n)
    order = np.argsort(np.where(members, -totals, np.inf), axis=1, kind="stable")
    remaining = totals.copy()
    budget = surplus.copy()
    for j in range(k):
        idx = order[:, j]
        tot = totals[rows, idx]
        cut = np.where(
            members[rows, idx] & (budget > 0), np.minimum(np.maximum(0.0, tot - minima[rows, idx]), budget), 0.0
        )
        remaining[rows, idx] = tot - cut
        budget = budget - cut
    return remaining


def _loading_cycles(prob: ProblemArrays, mv: list[Movement], real: list[F64], ss_comb: F64, total: F64) -> list[F64]:
    """Per operand [N, M, 4]: cycles each link needs before computing starts (inputs) or after it ends (output)."""
    n = ss_comb.shape[0]
    cpo = prob.cycles_per_op
    loading = [np.zeros_like(r) for r in real]
    compute = np.ceil(total * cpo) + ss_comb
    for port in prob.ports:
        links = [(x, m, k) for x, m, k in port.links if not (prob.operands[x].is_output and k in (TL, FH))]
        if not links:
            continue
        count = _gather([m.count for m in mv], links, n)
        once, repeated = count == 1, count > 1
        avg = _gather([m.avg_bw for m in mv], links, n)
        busy = np.where(repeated, np.ceil(avg / cpo), 0.0).sum(axis=1)
        totals = _gather(real, links, n)
        minima = np.stack([np.ceil(mv[x].bits[:, 1] / port.bw_max) for x, _, _ in links], axis=1)
        surplus = np.maximum(0.0, (port.bw_max - busy) / port.bw_max * compute)
        remaining = _reduce_ordered(totals, minima, once, surplus)
        for j, (x, m, k) in enumerate(links):
            loading[x][:, m, k] = np.where(once[:, j], remaining[:, j], np.where(repeated[:, j], totals[:, j], 0.0))
    return loading


def _shared_flag(prob: ProblemArrays) -> Callable[[int, int, int], bool]:
    table = {(x, m, k): port.shared_by_inputs for port in prob.ports for x, m, k in port.links}
    return lambda x, m, k: table.get((x, m, k), False)


def _onloading(prob: ProblemArrays, loading: list[F64]) -> F64:
    """Initial fill: adjacent level pairs of an input take the longer side; pairs on ports shared by both inputs
    load in series, separate ones in parallel; ZigZag's half-shared part is assigned, not summed."""
    shared = _shared_flag(prob)
    inputs = [x for x, t in enumerate(prob.operands) if not t.is_output]
    n = loading[0].shape[0]
    parts = {}
    for x in inputs:
        ind, half, sh = np.zeros(n), np.zeros(n), np.zeros(n)
        for m in range(prob.operands[x].n_levels - 1):
            longest = np.maximum(loading[x][:, m, FH], loading[x][:, m + 1, TL])
            s1, s2 = shared(x, m, FH), shared(x, m + 1, TL)
            if s1 and s2:
                sh = sh + longest
            elif not s1 and not s2:
                ind = ind + longest
            else:
                half = longest
        parts[x] = (ind, half, sh)
    if len(inputs) == 1:
        return parts[inputs[0]][0]
    (ia, ha, sa), (ib, hb, sb) = parts[inputs[0]], parts[inputs[1]]
    return np.minimum(sa + np.maximum(sb + hb + ib, ha + ia), sb + np.maximum(sa + ha + ia, hb + ib))


def _offloading(prob: ProblemArrays, loading: list[F64]) -> F64:
    x = next(i for i, t in enumerate(prob.operands) if t.is_output)
    n = loading[x].shape[0]
    out = np.zeros(n)
    for m in range(prob.operands[x].n_levels - 1):
        out = out + np.maximum(loading[x][:, m, TH], loading[x][:, m + 1, FL])
    return out


def latency(
    prob: ProblemArrays, mv_int: list[Movement], eff: list[F64], eff_shared: list[F64], total: F64
) -> LatencyParts:
    """The whole latency model from the integer-spatial-mapping movement and the (fractional) utilisations."""
    db = double_buffer_flags(prob, eff, eff_shared)
    real = _real_cycles(prob, mv_int)
    allowed = _allowed_cycles(prob, mv_int, db)
    port_ss, valid = _port_stall_slack(prob, mv_int, real, allowed)
    ss_comb = np.maximum(0.0, port_ss.max(axis=1)) if port_ss.shape[1] else np.zeros(total.shape[0])
    loading = _loading_cycles(prob, mv_int, real, ss_comb, total)
    onload = _onloading(prob, loading)
    offload = _offloading(prob, loading)
    ideal_temporal = total * prob.cycles_per_op
    total0 = ideal_temporal + ss_comb
    total1 = total0 + onload
    total2 = total1 + offload + prob.systolic_drain
    return LatencyParts(
        ideal_temporal=ideal_temporal,
        stall_slack=ss_comb,
        onloading=onload,
        offloading=offload,
        total0=total0,
        total1=total1,
        total2=total2,
        port_ss=port_ss,
        double_buffer=db,
        valid=valid,
    )
