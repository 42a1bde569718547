"""Compile (layer, core, spatial mapping) once into small read-only arrays; evaluate many temporal mappings on it.

This is the only place of the cost model that walks object graphs. Everything that does not depend on the
temporal mapping is computed here: relevance masks over the layer dims, the spatial loops attached to each memory
level of each operand (fractional for energy, integer for latency), unit counts, bandwidth boosts, per-level
memory parameters, the ports and what they carry.
"""

from __future__ import annotations

import functools
import math
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from zigzag_opt.cost.imc import layer_energy_breakdown
from zigzag_opt.cost.reference import _decouple_pr, _prod, _Relevance, _relevance, systolic_drain
from zigzag_opt.errors import Problem, raise_if
from zigzag_opt.hardware.accelerator import Core
from zigzag_opt.hardware.memory import Direction, MemOperand, Memory
from zigzag_opt.mapping.legality import (
    imc_spatial_problems,
    spatial_problems,
    temporal_loop_sizes,
    zigzag_temporal_sizes,
)
from zigzag_opt.mapping.spatial import (
    DEFAULT_LINKS,
    OperandLinks,
    SpatialMapping,
    greedy_unrolling,
    unrolling_per_level,
)
from zigzag_opt.workload.layer import Layer, Operand

__all__ = [
    "DIRECTIONS",
    "AllocNode",
    "OperandTables",
    "PortTable",
    "ProblemArrays",
    "SpatialView",
    "compile_problem",
    "compile_problem_cached",
]

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]

#: Direction order of every [..., 4] axis: read to low, write from low, read to high, write from high.
DIRECTIONS = (Direction.RD_OUT_TO_LOW, Direction.WR_IN_BY_LOW, Direction.RD_OUT_TO_HIGH, Direction.WR_IN_BY_HIGH)


@dataclass(frozen=True, slots=True)
class SpatialView:
    """Spatial tables of one operand for one version of the spatial mapping (fractional or integer).

    `prefix[ℓ, d]`: product of the spatial factors of layer dim d over arch levels < ℓ, ℓ = 0..M+1.
    `unit_count[ℓ]`, `boost[ℓ]` (ℓ = 0..M; boost[M] = 1). `ir_suffix_o[ℓ]`: product of output-irrelevant spatial
    factors at arch levels >= ℓ (ℓ = 0..M+1), used for psum flags and read-back precision.
    """

    prefix: F64
    level_factors: F64  # [ℓ, d]: the spatial factor of layer dim d at arch level ℓ (1 if none), ℓ = 0..M
    unit_count: I64
    boost: I64
    ir_suffix_o: F64
    ir_any_above: B1  # [ℓ]: an output-irrelevant spatial factor > 1 sits at an arch level >= ℓ
    ir_dim_above: B1  # [ℓ]: an output-irrelevant dim is unrolled (any factor) at an arch level >= ℓ


@dataclass(frozen=True, slots=True)
class OperandTables:
    """Per-operand constants. Masks are over layer dims; `pr` lists (dim_a, coef_a, dim_b, coef_b, total)."""

    op: Operand
    mem_op: MemOperand
    n_levels: int
    is_output: bool
    r_mask: B1
    ir_mask: B1
    r_index: npt.NDArray[np.intp]  # dims of r_mask, in dim order
    r_order: tuple[int, ...]  # the same dims in the operand's index order (ZigZag multiplies tile sizes so)
    pr: tuple[tuple[int, int, int, int, int], ...]
    precision: int  # inputs; outputs use the partial/final pair of the problem
    frac: SpatialView
    integer: SpatialView
    size_bits: F64  # [M] capacity per instance
    read_pj: F64  # [M]
    write_pj: F64  # [M]
    bw_min: F64  # [M, 4] (0 = no port)
    bw_max: F64  # [M, 4]
    size_elem: float  # whole-tensor elements (output read-back test)


@dataclass(frozen=True, slots=True)
class PortTable:
    """One physical port and the (operand index, level, direction index) links it carries, in ZigZag's order."""

    name: str
    bw_max: float
    shared_by_inputs: bool
    links: tuple[tuple[int, int, int], ...]


@dataclass(frozen=True, slots=True)
class AllocNode:
    """A memory as LOMA's allocator sees it: the problem operands it holds (in the memory's operand order), its
    capacity per instance (bits), forced double buffering, and per operand whether it is that operand's top."""

    name: str
    operands: tuple[int, ...]
    capacity: float
    double_buffered: bool
    is_top: dict[int, bool]


@dataclass(frozen=True, slots=True)
class ProblemArrays:
    """The compiled problem. `dims` index every per-dim axis. A mapping's loops of a dim multiply to its
    `temporal_sizes` entry (ZigZag's LOMA rule, float rounding included) or to `exact_temporal_sizes`."""

    layer: Layer
    core: Core
    spatial: SpatialMapping
    links: OperandLinks
    dims: tuple[str, ...]
    temporal_sizes: dict[str, int]
    exact_temporal_sizes: dict[str, int]
    operands: tuple[OperandTables, ...]
    sharing_groups: tuple[tuple[tuple[int, int], ...], ...]  # (operand index, level) sharing one memory
    ports: tuple[PortTable, ...]
    mac_count: int
    mac_energy_pj: float
    cycles_per_op: float
    ideal_cycle: float
    systolic_drain: float
    o_partial_bits: int
    o_final_bits: int
    alloc_nodes: tuple[AllocNode, ...]
    # IMC cores only: the macro energy of the layer (pJ; replaces mac_energy_pj * mac_count) and its breakdown.
    imc_energy_pj: float | None = None
    imc_energy_breakdown_pj: dict[str, float] | None = None
    # Derived tables of the compiled evaluator (`cost.kernel.tables_of`, packed by `compile_problem` when the kernel
    # is in use); not part of the problem's value, not copied by `dataclasses.replace`.
    kernel_cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def mac_energy_total_pj(self) -> float:
        """Energy of the computation (pJ): the IMC macro energy on an IMC core, else MACs × MAC energy."""
        return self.imc_energy_pj if self.imc_energy_pj is not None else self.mac_energy_pj * self.mac_count

    def alloc_o_ir_loops(self, dims: npt.NDArray[np.int64]) -> B1:
        """[N, L]: loops over output-irrelevant dims, for `dims[n, l]` problem dim indices."""
        mask = next(t.ir_mask for t in self.operands if t.is_output)
        out: B1 = np.append(mask, False)[dims]
        return out

    def dim_index(self, dim: str) -> int:
        return self.dims.index(dim)


@dataclass(frozen=True, slots=True)
class _OperandMemories:
    """One operand's memory levels and their constants (read-only arrays shared by every problem on the core)."""

    levels: tuple[Memory, ...]
    size_bits: F64
    read_pj: F64
    write_pj: F64
    bw_min: F64
    bw_max: F64


@dataclass(frozen=True, slots=True)
class _CoreTables:
    """What a problem's tables take from the core alone, for the memory operands its layer operands link to."""

    memories: tuple[_OperandMemories, ...]
    sharing_groups: tuple[tuple[tuple[int, int], ...], ...]
    ports: tuple[PortTable, ...]
    alloc_nodes: tuple[AllocNode, ...]


# Keyed by the core's identity (each entry keeps its core alive, so the id is not reused while held): the same core
# object serves every layer and spatial mapping of a network, and every problem of a trial.
_CORE_TABLES: dict[tuple[int, tuple[MemOperand, ...]], tuple[Core, _CoreTables]] = {}


def _core_tables(core: Core, mem_ops: tuple[MemOperand, ...]) -> _CoreTables:
    key = (id(core), mem_ops)
    hit = _CORE_TABLES.get(key)
    if hit is not None:
        return hit[1]
    tables = _CoreTables(
        memories=tuple(_operand_memories(core, o) for o in mem_ops),
        sharing_groups=_sharing_groups(core, mem_ops),
        ports=_ports(core, mem_ops),
        alloc_nodes=_alloc_nodes(core, mem_ops),
    )
    _remember(_CORE_TABLES, key, (core, tables))
    return tables


def _operand_memories(core: Core, mem_op: MemOperand) -> _OperandMemories:
    levels = core.levels(mem_op)
    bw_min = np.zeros((len(levels), 4))
    bw_max = np.zeros((len(levels), 4))
    for m, mem in enumerate(levels):
        for k, d in enumerate(DIRECTIONS):
            port = mem.port_for(mem_op, d)
            if port is not None:
                bw_min[m, k], bw_max[m, k] = port.bandwidth_min_bits, port.bandwidth_max_bits
    arrays = (
        np.array([float(m.size_bits) for m in levels]),
        np.array([m.read_energy_pj for m in levels]),
        np.array([m.write_energy_pj for m in levels]),
        bw_min,
        bw_max,
    )
    for a in arrays:
        a.setflags(write=False)
    return _OperandMemories(levels, *arrays)


def compile_problem(
    layer: Layer, core: Core, spatial: SpatialMapping, links: OperandLinks = DEFAULT_LINKS
) -> ProblemArrays:
    """Check the spatial mapping against layer and core and precompute every mapping-independent table."""
    raise_if(
        spatial_problems(layer, core, spatial)
        + imc_spatial_problems(layer, core, spatial)
        + _link_problems(layer, core, links)
    )
    dims = tuple(layer.dims)
    link_of = dict(links)
    frac_sm = greedy_unrolling(spatial, layer, core, fractional=True)
    int_sm = greedy_unrolling(spatial, layer, core, fractional=False)
    o_ir = _relevance(layer, Operand.O).ir
    operands = tuple(layer.operands())
    mem_ops = tuple(link_of[op] for op in operands)
    shared = _core_tables(core, mem_ops)
    tables = []
    for op, mem_op, memories in zip(operands, mem_ops, shared.memories, strict=True):
        levels = memories.levels
        rel = _relevance(layer, op)
        views = []
        for sm in (frac_sm, int_sm):
            per_level = unrolling_per_level(core, levels, sm)
            views.append(_spatial_view(layer, dims, per_level, rel, o_ir))
        pr = tuple(
            (dims.index(r.terms[0][0]), r.terms[0][1], dims.index(r.terms[1][0]), r.terms[1][1], layer.pr_total(name))
            for name in rel.pr
            if (r := layer.relation(name)) is not None
        )
        tables.append(
            OperandTables(
                op=op,
                mem_op=mem_op,
                n_levels=len(levels),
                is_output=op is Operand.O,
                r_mask=np.array([d in rel.r for d in dims]),
                r_index=np.array([i for i, d in enumerate(dims) if d in rel.r], dtype=np.intp),
                r_order=tuple(dims.index(d) for d in layer.indices(op) if d in rel.r),
                ir_mask=np.array([d in rel.ir for d in dims]),
                pr=pr,
                precision=layer.precision.bits(op),
                frac=views[0],
                integer=views[1],
                size_bits=memories.size_bits,
                read_pj=memories.read_pj,
                write_pj=memories.write_pj,
                bw_min=memories.bw_min,
                bw_max=memories.bw_max,
                size_elem=float(layer.tensor_elements(op)),
            )
        )
    cpo = core.imc.cycles_per_op if core.imc is not None else 1.0
    imc_breakdown = layer_energy_breakdown(core.imc, core.pe_array, layer, spatial) if core.imc is not None else None
    prob = ProblemArrays(
        layer=layer,
        core=core,
        spatial=spatial,
        links=links,
        dims=dims,
        temporal_sizes=zigzag_temporal_sizes(layer, core, spatial, links),
        exact_temporal_sizes=temporal_loop_sizes(layer, spatial),
        operands=tuple(tables),
        sharing_groups=shared.sharing_groups,
        ports=shared.ports,
        mac_count=layer.mac_count,
        mac_energy_pj=core.pe_array.mac_energy_pj,
        cycles_per_op=cpo,
        ideal_cycle=float(math.ceil(math.ceil(layer.mac_count / core.pe_array.mac_count) * cpo)),
        systolic_drain=float(systolic_drain(layer, core, spatial)),
        o_partial_bits=layer.precision.o_partial_bits,
        o_final_bits=layer.precision.o_final_bits,
        alloc_nodes=shared.alloc_nodes,
        imc_energy_pj=sum(imc_breakdown.values()) if imc_breakdown is not None else None,
        imc_energy_breakdown_pj=imc_breakdown,
    )
    _prepare_evaluator(prob)
    return prob


def _prepare_evaluator(prob: ProblemArrays) -> None:
    """Pack the compiled evaluator's tables now, as part of compiling, when `evaluate` runs the kernel (numba)."""
    from zigzag_opt.cost import model  # model imports this module

    if model.has_kernel():
        from zigzag_opt.cost.kernel import tables_of

        tables_of(prob)


_CACHE_SIZE = 256
# The same argument objects again: found by identity, without hashing the layer and core (which walks every field
# of them on each call). Each entry keeps its arguments alive, so their ids cannot be reused while it is held.
_BY_IDENTITY: dict[tuple[int, int, int, int], tuple[tuple[object, ...], ProblemArrays]] = {}
_IDENTITY_LOCK = threading.Lock()


def compile_problem_cached(
    layer: Layer, core: Core, spatial: SpatialMapping, links: OperandLinks = DEFAULT_LINKS
) -> ProblemArrays:
    """`compile_problem`, memoised on its (hashable, immutable) arguments: the 256 most recently used problems are
    kept, with their evaluator tables. Errors are not cached. Treat the shared result as read-only."""
    key = (id(layer), id(core), id(spatial), id(links))
    hit = _BY_IDENTITY.get(key)
    if hit is not None:
        return hit[1]
    prob = _compile_problem_by_value(layer, core, spatial, links)
    _remember(_BY_IDENTITY, key, ((layer, core, spatial, links), prob))
    return prob


def _remember(cache: dict[Any, Any], key: Any, entry: Any) -> None:
    """Store `entry` in an identity-keyed cache, dropping the oldest entries beyond `_CACHE_SIZE`."""
    with _IDENTITY_LOCK:  # evictions from several threads must not interleave
        while len(cache) >= _CACHE_SIZE:
            del cache[next(iter(cache))]
        cache[key] = entry


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _compile_problem_by_value(layer: Layer, core: Core, spatial: SpatialMapping, links: OperandLinks) -> ProblemArrays:
    return compile_problem(layer, core, spatial, links)


def _link_problems(layer: Layer, core: Core, links: OperandLinks) -> list[Problem]:
    link_of = dict(links)
    problems = []
    for op in layer.operands():
        if op not in link_of:
            problems.append(
                Problem(
                    rule="no memory operand is linked to a layer operand", key_path="memory_operand_links", value=op
                )
            )
        elif not core.levels(link_of[op]):
            problems.append(
                Problem(
                    rule="the linked memory operand is held by no memory",
                    key_path="memory_operand_links",
                    value=f"{op}: {link_of[op]}",
                )
            )
    return problems


def _spatial_view(
    layer: Layer, dims: tuple[str, ...], per_level: list[list[tuple[str, float]]], rel: _Relevance, o_ir: frozenset[str]
) -> SpatialView:
    n_arch = len(per_level)
    prefix = np.ones((n_arch + 1, len(dims)))
    level_factors = np.ones((n_arch, len(dims)))
    for lv, loops in enumerate(per_level):
        prefix[lv + 1] = prefix[lv]
        for d, f in loops:
            prefix[lv + 1, dims.index(d)] *= f
            level_factors[lv, dims.index(d)] *= f
    decoupled = _decouple_pr(per_level, layer, rel)
    totals = [math.prod(s for _, s in lv) for lv in decoupled]
    unit_count = [round(round(math.prod(totals[lv:]), 3)) for lv in range(n_arch)]
    r_sp = [_prod(lv, rel.r_dec) for lv in decoupled]
    unique = [math.prod(r_sp[lv:]) for lv in range(n_arch)]
    boost = [round(unique[lv] / unique[lv + 1]) for lv in range(n_arch - 1)] + [1]
    ir_per_level = [math.prod(f for d, f in lv if d in o_ir) for lv in per_level]
    ir_suffix = [math.prod(ir_per_level[lv:]) for lv in range(n_arch)] + [1.0]
    ir_any = [any(f > 1 for lvl in per_level[lv:] for d, f in lvl if d in o_ir) for lv in range(n_arch)] + [False]
    ir_dim = [any(d in o_ir for lvl in per_level[lv:] for d, _ in lvl) for lv in range(n_arch)] + [False]
    return SpatialView(
        prefix=prefix,
        level_factors=level_factors,
        unit_count=np.array(unit_count, dtype=np.int64),
        boost=np.array(boost, dtype=np.int64),
        ir_suffix_o=np.array(ir_suffix),
        ir_any_above=np.array(ir_any),
        ir_dim_above=np.array(ir_dim),
    )


def _sharing_groups(core: Core, mem_ops: tuple[MemOperand, ...]) -> tuple[tuple[tuple[int, int], ...], ...]:
    index_of = {o: i for i, o in enumerate(mem_ops)}
    groups = []
    for mem in core.memories:
        if len(mem.operands) > 1:
            group = tuple((index_of[o], core.levels(o).index(mem)) for o in mem.operands if o in index_of)
            groups.append(group)
    return tuple(groups)


def _ports(core: Core, mem_ops: tuple[MemOperand, ...]) -> tuple[PortTable, ...]:
    """Used ports in memory order; each port's links in ZigZag's order (memory operand order, then directions in
    order of first mention; the last port naming a pair carries it)."""
    index_of = {o: i for i, o in enumerate(mem_ops)}
    out = []
    for mem in core.memories:
        for port, pairs in mem.carried():
            links = tuple(
                (index_of[o], core.levels(o).index(mem), DIRECTIONS.index(d)) for o, d in pairs if o in index_of
            )
            out.append(
                PortTable(
                    name=f"{mem.name}.{port.name}",
                    bw_max=float(port.bandwidth_max_bits),
                    shared_by_inputs={MemOperand.I1, MemOperand.I2} <= {o for o, _ in pairs},
                    links=links,
                )
            )
    return tuple(out)


def _alloc_nodes(core: Core, mem_ops: tuple[MemOperand, ...]) -> tuple[AllocNode, ...]:
    index_of = {o: i for i, o in enumerate(mem_ops)}
    nodes = []
    for mem in core.memories:
        ops = tuple(index_of[o] for o in mem.operands if o in index_of)
        if not ops:
            continue
        is_top = {index_of[o]: core.levels(o)[-1] is mem for o in mem.operands if o in index_of}
        nodes.append(AllocNode(mem.name, ops, float(mem.size_bits), mem.force_double_buffering, is_top))
    return tuple(nodes)
