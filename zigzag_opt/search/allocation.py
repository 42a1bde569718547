"""ZigZag's LOMA memory allocation: where each memory level cuts a complete temporal ordering, per operand (uneven).

This is what ZigZag 3.9.1 does with a user-fixed complete ``temporal_ordering`` and with every ordering its LOMA
engine enumerates (``zigzag/opt/loma/memory_allocator.py``, reference §5.3):

* per operand, the *allocated* loops start as the spatial loops of architecture level 0 and the *unallocated* loops
  as the whole ordering (innermost first);
* memories are visited bottom-up; at each one, every operand it holds lists the tensor sizes (bits per instance) of
  allocated + the first i unallocated loops, i = 0, 1, ..., stopping before the first that exceeds the capacity;
* the output is sized at its partial-sum precision while any output-irrelevant loop is still unallocated
  (temporal loops not yet allocated, or spatial loops at the architecture levels above this memory), else final;
* operands sharing the memory try every combination of prefix lengths whose sizes sum to at most the capacity and
  keep the one minimising Σ (product of the loops still unallocated after the prefix) × size, ties going to the last
  combination enumerated (the last operand varies fastest); an operand whose top memory this is takes all its
  remaining loops and counts 0;
* the chosen prefixes move to the memory's level; the spatial loops of the next architecture level join the
  allocated loops.

Sizes are computed the way ZigZag computes them, fractional (greedy) spatial unrollings included, so that ties and
capacity checks fall the same way.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from zigzag_opt.errors import MappingError, Problem, raise_if
from zigzag_opt.hardware.accelerator import Core
from zigzag_opt.hardware.memory import MemOperand, Memory
from zigzag_opt.mapping.legality import zigzag_temporal_sizes
from zigzag_opt.mapping.spatial import (
    DEFAULT_LINKS,
    OperandLinks,
    SpatialMapping,
    greedy_unrolling,
    unrolling_per_level,
)
from zigzag_opt.mapping.spec import MappingSpec
from zigzag_opt.mapping.temporal import Loop, TemporalMapping
from zigzag_opt.search.loma import complete_ordering as loma_complete_ordering
from zigzag_opt.search.spatial import zigzag_spatial_mappings
from zigzag_opt.workload.layer import Layer, Operand, derived_span

__all__ = [
    "AllocationError",
    "FixedMapping",
    "MemoryHierarchyTooSmallError",
    "MemoryTooSmallError",
    "SearchNeededError",
    "allocate_zigzag",
    "complete_ordering",
    "fixed_mapping",
    "reduce_user_spatial",
    "try_allocate_zigzag",
]

Factor = float  # spatial factors may be fractional (greedy unrolling); temporal ones are ints


class AllocationError(MappingError):
    """An ordering cannot be allocated to the memory hierarchy (ZigZag skips such orderings)."""

    def __init__(self, message: str, *, memory: str, operand: Operand) -> None:
        super().__init__(message)
        self.memory = memory
        self.operand = operand


class MemoryTooSmallError(AllocationError):
    """A memory cannot even hold what the levels below it already hold (ZigZag's ``MemoryTooSmallException``)."""


class MemoryHierarchyTooSmallError(AllocationError):
    """An operand's top memory cannot hold all its remaining loops (``MemoryHierarchyTooSmallException``)."""


# ----------------------------------------------------------------------------------------------------------------
# Tensor sizes as ZigZag's LayerNode.calc_tensor_size computes them
# ----------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _PrDim:
    dim_a: str
    coef_a: int
    dim_b: str
    coef_b: int
    total: int
    derived: str


@dataclass(frozen=True, slots=True)
class _Shape:
    """ZigZag's relevancy of one operand: its r dims (equation order), pr dims, and ir dims."""

    r_dims: tuple[str, ...]
    pr_dims: tuple[_PrDim, ...]
    ir_dims: frozenset[str]

    def elements(self, sizes: dict[str, Factor]) -> Factor:
        """Tensor elements for the given per-dim loop products (dims absent count 1); pr extents are computed on
        the truncated component sizes and clipped to the layer's total extent, as ZigZag does."""
        factors: list[Factor] = [sizes.get(dim, 1) for dim in self.r_dims]
        for pr in self.pr_dims:
            span = derived_span(pr.coef_a, int(sizes.get(pr.dim_a, 1)), pr.coef_b, int(sizes.get(pr.dim_b, 1)))
            factors.append(min(pr.total, span))
        return math.prod(factors)


def _shape(layer: Layer, op: Operand) -> _Shape:
    indices = layer.indices(op)
    derived = {rel.derived for rel in layer.relations}
    in_relations = derived | {dim for rel in layer.relations for dim, _ in rel.terms}
    if any(dim in derived for dim in indices):
        pr_dims = tuple(
            _PrDim(a, ca, b, cb, total=layer.pr_total(rel.derived), derived=rel.derived)
            for rel in layer.relations
            for (a, ca), (b, cb) in (rel.terms,)
        )
        r_dims = tuple(dim for dim in indices if dim not in in_relations)
        ir_dims = frozenset(
            dim for dim in layer.dims if dim not in indices and dim not in in_relations and layer.size(dim) != 1
        )
        return _Shape(r_dims, pr_dims, ir_dims)
    r_dims = tuple(dim for dim in indices if layer.size(dim) != 1)
    ir_dims = frozenset(dim for dim in layer.dims if dim not in indices and layer.size(dim) != 1)
    return _Shape(r_dims, (), ir_dims)


# ----------------------------------------------------------------------------------------------------------------
# Allocation state
# ----------------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Operand:
    """One operand during allocation: `start` is the first unallocated loop of the ordering."""

    op: Operand
    mem_op: MemOperand
    levels: tuple[Memory, ...]
    spatial: list[list[tuple[str, Factor]]]  # per architecture level 0..M
    shape: _Shape
    allocated: list[tuple[str, Factor]]
    start: int = 0
    level: int = 0  # the next memory level of this operand (0-based); ZigZag's mem_level is level + 1
    cuts: list[int] = field(default_factory=list)


def _sizes_of(loops: Sequence[tuple[str, Factor]]) -> dict[str, Factor]:
    sizes: dict[str, Factor] = {}
    for dim, size in loops:
        sizes[dim] = sizes.get(dim, 1) * size
    return sizes


def _precision(layer: Layer, state: _Operand, ordering: Sequence[Loop]) -> int:
    """Bits per element at the memory being allocated (ZigZag's MemoryAllocator.get_precision)."""
    if state.mem_op is not MemOperand.O:
        return layer.precision.bits(state.op)
    unallocated = [dim for lv in state.spatial[state.level + 1 :] for dim, _ in lv]
    unallocated += [dim for dim, _ in ordering[state.start :]]
    if any(dim in state.shape.ir_dims for dim in unallocated):
        return layer.precision.bits(state.op, partial=True)
    return layer.precision.o_final_bits


def _size_slices(layer: Layer, state: _Operand, ordering: Sequence[Loop], mem: Memory) -> list[Factor]:
    """Bits of allocated + the first i unallocated loops, i = 0, 1, ..., up to the last that fits `mem`."""
    precision = _precision(layer, state, ordering)
    remaining = ordering[state.start :]
    all_bits: Factor = 0
    if mem.force_double_buffering:
        all_bits = state.shape.elements(_sizes_of([*state.allocated, *remaining])) * precision
    sizes: list[Factor] = []
    for i in range(len(remaining) + 1):
        bits = state.shape.elements(_sizes_of([*state.allocated, *remaining[:i]])) * precision
        if mem.force_double_buffering and len(remaining) > i and bits < all_bits:
            bits *= 2
        if bits > mem.size_bits:
            if i == 0:
                raise MemoryTooSmallError(
                    f"{mem.name} cannot hold the {state.op} data its lower levels hold ({bits} > {mem.size_bits} bits)",
                    memory=mem.name,
                    operand=state.op,
                )
            break
        sizes.append(bits)
    return sizes


def _best_combination(
    states: list[_Operand], all_sizes: list[list[Factor]], mem: Memory, ordering: Sequence[Loop]
) -> list[int]:
    """Prefix lengths per operand minimising Σ (unallocated iterations) × size within the capacity; the last
    combination enumerated wins ties (ZigZag's `find_best_loop_combination`, uneven)."""
    offsets = [0] * len(states)
    options: list[list[Factor]] = []
    accesses: list[list[Factor]] = []
    for k, (state, sizes) in enumerate(zip(states, all_sizes, strict=True)):
        top = state.levels[-1] is mem
        if top:
            offsets[k] = len(sizes) - 1
            sizes = [sizes[-1]]
        remaining = ordering[state.start :]
        options.append(sizes)
        accesses.append(
            [0 if top else math.prod(s for _, s in remaining[i + offsets[k] :]) * size for i, size in enumerate(sizes)]
        )
    counts = [len(sizes) for sizes in options]
    best: list[int] = [0] * len(states)
    best_accesses: Factor = math.inf
    for i in range(math.prod(counts)):
        size_comb: Factor = 0
        accesses_comb: Factor = 0
        idxs: list[int] = []
        for k in range(len(states)):
            j = (i // math.prod(counts[k + 1 :])) % counts[k]
            idxs.append(j + offsets[k])
            size_comb += options[k][j]
            accesses_comb += accesses[k][j]
        if size_comb > mem.size_bits:
            if i == 0:
                raise MemoryTooSmallError(
                    f"{mem.name} cannot hold what the levels below it hold for "
                    + ", ".join(str(s.op) for s in states)
                    + f" ({size_comb} > {mem.size_bits} bits)",
                    memory=mem.name,
                    operand=states[0].op,
                )
            continue
        if accesses_comb <= best_accesses:
            best_accesses = accesses_comb
            best = idxs
    return best


def _allocate_memory(layer: Layer, mem: Memory, states: list[_Operand], ordering: Sequence[Loop]) -> None:
    all_sizes = [_size_slices(layer, state, ordering, mem) for state in states]
    chosen = _best_combination(states, all_sizes, mem, ordering)
    for state, count in zip(states, chosen, strict=True):
        taken = ordering[state.start : state.start + count]
        state.allocated.extend(taken)
        state.start += count
        state.cuts.append(state.start)
        state.allocated.extend(state.spatial[state.level + 1])
        if mem is state.levels[-1] and state.start < len(ordering):
            raise MemoryHierarchyTooSmallError(
                f"{mem.name}, the top memory of {state.op}, cannot hold all its remaining loops "
                f"{list(ordering[state.start :])}",
                memory=mem.name,
                operand=state.op,
            )
        state.level += 1


def allocate_zigzag(
    layer: Layer,
    core: Core,
    spatial: SpatialMapping,
    ordering: Sequence[Loop],
    links: OperandLinks = DEFAULT_LINKS,
) -> TemporalMapping:
    """The uneven temporal mapping ZigZag's LOMA ``MemoryAllocator`` makes of a complete `ordering` (innermost
    first): the loops as given, and per operand the cut of each of its memory levels.

    Raises `MemoryTooSmallError` or `MemoryHierarchyTooSmallError` (both `AllocationError`, a `MappingError`)
    when the ordering does not fit, as ZigZag does; use `try_allocate_zigzag` to get None instead.
    """
    loops: tuple[Loop, ...] = tuple((str(dim), int(size)) for dim, size in ordering)
    link_of = dict(links)
    unrolling = greedy_unrolling(spatial, layer, core, fractional=True)
    states: list[_Operand] = []
    for op in layer.operands():
        mem_op = link_of[op]
        levels = core.levels(mem_op)
        per_level = unrolling_per_level(core, levels, unrolling)
        states.append(
            _Operand(
                op=op,
                mem_op=mem_op,
                levels=levels,
                spatial=per_level,
                shape=_shape(layer, op),
                allocated=list(per_level[0]),
            )
        )
    by_mem_op = {state.mem_op: state for state in states}
    for mem in core.memories:
        here = [by_mem_op[m] for m in mem.operands if m in by_mem_op]
        if here:
            _allocate_memory(layer, mem, here, loops)
    return TemporalMapping(loops=loops, cuts=tuple((state.op, tuple(state.cuts)) for state in states))


def try_allocate_zigzag(
    layer: Layer,
    core: Core,
    spatial: SpatialMapping,
    ordering: Sequence[Loop],
    links: OperandLinks = DEFAULT_LINKS,
) -> TemporalMapping | None:
    """`allocate_zigzag`, or None when the ordering does not fit the memories."""
    try:
        return allocate_zigzag(layer, core, spatial, ordering, links)
    except AllocationError:
        return None


def complete_ordering(
    layer: Layer,
    core: Core,
    spatial: SpatialMapping,
    ordering: Sequence[tuple[str, int | None]],
    links: OperandLinks = DEFAULT_LINKS,
) -> tuple[Loop, ...] | None:
    """The ordering ZigZag evaluates without a search, or None when `ordering` is not complete.

    As ZigZag: loops over dims the layer lacks are dropped first; the ordering is complete when every size is an
    integer and, after multiplying the sizes per dim and dropping products of 1, they equal the temporal trip
    counts ZigZag schedules (`zigzag_temporal_sizes`).
    """
    loops = loma_complete_ordering(tuple(ordering), layer.dims, zigzag_temporal_sizes(layer, core, spatial, links))
    return None if loops is None else tuple(loops)


# ----------------------------------------------------------------------------------------------------------------
# A user-fixed spatial mapping, as ZigZag reduces it before evaluating
# ----------------------------------------------------------------------------------------------------------------


def reduce_user_spatial(
    layer: Layer, core: Core, spatial: SpatialMapping, links: OperandLinks = DEFAULT_LINKS
) -> SpatialMapping:
    """The spatial mapping ZigZag evaluates for a user mapping that names every array dim (its
    `SpatialMappingGeneratorStage` on a fully fixed entry): unrolled dims the layer lacks are dropped; each factor
    is clipped to the largest unrolling allowed (layer size, array size, innermost-memory bandwidth); an array dim
    still over its size loses unrollings; a layer dim unrolled beyond its size loses unrollings; finally the
    unrollings are limited to the innermost memories' capacity (`search.spatial` reproduces every step)."""
    spec = MappingSpec(name="user", spatial=spatial, operand_links=links)
    reduced = zigzag_spatial_mappings(layer, core, spec, nb_mappings=1, links=links)[0]
    return SpatialMapping(unrolling=reduced.unrolling, hints=spatial.hints)


# ----------------------------------------------------------------------------------------------------------------
# A user-fixed mapping (complete spatial mapping + complete ordering), as ZigZag evaluates it without a search
# ----------------------------------------------------------------------------------------------------------------


class SearchNeededError(MappingError):
    """The mapping entry leaves part of the mapping open: a mapping search must complete it."""

    def __init__(self, layer: str, reason: str) -> None:
        super().__init__(f"layer {layer!r} needs a mapping search: {reason}")
        self.layer = layer
        self.reason = reason


@dataclass(frozen=True, slots=True, kw_only=True)
class FixedMapping:
    """What ZigZag evaluates for a fully user-fixed mapping entry: the reduced spatial mapping, the temporal
    mapping its LOMA allocator makes of the complete ordering, and the operand links."""

    spatial: SpatialMapping
    temporal: TemporalMapping
    links: OperandLinks


def _spatial_input_problems(core: Core, spatial: SpatialMapping) -> list[Problem]:
    problems = []
    for oa, pairs in spatial.unrolling:
        if oa not in core.pe_array.dims:
            problems.append(
                Problem(
                    rule="the spatial mapping names an array dimension the core does not have",
                    key_path=f"spatial_mapping.{oa}",
                    value=oa,
                    accepted=", ".join(core.pe_array.dims),
                )
            )
        for dim, factor in pairs:
            if factor < 1:
                problems.append(
                    Problem(
                        rule="an unrolling factor must be >= 1", key_path=f"spatial_mapping.{oa}.{dim}", value=factor
                    )
                )
    return problems


def _reduced_zero_problems(layer: Layer, user: SpatialMapping, reduced: SpatialMapping) -> list[Problem]:
    """ZigZag limits an unrolling to bandwidth // precision, which is 0 when the innermost memory cannot carry one
    element per cycle; ZigZag then fails. Report it instead."""
    return [
        Problem(
            rule="the innermost memory's bandwidth is below one element of the operand per cycle, so ZigZag limits "
            "this unrolling to 0 (and fails)",
            key_path=f"spatial_mapping.{oa}.{dim}",
            value=dict(user.on(oa)).get(dim),
            accepted="an accelerator whose innermost memories carry at least one element per cycle",
        )
        for oa, pairs in reduced.unrolling
        for dim, factor in pairs
        if factor < 1
    ]


def fixed_mapping(layer: Layer, core: Core, spec: MappingSpec) -> FixedMapping:
    """The mapping ZigZag evaluates for a mapping entry that fixes everything: a spatial mapping naming every array
    dim (reduced by `reduce_user_spatial`) and a complete temporal ordering (`complete_ordering`), allocated by
    `allocate_zigzag`.

    Raises `SearchNeededError` when the entry leaves the spatial mapping or the ordering open, `InputError` for a
    spatial mapping that cannot apply to the core, and `AllocationError` when the ordering does not fit.
    """
    missing = [oa for oa in core.pe_array.dims if oa not in spec.spatial.oa_dims]
    if missing:
        raise SearchNeededError(
            layer.name, f"mapping entry {spec.name!r} gives no spatial mapping for array dim(s) {', '.join(missing)}"
        )
    raise_if(_spatial_input_problems(core, spec.spatial))
    spatial = reduce_user_spatial(layer, core, spec.spatial, spec.operand_links)
    raise_if(_reduced_zero_problems(layer, spec.spatial, spatial))
    needed = zigzag_temporal_sizes(layer, core, spatial, spec.operand_links)
    ordering = complete_ordering(layer, core, spatial, spec.temporal_ordering, spec.operand_links)
    if ordering is None:
        given = " ".join(f"{d}{'*' if s is None else s}" for d, s in spec.temporal_ordering) or "none"
        wanted = " ".join(f"{d}{s}" for d, s in needed.items())
        raise SearchNeededError(
            layer.name,
            f"mapping entry {spec.name!r} has no complete temporal ordering (given: {given}; the loops to order: "
            f"{wanted})",
        )
    temporal = allocate_zigzag(layer, core, spatial, ordering, spec.operand_links)
    return FixedMapping(spatial=spatial, temporal=temporal, links=spec.operand_links)
