"""Spatial mapping generation: which layer dims to unroll on which PE-array dims.

Two modes:

* `zigzag_spatial_mappings` — exactly what ZigZag 3.9.1's ``SpatialMappingGeneratorStage`` yields for one layer
  (same mappings, same order, same factors), so that a search seeded with them reproduces ZigZag's results.
* `enumerate_spatial_mappings` — every legal unrolling (mixed unrolling, any number of array dims), for searches
  that look beyond ZigZag's top three.

ZigZag's behaviour, step by step (``zigzag/stages/mapping/spatial_mapping_generation.py``, ``SpatialMapping`` and
``SpatialMappingHint`` in ``zigzag/mapping/spatial_mapping.py``):

1. Hints: an array dim whose hint names none of the layer's dims loses its hint; an array dim without a hint may
   unroll every layer dim. Hints for array dims the core lacks are never read.
2. Maximum unrolling per (array dim, layer dim): ``min(layer size, array size)``, then capped by the memory
   bandwidth (`zigzag_max_unrolling`): for every *inner* memory, every operand it holds that the layer links, every
   array dim it serves, every layer dim not irrelevant to the operand is capped at ``bandwidth_max // precision``
   (written-from-below bandwidth for the output, read-to-below bandwidth for inputs). An inner memory is a node of
   ZigZag's hierarchy graph with in-degree 0: a memory none of whose operands is held by a memory listed before it.
   A memory that is innermost for one operand but above another (tpu_like's ``sram_2MB``) is not looked at.
   ZigZag's "irrelevant" dims leave out dims of size 1, so those count as relevant here. Operands of precision 0
   (a pooling layer's W) are never limited, here or in step 7.
3. The user's unrolling is reduced (``check_and_reduce``): layer dims the layer lacks are deleted; each factor is
   capped at its maximum; while an array dim's product exceeds its size, the first layer dim in the iteration
   order of a Python ``set`` of ZigZag ``LayerDim`` objects is deleted; while a layer dim's total exceeds its size,
   its unrolling is deleted from the first array dim of a ``set`` of ``OADimension`` objects.
4. If the user fixes every array dim (an empty list counts), that one mapping is returned.
5. Otherwise, per array dim to fill, candidates: per hinted layer dim (in ``set`` order), one unrolling per divisor
   of its maximum, largest first, 1 included; with mixing, every combination of 2..n hinted dims (in
   ``itertools.combinations`` order over the ``set``) with every product of their divisors > 1 (ascending, last
   dim fastest) whose product fits the array dim.
6. The Cartesian product over the array dims to fill, kept if every layer dim's total fits the layer, ranked by
   ``get_performance_indicator`` (hw utilisation u plus u / (largest total unrolling of one layer dim) − 1), ties
   by the candidates' positions in step 5 (lexicographic over the array dims to fill, in the core's order). The
   top `nb_mappings` are kept.
7. Each kept mapping is clipped to the capacity of the inner memories (``limit_unrolling_to_mem_capacity``): if the
   product of the non-irrelevant unrollings on the array dims a memory serves exceeds size / precision, the first
   largest factor (factors listed per layer dim in ``set`` order, then per served array dim in ``set`` order) is
   decremented until the product fits or every factor is 1; the new factors are then looked up *by old value*, so
   two layer dims that had the same factor both take the value of the last one. The per-array-dim unrollings of the
   generated candidates are shared objects in ZigZag: clipping one mapping also changes every other kept mapping
   that uses the same candidate for that array dim, and the result is what ZigZag evaluates (it collects all
   mappings first).

Iteration orders of ZigZag's sets are reproduced exactly: its ``LayerDim``/``OADimension`` hash is
``sha512(pickle(name)) ^ sha512(pickle(class))``; Python sets of objects with those hashes, built by the same
insertions, iterate in the same order (`_set_order`). Those hashes do not depend on ``PYTHONHASHSEED``, so 3.9.1's
order, ties included, is the same on every run (checked with several hash seeds; the run-to-run variation of its
issue #72 does not show), and it is the order returned here.

Not reproduced: ``enable_weight_diagonal_mapping`` (the IMC diagonal OX/OY unrolling and the innermost input memory
enlarged for it); it is off in ZigZag's API and tests.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from zigzag_opt.errors import InfeasibleError, InputError, Problem
from zigzag_opt.hardware.accelerator import Core
from zigzag_opt.hardware.memory import Direction, MemOperand, Memory
from zigzag_opt.mapping.spatial import DEFAULT_LINKS, OperandLinks, SpatialMapping
from zigzag_opt.mapping.spec import MappingSpec
from zigzag_opt.mapping.zigzag_order import LAYER_DIM, OA_DIM, zigzag_name_hash, zigzag_set_order
from zigzag_opt.workload.layer import Layer, Operand

__all__ = [
    "HintsLike",
    "enumerate_spatial_mappings",
    "performance_indicator",
    "utilisation",
    "zigzag_max_unrolling",
    "zigzag_name_hash",
    "zigzag_spatial_mappings",
]

#: Hints as `SpatialMapping.hints` stores them, or as a plain mapping array dim -> layer dims.
HintsLike = Mapping[str, Sequence[str]] | Sequence[tuple[str, Sequence[str]]]

# Per array dim, the mutable unrolling ZigZag keeps (its ``MappingSingleOADim``): layer dim -> factor, in order.
_Unrolled = dict[str, int]
# A whole mapping: array dim -> unrolling, in ZigZag's dict order.
_Mapping = dict[str, _Unrolled]


# ======================================================================================================
# ZigZag's set iteration order
# ======================================================================================================

_LAYER_DIM = LAYER_DIM
_OA_DIM = OA_DIM
_set_order = zigzag_set_order


# ======================================================================================================
# Facts about the layer and the core that ZigZag's generator reads
# ======================================================================================================


@dataclass(frozen=True, slots=True, eq=False)
class _Facts:
    dims: tuple[str, ...]
    sizes: dict[str, int]
    oa_sizes: dict[str, int]
    inner: tuple[Memory, ...]
    operand_of: dict[MemOperand, Operand]
    precision: dict[Operand, int]
    irrelevant: dict[Operand, frozenset[str]]


def _inner_memories(core: Core) -> tuple[Memory, ...]:
    """ZigZag's ``get_inner_memories``: memories none of whose operands a memory listed before them holds."""
    seen: set[MemOperand] = set()
    inner: list[Memory] = []
    for mem in core.memories:
        if not any(op in seen for op in mem.operands):
            inner.append(mem)
        seen.update(mem.operands)
    return tuple(inner)


def _zigzag_irrelevant(layer: Layer, operand: Operand) -> frozenset[str]:
    """ZigZag's ``get_operand_irrelevant_layer_dims``: dims not indexing the operand, of size other than 1; for an
    operand with a derived index (IX), dims in any dimension relation are not irrelevant either."""
    indices = set(layer.indices(operand))
    derived = {rel.derived for rel in layer.relations}
    excluded = set(indices)
    if indices & derived:
        excluded |= derived | {dim for rel in layer.relations for dim, _ in rel.terms}
    return frozenset(d for d in layer.dims if d not in excluded and layer.size(d) != 1)


def _facts(layer: Layer, core: Core, links: OperandLinks) -> _Facts:
    operand_of = {mem_op: op for op, mem_op in links}
    operands = tuple(dict.fromkeys(op for op, _ in links))
    return _Facts(
        dims=layer.dims,
        sizes=dict(zip(layer.dims, layer.sizes, strict=True)),
        oa_sizes=dict(zip(core.pe_array.dims, core.pe_array.sizes, strict=True)),
        inner=_inner_memories(core),
        operand_of=operand_of,
        precision={op: layer.precision.bits(op, partial=True) for op in operands},
        irrelevant={op: _zigzag_irrelevant(layer, op) for op in operands},
    )


def _linked(facts: _Facts, mem: Memory) -> Iterator[tuple[MemOperand, Operand]]:
    for mem_op in mem.operands:
        op = facts.operand_of.get(mem_op)
        if op is not None:
            yield mem_op, op


def _max_unrolling(facts: _Facts) -> dict[str, dict[str, int]]:
    """ZigZag's ``get_max_unrolling``: array dim -> layer dim -> largest allowed factor."""
    caps = {oa: {d: min(facts.sizes[d], size) for d in facts.dims} for oa, size in facts.oa_sizes.items()}
    for mem in facts.inner:
        for mem_op, op in _linked(facts, mem):
            direction = Direction.WR_IN_BY_LOW if op is Operand.O else Direction.RD_OUT_TO_LOW
            port = mem.port_for(mem_op, direction)
            precision = facts.precision[op]
            if port is None or precision <= 0:
                continue
            multicast = port.bandwidth_max_bits // precision
            for oa in mem.served_dims:
                for dim, cap in caps[oa].items():
                    if dim not in facts.irrelevant[op] and multicast < cap:
                        caps[oa][dim] = multicast
    return caps


def zigzag_max_unrolling(layer: Layer, core: Core, *, links: OperandLinks = DEFAULT_LINKS) -> dict[str, dict[str, int]]:
    """ZigZag's maximum unrolling per (array dim, layer dim): ``min(layer size, array size)`` capped by the
    multicast bandwidth of the inner memories (see the module docstring, step 2)."""
    return _max_unrolling(_facts(layer, core, links))


# ======================================================================================================
# ZigZag mode
# ======================================================================================================


def _template(spec: MappingSpec, facts: _Facts) -> _Mapping:
    """The user's unrolling as ZigZag's mutable mapping; array dims the core lacks are an input error (ZigZag
    fails on them with a KeyError)."""
    template: _Mapping = {oa: dict(pairs) for oa, pairs in spec.spatial.unrolling}
    problems = [
        Problem(
            rule="the spatial mapping names an array dimension the core does not have",
            key_path=f"{spec.name}.spatial_mapping.{oa}",
            value=oa,
            accepted=", ".join(facts.oa_sizes),
        )
        for oa in template
        if oa not in facts.oa_sizes
    ]
    if problems:
        raise InputError(problems)
    return template


def _total(mapping: _Mapping, dim: str) -> int:
    return math.prod(unrolled[dim] for unrolled in mapping.values() if dim in unrolled)


def _check_and_reduce(template: _Mapping, caps: dict[str, dict[str, int]], facts: _Facts) -> None:
    """ZigZag's ``SpatialMapping.check_and_reduce``, in place."""
    for unrolled in template.values():
        for dim in [d for d in unrolled if d not in facts.sizes]:
            del unrolled[dim]
    for oa, unrolled in template.items():
        for dim, factor in unrolled.items():
            unrolled[dim] = min(factor, caps[oa][dim])
        while math.prod(unrolled.values()) > facts.oa_sizes[oa]:
            del unrolled[_set_order(_LAYER_DIM, tuple(unrolled))[0]]
    for dim in facts.dims:
        while _total(template, dim) > facts.sizes[dim]:
            holders = tuple(oa for oa in _set_order(_OA_DIM, tuple(template)) if dim in template[oa])
            del template[_set_order(_OA_DIM, holders)[0]][dim]


def _effective_hints(hints: HintsLike | None, facts: _Facts) -> dict[str, tuple[str, ...]]:
    """``clear_invalid_hits`` then ``complete_with_defaults``: array dim -> hinted names, in the given order."""
    given = dict(hints.items() if isinstance(hints, Mapping) else hints or ())
    out = {oa: tuple(names) for oa, names in given.items() if any(n in facts.sizes for n in names)}
    for oa in facts.oa_sizes:
        out.setdefault(oa, facts.dims)
    return out


def _divisors(n: int) -> list[int]:
    """Divisors of n, ascending; none for n < 1 (as sympy's ``divisors(0)``)."""
    if n < 1:
        return []
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return small + [n // d for d in reversed(small) if d * d != n]


def _bounded_products(dims: tuple[str, ...], pools: list[list[int]], limit: int) -> Iterator[_Unrolled]:
    """``itertools.product(*pools)`` (pools ascending, last fastest) filtered to products <= limit, without
    visiting the branches that cannot fit."""
    if not all(pools):
        return
    floor = [1] * (len(pools) + 1)
    for i in range(len(pools) - 1, -1, -1):
        floor[i] = floor[i + 1] * pools[i][0]

    def walk(i: int, product: int, chosen: tuple[int, ...]) -> Iterator[_Unrolled]:
        if i == len(pools):
            yield dict(zip(dims, chosen, strict=True))
            return
        for factor in pools[i]:
            if product * factor * floor[i + 1] > limit:
                break
            yield from walk(i + 1, product * factor, (*chosen, factor))

    yield from walk(0, 1, ())


def _candidates_one_oa_dim(hinted: tuple[str, ...], caps: dict[str, int], size: int, mix: bool) -> list[_Unrolled]:
    """``generate_spatial_mapping_single_oa_dim``, in ZigZag's order. Mixed candidates naming a hinted dim the
    layer lacks (factor 0 in ZigZag) are left out: they can never be valid, and dropping them keeps the relative
    order of the others."""
    order = _set_order(_LAYER_DIM, hinted)
    out: list[_Unrolled] = [{dim: f} for dim in order if dim in caps for f in reversed(_divisors(caps[dim]))]
    if mix:
        pools = {dim: [f for f in _divisors(caps[dim]) if f > 1] for dim in order if dim in caps}
        for length in range(2, len(order) + 1):
            for combo in itertools.combinations(order, length):
                if all(dim in pools for dim in combo):
                    out.extend(_bounded_products(combo, [pools[dim] for dim in combo], size))
    return out


def _indicator(utilization: int, totals: Mapping[str, int]) -> float:
    """``SpatialMapping.get_performance_indicator`` from the hardware utilisation and the per-dim totals."""
    largest = max(totals.values())
    if largest == 0:
        raise InfeasibleError(
            "every unrolled layer dim has a total factor of 0 (an inner memory's bandwidth is below the operand "
            "precision), so ZigZag's performance indicator is undefined (ZigZag fails with ZeroDivisionError)"
        )
    hw = float(utilization)
    return hw + (hw / largest - 1)


@dataclass(slots=True)
class _Ranking:
    """Branch and bound for the `keep` best combinations by (−indicator, candidate positions). The indicator of a
    mapping with utilisation u and largest per-layer-dim total m is u + u/m − 1 <= 2u − 1; a branch whose best
    reachable utilisation U (and, once some totals are known, U + U/m − 1) cannot reach the worst kept indicator is
    cut. The result equals sorting every valid combination and taking the first `keep` (ties included: a bound
    equal to the worst kept indicator is explored)."""

    options: list[list[_Unrolled]]
    sizes: dict[str, int]
    keep: int
    kept: list[tuple[float, tuple[int, ...]]]

    def run(self, fixed: _Mapping) -> list[tuple[int, ...]]:
        utils = [[math.prod(o.values()) for o in opts] for opts in self.options]
        orders = [sorted(range(len(u)), key=u.__getitem__, reverse=True) for u in utils]
        best_rest = [1] * (len(utils) + 1)
        for depth in range(len(utils) - 1, -1, -1):
            best_rest[depth] = best_rest[depth + 1] * max(utils[depth], default=0)
        totals: dict[str, int] = {}
        for unrolled in fixed.values():
            for dim, factor in unrolled.items():
                totals[dim] = totals.get(dim, 1) * factor
        start = math.prod(math.prod(u.values()) for u in fixed.values())
        self._visit(0, start, totals, (), utils, orders, best_rest)
        return [positions for _, positions in self.kept]

    def _visit(
        self,
        depth: int,
        utilization: int,
        totals: dict[str, int],
        chosen: tuple[int, ...],
        utils: list[list[int]],
        orders: list[list[int]],
        best_rest: list[int],
    ) -> None:
        if depth == len(self.options):
            key = (-_indicator(utilization, totals), chosen)
            if len(self.kept) < self.keep or key < self.kept[-1]:
                bisect.insort(self.kept, key)
                del self.kept[self.keep :]
            return
        for index in orders[depth]:
            full = len(self.kept) >= self.keep
            reach = utilization * utils[depth][index]
            bound = reach * best_rest[depth + 1]
            if full and 2 * bound - 1 < -self.kept[-1][0]:
                break  # options come by utilisation, descending: no later one can do better
            merged = dict(totals)
            for dim, factor in self.options[depth][index].items():
                merged[dim] = merged.get(dim, 1) * factor
            if any(merged[dim] > self.sizes.get(dim, 0) for dim in self.options[depth][index]):
                continue
            largest = max(merged.values(), default=0)
            if full and largest > 0 and bound + (bound / largest - 1) < -self.kept[-1][0]:
                continue  # the largest total only grows, so the indicator stays below this bound
            self._visit(depth + 1, reach, merged, (*chosen, index), utils, orders, best_rest)


def _limit_to_capacity(mapping: _Mapping, facts: _Facts) -> None:
    """ZigZag's ``limit_unrolling_to_mem_capacity``, in place (on shared per-array-dim unrollings)."""
    for mem in facts.inner:
        for _, op in _linked(facts, mem):
            served = _set_order(_OA_DIM, mem.served_dims)
            irrelevant = facts.irrelevant[op]
            limited = [dim for oa in served for dim in mapping[oa] if dim not in irrelevant]
            total = math.prod(mapping[oa][dim] for oa in served for dim in mapping[oa] if dim not in irrelevant)
            precision = facts.precision[op]
            room = mem.size_bits / precision if precision > 0 else math.inf
            if room < total:
                _shrink(mapping, served, _set_order(_LAYER_DIM, tuple(limited)), room)


def _shrink(mapping: _Mapping, served: tuple[str, ...], dims: tuple[str, ...], room: float) -> None:
    """Decrement the first largest factor until the product fits (never below 1), then map old -> new factor by
    value, the last of equal old values winning (ZigZag's ``limit_loop_unrolling``)."""
    old = [mapping[oa][dim] for dim in dims for oa in served if dim in mapping[oa]]
    new = list(old)
    while math.prod(new) > room and any(f > 1 for f in new):
        new[new.index(max(new))] -= 1
    new_of = dict(zip(old, new, strict=True))
    for oa in served:
        mapping[oa].update({dim: new_of[f] if dim in dims else f for dim, f in mapping[oa].items()})


def _as_spatial(mapping: _Mapping) -> SpatialMapping:
    return SpatialMapping(unrolling=tuple((oa, tuple(unrolled.items())) for oa, unrolled in mapping.items()))


def zigzag_spatial_mappings(
    layer: Layer,
    core: Core,
    spec: MappingSpec,
    *,
    nb_mappings: int = 3,
    enable_mix: bool = False,
    links: OperandLinks | None = None,
    limit_to_capacity: bool = True,
) -> list[SpatialMapping]:
    """The user-level spatial mappings ZigZag 3.9.1's ``SpatialMappingGeneratorStage`` yields for `layer` on
    `core` with mapping entry `spec` (chosen by `select_spec`), in its order, with its factors.

    `nb_mappings` is ZigZag's ``nb_mappings_generated``; `enable_mix` its ``enable_mix_spatial_mapping_generation``
    (the API turns it on for ``enable_mix_spatial_mapping=True`` and for IMC). `links` default to the spec's
    ``operand_links``. `limit_to_capacity=False` skips the final clipping to the inner memories' capacity (ZigZag
    always applies it; the option shows the candidates as ranked).

    Each returned mapping lists every array dim of the core (in ZigZag's dict order: the user's array dims first,
    then the generated ones in the core's order), an empty tuple where nothing is unrolled, and may hold factor-1
    entries. It is the mapping ZigZag stores on the layer (its systolic drain term reads it) and converts to
    per-level unrollings. See the module docstring for the rules; the weight-diagonal IMC option is not modelled.

    Raises `InputError` for ``nb_mappings < 1`` or a user mapping naming an array dim the core lacks, and
    `InfeasibleError` when no candidate is valid (ZigZag's assertion).
    """
    if nb_mappings < 1:
        raise InputError.one("nb_mappings must be at least 1", key_path="nb_mappings", value=nb_mappings)
    facts = _facts(layer, core, spec.operand_links if links is None else links)
    caps = _max_unrolling(facts)
    template = _template(spec, facts)
    _check_and_reduce(template, caps, facts)
    to_fill = [oa for oa in facts.oa_sizes if oa not in template]
    if not to_fill:
        mappings = [template]
    else:
        hints = _effective_hints(spec.spatial.hints, facts)
        options = [_candidates_one_oa_dim(hints[oa], caps[oa], facts.oa_sizes[oa], enable_mix) for oa in to_fill]
        ranking = _Ranking(options=options, sizes=facts.sizes, keep=nb_mappings, kept=[])
        picks = ranking.run(template)
        if not picks:
            raise InfeasibleError(f"no valid spatial mapping for layer {layer.name!r} on core {core.name!r}")
        mappings = []
        for positions in picks:
            mapping = {oa: dict(unrolled) for oa, unrolled in template.items()}
            for depth, (oa, index) in enumerate(zip(to_fill, positions, strict=True)):
                mapping[oa] = options[depth][index]  # shared with the other picks, as in ZigZag
            mappings.append(mapping)
    if limit_to_capacity:
        for mapping in mappings:
            _limit_to_capacity(mapping, facts)
    return [_as_spatial(mapping) for mapping in mappings]


# ======================================================================================================
# Helpers: utilisation and ZigZag's ranking
# ======================================================================================================


def utilisation(spatial: SpatialMapping, core: Core) -> float:
    """Fraction of the core's MACs the unrolling uses (product of all factors / array size)."""
    return spatial.utilised_macs / core.pe_array.mac_count


def performance_indicator(spatial: SpatialMapping) -> float:
    """ZigZag's ``get_performance_indicator``: u + u / (largest total unrolling of one layer dim) − 1, u the
    product of all factors. It orders by utilisation first, then favours spreading over several layer dims.
    A mapping that unrolls nothing scores 1."""
    totals: dict[str, int] = {}
    for _, pairs in spatial.unrolling:
        for dim, factor in pairs:
            totals[dim] = totals.get(dim, 1) * factor
    return _indicator(spatial.utilised_macs, totals or {"": 1})


# ======================================================================================================
# Enumeration mode
# ======================================================================================================


def _factor_choices(size: int, cap: int) -> list[int]:
    """Factors > 1 tried for a layer dim of `size` with largest allowed factor `cap`, descending: the divisors of
    `size` up to `cap`, and the divisors of `cap` (which include `cap`, the largest factor that fits, and every
    factor ZigZag itself tries)."""
    if cap < 2:
        return []
    return sorted({f for f in _divisors(size) if 1 < f <= cap} | {f for f in _divisors(cap) if f > 1}, reverse=True)


_Option = tuple[tuple[int, int], ...]  # (layer dim position, factor) pairs, positions ascending


def _oa_dim_options(dims: list[int], choices: dict[int, list[int]], size: int) -> list[_Option]:
    """Every unrolling of one array dim: a subset of the layer dims at positions `dims` with one factor each
    (from `choices`), product <= size; the empty unrolling included. Sorted by product descending, then by
    position and larger factors first."""
    out: list[_Option] = []

    def walk(i: int, product: int, chosen: _Option) -> None:
        if i == len(dims):
            out.append(chosen)
            return
        walk(i + 1, product, chosen)
        for factor in choices[dims[i]]:
            if product * factor <= size:
                walk(i + 1, product * factor, (*chosen, (dims[i], factor)))

    walk(0, 1, ())
    out.sort(key=lambda option: (-math.prod(f for _, f in option), [(d, -f) for d, f in option]))
    return out


@dataclass(slots=True)
class _Enumeration:
    """Cross product of per-array-dim options (each list in its canonical order) with every layer dim's total
    checked. Keeps everything, or the first `limit` by (−utilisation, −indicator, option positions) when a limit
    is set, cutting branches whose utilisation cannot reach the last kept one."""

    options: list[list[_Option]]
    sizes: list[int]
    limit: int | None
    found: list[tuple[int, float, tuple[int, ...]]]

    def run(self) -> None:
        utils = [[math.prod(f for _, f in o) for o in opts] for opts in self.options]
        best_rest = [1] * (len(utils) + 1)
        for depth in range(len(utils) - 1, -1, -1):
            best_rest[depth] = best_rest[depth + 1] * max(utils[depth])
        self._visit(0, 1, [1] * len(self.sizes), (), utils, best_rest)

    def _visit(
        self,
        depth: int,
        utilization: int,
        totals: list[int],
        chosen: tuple[int, ...],
        utils: list[list[int]],
        best_rest: list[int],
    ) -> None:
        if depth == len(self.options):
            self._record(utilization, totals, chosen)
            return
        sizes = self.sizes
        for index, option in enumerate(self.options[depth]):
            reach = utilization * utils[depth][index]
            full = self.limit is not None and len(self.found) >= self.limit
            if full and reach * best_rest[depth + 1] < -self.found[-1][0]:
                break
            merged = list(totals)
            for dim, factor in option:
                merged[dim] *= factor
            if all(merged[dim] <= sizes[dim] for dim, _ in option):
                self._visit(depth + 1, reach, merged, (*chosen, index), utils, best_rest)

    def _record(self, utilization: int, totals: list[int], chosen: tuple[int, ...]) -> None:
        hw = float(utilization)
        key = (-utilization, -(hw + (hw / max(totals) - 1)), chosen)
        if self.limit is None:
            self.found.append(key)
        elif len(self.found) < self.limit or key < self.found[-1]:
            bisect.insort(self.found, key)
            del self.found[self.limit :]


def enumerate_spatial_mappings(
    layer: Layer,
    core: Core,
    *,
    hints: HintsLike | None = None,
    max_candidates: int | None = None,
    links: OperandLinks = DEFAULT_LINKS,
    limit_bandwidth: bool = True,
) -> list[SpatialMapping]:
    """Every legal spatial unrolling of `layer` on `core`, best utilisation first.

    Legal: on each array dim any set of layer dims (mixed unrolling; any number of array dims), each with a factor
    >= 2, whose product fits the array dim; each layer dim's total over all array dims fits its size; each factor
    at most ZigZag's maximum unrolling for its (array dim, layer dim) — ``min(layer size, array size)``, capped by
    the inner memories' multicast bandwidth through `links` unless `limit_bandwidth` is False. Hints restrict the
    layer dims per array dim with ZigZag's rules (a hint naming none of the layer's dims is dropped; array dims
    without a hint allow every layer dim).

    Factors tried (the rule that keeps the count sane): the divisors of the layer dim up to the maximum, and the
    divisors of the maximum itself. That includes the largest factor that fits (a non-divisible, greedy factor
    when it does not divide the layer dim) and every factor ZigZag's own generator tries, so ZigZag's candidates
    (before its capacity clipping, factor-1 entries dropped) are always among the results for the same hints when
    the user fixes no array dim.

    Each mapping lists every array dim of the core in the core's order (an empty tuple when nothing is unrolled
    there), layer dims in the layer's order, no factor-1 entries; so no two results are equal. Order: utilisation
    descending, then ZigZag's performance indicator descending (unrollings spread over more layer dims first), then
    array dim by array dim in the core's order, the unrolling with the larger product, then the earlier layer dims
    and larger factors, first. `max_candidates` keeps only the first ones (and searches only for them). The
    mapping that unrolls nothing is legal and comes last. The full list can be large (about 10^5 for a 3x3
    convolution on a 3-D array without hints); pass `max_candidates` or hints to bound it.
    """
    if max_candidates is not None and max_candidates < 1:
        raise InputError.one("max_candidates must be at least 1", key_path="max_candidates", value=max_candidates)
    facts = _facts(layer, core, links)
    caps = (
        _max_unrolling(facts)
        if limit_bandwidth
        else {oa: {d: min(facts.sizes[d], size) for d in facts.dims} for oa, size in facts.oa_sizes.items()}
    )
    allowed = _effective_hints(hints, facts)
    options = []
    for oa, size in facts.oa_sizes.items():
        dims = [i for i, d in enumerate(facts.dims) if d in allowed[oa]]
        choices = {i: _factor_choices(facts.sizes[facts.dims[i]], caps[oa][facts.dims[i]]) for i in dims}
        options.append(_oa_dim_options(dims, choices, size))
    search = _Enumeration(options=options, sizes=list(facts.sizes.values()), limit=max_candidates, found=[])
    search.run()
    search.found.sort()
    oa_dims = tuple(facts.oa_sizes)
    return [
        SpatialMapping(
            unrolling=tuple(
                (oa, tuple((facts.dims[d], f) for d, f in options[depth][index]))
                for depth, (oa, index) in enumerate(zip(oa_dims, chosen, strict=True))
            )
        )
        for *_, chosen in search.found
    ]
