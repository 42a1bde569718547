"""Loop-nest text of a mapping, in the layout of ZigZag's `print_mapping` (outermost loop first)."""

from __future__ import annotations

from zigzag_opt.hardware.accelerator import Core
from zigzag_opt.mapping.spatial import DEFAULT_LINKS, OperandLinks, SpatialMapping
from zigzag_opt.mapping.temporal import TemporalMapping
from zigzag_opt.workload.layer import Layer, Operand

__all__ = ["render_loop_nest"]

_OPERAND_ORDER = (Operand.O, Operand.W, Operand.I)


def render_loop_nest(
    layer: Layer,
    core: Core,
    spatial: SpatialMapping,
    temporal: TemporalMapping,
    links: OperandLinks = DEFAULT_LINKS,
    *,
    indent: int = 2,
) -> str:
    """Temporal loops outermost first, each with the memory that holds each operand there; then `parfor` loops."""
    link_of = dict(links)
    ops = [op for op in _OPERAND_ORDER if op in layer.operands()]
    holders: list[list[str]] = []
    for i in range(len(temporal.loops)):
        row = []
        for op in ops:
            levels = core.levels(link_of[op])
            cuts = temporal.cuts_of(op)
            level = next((m for m, c in enumerate(cuts) if i < c), len(cuts) - 1)
            row.append(levels[level].name)
        holders.append(row)
    spatial_loops = [(d, f) for _, pairs in spatial.unrolling for d, f in pairs]
    n_loops = len(temporal.loops) + len(spatial_loops)
    name_w = max([len(d) for d, _ in (*temporal.loops, *spatial_loops)] or [2])
    loop_w = name_w + 14 + indent * n_loops + 5
    mem_w = max([len(m.name) for m in core.memories] or [4]) + 5
    total_w = loop_w + len(ops) * mem_w
    lines = [f"Loop ordering for {layer.name}; {layer.equation}".rstrip("; ")]

    def header(text: str, cols: list[str]) -> None:
        lines.append("=" * total_w)
        lines.append(text.ljust(loop_w) + "".join(c.ljust(mem_w) for c in cols))
        lines.append("=" * total_w)

    header("Temporal Loops", [str(op) for op in ops])
    offset = 0
    for i in reversed(range(len(temporal.loops))):
        dim, size = temporal.loops[i]
        lines.append(
            f"{' ' * offset}for {dim} in [0, {size}):".ljust(loop_w) + "".join(h.ljust(mem_w) for h in holders[i])
        )
        lines.append("-" * total_w)
        offset += indent
    header("Spatial Loops", ["" for _ in ops])
    for dim, factor in spatial_loops:
        lines.append(f"{' ' * offset}parfor {dim} in [0, {factor}):".ljust(loop_w))
        lines.append("-" * total_w)
    return "\n".join(line.rstrip() for line in lines)
