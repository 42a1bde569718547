"""Evaluate a batch of temporal mappings on a compiled problem: energy, latency and their breakdowns.

`evaluate` runs the compiled kernel of `cost.kernel` (numba, imported and compiled on first use); without numba,
or with the environment variable ``ZIGZAG_OPT_NUMBA=0``, it runs `evaluate_numpy`: the same equations as array
operations, in which no Python loop runs over candidates (loops run over operands, memory levels, ports and
directions only). Both give the same numbers.
Candidates for which the model is undefined come back with ``valid == False`` and infinite cost, never as an
exception; whether tiles fit the memories is reported separately (``fits``).
"""

from __future__ import annotations

import importlib.util
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from zigzag_opt.cost.batch import MappingBatch
from zigzag_opt.cost.footprint import LoopPrefix, Movement, loop_prefix, movement, operand_state
from zigzag_opt.cost.latency import LatencyParts, latency
from zigzag_opt.cost.problem import ProblemArrays
from zigzag_opt.mapping.temporal import TemporalMapping

__all__ = [
    "BatchResult",
    "SingleResult",
    "evaluate",
    "evaluate_mappings",
    "evaluate_numpy",
    "evaluate_single",
    "has_kernel",
]

F64 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]
CHUNK = 4096


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Costs of N mappings. Per-operand lists follow the problem's operand order; `accesses[x]` and
    `energy_per_dir[x]` are [N, M, 4] (TL, FL, TH, FH), `utilization[x]` is [N, M] (shared memories summed).

    `valid`: the model is defined for the mapping (loops cover the layer, cuts are well formed, every moving
    link has a port). `fits`: every memory holds its tiles by the cost model's own bookkeeping — LOMA's allocator
    uses a slightly different precision rule for partial sums, so search engines that allocate like LOMA rely
    on the allocator instead."""

    valid: B1
    fits: B1
    energy: F64
    mac_energy: float
    mem_energy: F64
    latency: F64
    parts: LatencyParts
    accesses: list[F64]
    energy_per_dir: list[F64]
    utilization: list[F64]
    total_cycles: F64

    def __len__(self) -> int:
        return int(self.energy.shape[0])

    @property
    def edp(self) -> F64:
        return self.energy * self.latency


@dataclass(frozen=True, slots=True)
class SingleResult:
    """One mapping's costs as Python numbers (what a `CostReport` is built from): `latency_parts` holds ideal
    temporal cycles, stall/slack, onloading, offloading, total0, total1, total2; per operand x, `accesses[x]` and
    `energy_per_dir[x]` hold (TL, FL, TH, FH) of level 0, then of level 1, ... (flat, 4 per level) and
    `utilization[x][m]` is shared-memory utilisation."""

    valid: bool
    mac_energy: float
    mem_energy: float
    latency_parts: tuple[float, float, float, float, float, float, float]
    accesses: list[list[float]]
    energy_per_dir: list[list[float]]
    utilization: list[list[float]]

    @classmethod
    def from_batch(cls, res: BatchResult, i: int) -> SingleResult:
        p = res.parts
        t = (p.ideal_temporal, p.stall_slack, p.onloading, p.offloading, p.total0, p.total1, p.total2)
        return cls(
            valid=bool(res.valid[i]),
            mac_energy=float(res.mac_energy),
            mem_energy=float(res.mem_energy[i]),
            latency_parts=(
                float(t[0][i]),
                float(t[1][i]),
                float(t[2][i]),
                float(t[3][i]),
                float(t[4][i]),
                float(t[5][i]),
                float(t[6][i]),
            ),
            accesses=[a[i].ravel().tolist() for a in res.accesses],
            energy_per_dir=[e[i].ravel().tolist() for e in res.energy_per_dir],
            utilization=[u[i].tolist() for u in res.utilization],
        )


def evaluate_single(prob: ProblemArrays, mapping: TemporalMapping) -> SingleResult:
    """One mapping, as `evaluate_mappings(prob, [mapping])` row 0 — but read straight from the kernel's output
    buffer, without building the batch result's arrays (most of the cost of evaluating a single mapping)."""
    batch = _single_batch(prob, mapping)
    kernel = _kernel_evaluator[0] if _kernel_evaluator else _kernel()
    if kernel is None:
        return SingleResult.from_batch(evaluate_numpy(prob, batch), 0)
    from zigzag_opt.cost.kernel import evaluate_kernel_single

    return evaluate_kernel_single(prob, batch)


def evaluate_mappings(prob: ProblemArrays, mappings: Sequence[TemporalMapping]) -> BatchResult:
    """Convenience: evaluate `TemporalMapping` objects."""
    if len(mappings) == 1:
        return evaluate(prob, _single_batch(prob, mappings[0]))
    ops = [t.op for t in prob.operands]
    depth = max(t.n_levels for t in prob.operands)
    return evaluate(prob, MappingBatch.from_mappings(mappings, prob.dims, ops, depth))


def _single_batch(prob: ProblemArrays, tm: TemporalMapping) -> MappingBatch:
    """`MappingBatch.from_mappings` for one mapping, without its per-batch bookkeeping (one array, four views)."""
    loops = tm.loops
    n_loops, width = len(loops), max(len(loops), 1)
    index = {d: i for i, d in enumerate(prob.dims)}
    depth = max(t.n_levels for t in prob.operands)
    flat = [index[d] for d, _ in loops] or [-1]
    flat += [s for _, s in loops] or [1]
    for t in prob.operands:
        c = tm.cuts_of(t.op)
        flat += c
        flat += [n_loops] * (depth - len(c))
    flat.append(n_loops)
    arr = np.array(flat, dtype=np.int64)
    return MappingBatch(
        dim=arr[:width].reshape(1, width),
        size=arr[width : 2 * width].reshape(1, width),
        n_loops=arr[-1:],
        cuts=arr[2 * width : -1].reshape(1, len(prob.operands), depth),
    )


_Evaluator = Callable[[ProblemArrays, MappingBatch], BatchResult]
_kernel_evaluator: list[_Evaluator | None] = []  # resolved on first use: the kernel, or None without numba


def has_kernel() -> bool:
    """`evaluate` runs the compiled kernel: numba is installed and ``ZIGZAG_OPT_NUMBA`` is not ``0``."""
    return _kernel() is not None


def _kernel() -> _Evaluator | None:
    if not _kernel_evaluator:
        if os.environ.get("ZIGZAG_OPT_NUMBA", "1") == "0" or importlib.util.find_spec("numba") is None:
            _kernel_evaluator.append(None)
        else:
            try:
                from zigzag_opt.cost.kernel import evaluate_kernel
            except ImportError as exc:  # numba installed but unusable, e.g. built for another numpy
                warnings.warn(
                    f"numba cannot be imported ({exc}); the cost model runs its numpy implementation, ~100x slower",
                    RuntimeWarning,
                    stacklevel=3,
                )
                _kernel_evaluator.append(None)
            else:
                _kernel_evaluator.append(evaluate_kernel)
    return _kernel_evaluator[0]


def evaluate(prob: ProblemArrays, batch: MappingBatch) -> BatchResult:
    """Energy (pJ) and latency (cycles) of every mapping in `batch`: the compiled kernel (`cost.kernel`), or
    `evaluate_numpy` without it (see `has_kernel`). The kernel compiles on its first call in a fresh environment
    (about 20 s, then cached on disk; loading the cache takes about 0.5 s per process)."""
    kernel = _kernel_evaluator[0] if _kernel_evaluator else _kernel()
    if kernel is None:
        return evaluate_numpy(prob, batch)
    return kernel(prob, batch)


def evaluate_numpy(prob: ProblemArrays, batch: MappingBatch) -> BatchResult:
    """`evaluate` as numpy array operations over the whole batch (the fallback and cross-check of the kernel),
    chunked to bound memory. Candidates whose loop count or cuts point outside their loop nest are invalid (as in
    the kernel), not an IndexError."""
    outside = ~_indexable(prob, batch)
    if outside.any():
        batch = _emptied(batch, outside)
    if len(batch) <= CHUNK:
        res = _evaluate_chunk(prob, batch)
    else:
        res = _concat([_evaluate_chunk(prob, batch.take(slice(i, i + CHUNK))) for i in range(0, len(batch), CHUNK)])
    if outside.any():
        res.valid[outside] = False
        res.energy[outside] = np.inf
        res.latency[outside] = np.inf
    return res


def _indexable(prob: ProblemArrays, batch: MappingBatch) -> B1:
    """Loop counts and used cuts are positions in the loop nest (numpy's negative positions included)."""
    width = batch.dim.shape[1]

    def inside(a: npt.NDArray[np.int64]) -> B1:
        ok: B1 = (a >= -(width + 1)) & (a <= width)
        return ok

    ok = inside(batch.n_loops)
    for x, t in enumerate(prob.operands):
        ok &= np.all(inside(batch.cuts[:, x, : t.n_levels]), axis=1)
    return ok


def _emptied(batch: MappingBatch, rows: B1) -> MappingBatch:
    """`batch` with `rows` replaced by an empty loop nest (evaluable; the caller marks them invalid)."""
    n_loops, cuts = batch.n_loops.copy(), batch.cuts.copy()
    n_loops[rows], cuts[rows] = 0, 0
    return MappingBatch(dim=batch.dim, size=batch.size, n_loops=n_loops, cuts=cuts)


def _structure_ok(prob: ProblemArrays, batch: MappingBatch, pre: LoopPrefix) -> B1:
    """Loops multiply to the temporal trip counts; cuts are monotone and end at the last loop."""
    ok = np.ones(len(batch), dtype=bool)
    final = pre.per_dim[pre.rows, batch.n_loops, :]
    for d, dim in enumerate(prob.dims):
        ok &= (final[:, d] == prob.temporal_sizes.get(dim, 1)) | (final[:, d] == prob.exact_temporal_sizes.get(dim, 1))
    for x, t in enumerate(prob.operands):
        cuts = batch.cuts[:, x, : t.n_levels]
        ok &= np.all(np.diff(cuts, axis=1) >= 0, axis=1) & (cuts[:, 0] >= 0) & (cuts[:, -1] == batch.n_loops)
    return ok


def _utilization(prob: ProblemArrays, mv: list[Movement], attr: str) -> tuple[list[F64], list[F64]]:
    individual = [getattr(mv[x], attr)[:, 1:] / t.size_bits[None, :] for x, t in enumerate(prob.operands)]
    shared = [u.copy() for u in individual]
    for group in prob.sharing_groups:
        total = sum(individual[x][:, m] for x, m in group)
        for x, m in group:
            shared[x][:, m] = total
    return individual, shared


def _word_accesses(prob: ProblemArrays, mv: list[Movement]) -> tuple[list[F64], B1]:
    """Full-width word accesses per level and direction: each period's transfer rounded up to the minimum
    bandwidth granule, times periods and memory instances, truncated like ZigZag's int()."""
    out = []
    n = mv[0].amount.shape[0]
    ok = np.ones(n, dtype=bool)
    for x, t in enumerate(prob.operands):
        m = mv[x]
        lo = t.bw_min[None, :, :]
        hi = t.bw_max[None, :, :]
        moving = (m.amount != 0) & (m.prec_dir != 0)
        has_port = lo > 0
        ok &= ~np.any((m.amount != 0) & ~has_port, axis=(1, 2))
        safe_lo, safe_hi = np.where(has_port, lo, 1.0), np.where(has_port, hi, 1.0)
        units = t.frac.unit_count[1:].astype(np.float64)[None, :, None]
        words = np.trunc(np.ceil(m.amount * m.prec_dir / safe_lo) * (safe_lo / safe_hi) * m.count * units)
        out.append(np.where(moving & has_port, words, 0.0))
    return out, ok


def _evaluate_chunk(prob: ProblemArrays, batch: MappingBatch) -> BatchResult:
    pre = loop_prefix(batch, len(prob.dims))
    o_ir = next(t.ir_mask for t in prob.operands if t.is_output)
    states = [operand_state(batch, pre, t, x, o_ir) for x, t in enumerate(prob.operands)]
    mv_frac = [movement(prob, pre, states[x], t, t.frac) for x, t in enumerate(prob.operands)]
    mv_int = [movement(prob, pre, states[x], t, t.integer) for x, t in enumerate(prob.operands)]
    accesses, ports_ok = _word_accesses(prob, mv_frac)
    energy_per_dir = []
    for x, t in enumerate(prob.operands):
        cost = np.stack([t.read_pj, t.write_pj, t.read_pj, t.write_pj], axis=1)[None, :, :]
        energy_per_dir.append(accesses[x] * cost)
    mem_energy = sum(e.sum(axis=(1, 2)) for e in energy_per_dir)
    assert isinstance(mem_energy, np.ndarray)
    mac_energy = prob.mac_energy_total_pj  # on an IMC core: the macro energy of the layer (cost.imc)
    _, util_shared = _utilization(prob, mv_frac, "bits")
    eff, eff_shared = _utilization(prob, mv_frac, "effective_bits")
    fits: B1 = np.all(np.stack([np.all(u <= 1.0, axis=1) for u in util_shared]), axis=0)
    parts = latency(prob, mv_int, eff, eff_shared, pre.total)
    valid: B1 = _structure_ok(prob, batch, pre) & ports_ok & parts.valid
    energy = np.where(valid, mem_energy + mac_energy, np.inf)
    return BatchResult(
        valid=valid,
        fits=fits,
        energy=energy,
        mac_energy=mac_energy,
        mem_energy=mem_energy,
        latency=np.where(valid, parts.total2, np.inf),
        parts=parts,
        accesses=accesses,
        energy_per_dir=energy_per_dir,
        utilization=util_shared,
        total_cycles=pre.total,
    )


def _concat(parts: list[BatchResult]) -> BatchResult:
    def cat(get: str) -> npt.NDArray[Any]:
        return np.concatenate([getattr(p, get) for p in parts])

    def cat_list(get: str) -> list[F64]:
        return [np.concatenate([getattr(p, get)[x] for p in parts]) for x in range(len(getattr(parts[0], get)))]

    lp = [p.parts for p in parts]
    merged = LatencyParts(
        **{
            name: np.concatenate([getattr(q, name) for q in lp])
            for name in ("ideal_temporal", "stall_slack", "onloading", "offloading", "total0", "total1", "total2")
        },
        port_ss=np.concatenate([q.port_ss for q in lp]),
        double_buffer=[np.concatenate([q.double_buffer[x] for q in lp]) for x in range(len(lp[0].double_buffer))],
        valid=np.concatenate([q.valid for q in lp]),
    )
    return BatchResult(
        valid=cat("valid"),
        fits=cat("fits"),
        energy=cat("energy"),
        mac_energy=parts[0].mac_energy,
        mem_energy=cat("mem_energy"),
        latency=cat("latency"),
        parts=merged,
        accesses=cat_list("accesses"),
        energy_per_dir=cat_list("energy_per_dir"),
        utilization=cat_list("utilization"),
        total_cycles=cat("total_cycles"),
    )
