"""Structural legality of a mapping for a (layer, core). Returns every violation, never raises."""

from __future__ import annotations

import math

from zigzag_opt.errors import Problem
from zigzag_opt.hardware.accelerator import Core
from zigzag_opt.mapping.spatial import (
    DEFAULT_LINKS,
    OperandLinks,
    SpatialMapping,
    greedy_unrolling,
    unrolling_per_level,
)
from zigzag_opt.mapping.temporal import TemporalMapping
from zigzag_opt.workload.layer import Layer, Operand

__all__ = [
    "imc_spatial_problems",
    "spatial_problems",
    "temporal_loop_sizes",
    "temporal_problems",
    "zigzag_temporal_sizes",
]


def spatial_problems(layer: Layer, core: Core, spatial: SpatialMapping) -> list[Problem]:
    """Array dims exist, each array dim's product fits its size, unrolled dims exist in the layer."""
    problems: list[Problem] = []
    arr = core.pe_array
    for oa, pairs in spatial.unrolling:
        key = f"spatial_mapping.{oa}"
        if oa not in arr.dims:
            problems.append(
                Problem(
                    rule="spatial mapping names an array dimension the core does not have",
                    key_path=key,
                    value=oa,
                    accepted=", ".join(arr.dims),
                )
            )
            continue
        product = math.prod(f for _, f in pairs)
        if product > arr.size(oa):
            problems.append(
                Problem(
                    rule="unrolling exceeds the array dimension's size",
                    key_path=key,
                    value=product,
                    accepted=f"<= {arr.size(oa)}",
                )
            )
        for dim, factor in pairs:
            if factor < 1:
                problems.append(Problem(rule="an unrolling factor must be >= 1", key_path=f"{key}.{dim}", value=factor))
            if dim not in layer.dims:
                problems.append(
                    Problem(
                        rule="spatial mapping unrolls a dim the layer does not have",
                        key_path=f"{key}.{dim}",
                        value=dim,
                        accepted=", ".join(layer.dims),
                    )
                )
    for dim in layer.dims:
        if spatial.total(dim) > layer.size(dim):
            problems.append(
                Problem(
                    rule="total unrolling of a dim exceeds its size",
                    key_path="spatial_mapping",
                    value=f"{dim}{spatial.total(dim)}",
                    accepted=f"<= {layer.size(dim)}",
                )
            )
    return problems


def temporal_loop_sizes(layer: Layer, spatial: SpatialMapping) -> dict[str, int]:
    """Temporal trip count per dim: ceil(size / unrolling), once per array dim it is unrolled on."""
    sizes: dict[str, int] = {}
    for dim, size in zip(layer.dims, layer.sizes, strict=True):
        remaining = size
        for _, pairs in spatial.unrolling:
            for d, f in pairs:
                if d == dim:
                    remaining = math.ceil(remaining / f)
        if remaining > 1:
            sizes[dim] = remaining
    return sizes


def zigzag_temporal_sizes(
    layer: Layer, core: Core, spatial: SpatialMapping, links: OperandLinks = DEFAULT_LINKS
) -> dict[str, int]:
    """The trip counts ZigZag's LOMA schedules: the size divided, level by level of the first input operand, by
    the *fractional* greedy unrolling, rounded up in floating point — so 512 over an unrolling of 5 gives 104,
    not 103 (512 / (512 / 103) is a hair above 103)."""
    first_input = next(op for op in layer.operands() if op is not Operand.O)
    levels = core.levels(dict(links)[first_input])
    unrolling = greedy_unrolling(spatial, layer, core, fractional=True)
    sizes = dict(zip(layer.dims, layer.sizes, strict=True))
    for level in unrolling_per_level(core, levels, unrolling):
        for dim, factor in level:
            if dim in sizes:
                sizes[dim] = math.ceil(sizes[dim] / factor)
    return {d: s for d, s in sizes.items() if s > 1}


def temporal_problems(
    layer: Layer,
    core: Core,
    spatial: SpatialMapping,
    temporal: TemporalMapping,
    links: OperandLinks = DEFAULT_LINKS,
) -> list[Problem]:
    """Loops cover the temporal trip counts exactly; cuts are monotone and end at the last loop."""
    problems: list[Problem] = []
    needed = zigzag_temporal_sizes(layer, core, spatial, links)
    exact = temporal_loop_sizes(layer, spatial)
    have: dict[str, int] = {}
    for i, (dim, size) in enumerate(temporal.loops):
        if dim not in layer.dims:
            problems.append(
                Problem(
                    rule="temporal loop over a dim the layer does not have",
                    key_path=f"temporal_ordering[{i}]",
                    value=dim,
                    accepted=", ".join(layer.dims),
                )
            )
        if size < 1:
            problems.append(Problem(rule="a loop size must be >= 1", key_path=f"temporal_ordering[{i}]", value=size))
        have[dim] = have.get(dim, 1) * size
    for dim in sorted(set(needed) | set(have)):
        if have.get(dim, 1) not in (needed.get(dim, 1), exact.get(dim, 1)) and dim in layer.dims:
            problems.append(
                Problem(
                    rule="temporal loop sizes of a dim must multiply to its temporal trip count",
                    key_path="temporal_ordering",
                    value=f"{dim}{have.get(dim, 1)}",
                    accepted=f"{dim}{needed.get(dim, 1)}",
                )
            )
    link_of = dict(links)
    for op in layer.operands():
        try:
            cuts = temporal.cuts_of(op)
        except KeyError:
            problems.append(
                Problem(
                    rule="the temporal mapping gives no memory allocation for an operand",
                    key_path="temporal_mapping",
                    value=str(op),
                )
            )
            continue
        n_levels = len(core.levels(link_of[op]))
        if len(cuts) != n_levels:
            problems.append(
                Problem(
                    rule=f"operand {op} needs one cut per memory level",
                    key_path=f"temporal_mapping.{op}",
                    value=len(cuts),
                    accepted=str(n_levels),
                )
            )
        if list(cuts) != sorted(cuts) or (cuts and (cuts[-1] != len(temporal.loops) or cuts[0] < 0)):
            problems.append(
                Problem(
                    rule="cuts must be non-decreasing and end at the number of loops",
                    key_path=f"temporal_mapping.{op}",
                    value=cuts,
                    accepted=f"0 <= c1 <= ... <= {len(temporal.loops)}",
                )
            )
    return problems


def imc_spatial_problems(layer: Layer, core: Core, spatial: SpatialMapping) -> list[Problem]:
    """IMC mapping rules. Weights stay in the cells; the first array dim (by name) is the wordline dim, along which
    an input is broadcast to columns that each produce their own outputs, so it may unroll only output-relevant
    dims (K, or OX/OY for ZigZag's diagonal mapping); the second is the bitline dim, along which a column's rows
    are summed into one output, so it may unroll only output-irrelevant dims (C, FX, FY)."""
    if core.imc is None or len(core.pe_array.dims) < 2:
        return []
    wordline, bitline = sorted(core.pe_array.dims)[:2]
    out_dims = set(layer.indices(Operand.O))
    problems = []
    for oa, pairs in spatial.unrolling:
        for dim, factor in pairs:
            if factor <= 1 or dim not in layer.dims:
                continue
            if oa == wordline and dim not in out_dims:
                problems.append(
                    Problem(
                        rule="an IMC wordline dim may unroll only output-relevant dims (columns hold distinct outputs)",
                        key_path=f"spatial_mapping.{oa}.{dim}",
                        value=dim,
                        accepted=", ".join(d for d in layer.dims if d in out_dims),
                    )
                )
            if oa == bitline and dim in out_dims:
                problems.append(
                    Problem(
                        rule="an IMC bitline dim may unroll only output-irrelevant dims (rows are summed into one "
                        "output)",
                        key_path=f"spatial_mapping.{oa}.{dim}",
                        value=dim,
                        accepted=", ".join(d for d in layer.dims if d not in out_dims),
                    )
                )
    return problems
