"""Spatial mapping: which layer dims unroll on which PE-array dims, and by how much (mixed unrolling allowed)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from zigzag_opt.hardware.accelerator import Core
from zigzag_opt.hardware.memory import MemOperand, Memory
from zigzag_opt.workload.layer import Layer, Operand

__all__ = ["DEFAULT_LINKS", "OperandLinks", "SpatialMapping", "Unrolling", "greedy_unrolling", "unrolling_per_level"]

#: Per array dim, the (layer dim, factor) pairs unrolled there; factors may be fractional (greedy mapping).
Unrolling = tuple[tuple[str, tuple[tuple[str, float], ...]], ...]

OperandLinks = tuple[tuple[Operand, MemOperand], ...]
DEFAULT_LINKS: OperandLinks = (
    (Operand.O, MemOperand.O),
    (Operand.W, MemOperand.I2),
    (Operand.I, MemOperand.I1),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class SpatialMapping:
    """`unrolling`: per array dim, the (layer dim, factor) pairs unrolled on it (several = mixed unrolling).

    `hints`: per array dim, the layer dims a mapper may unroll there when the dim is not fixed.
    """

    unrolling: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = ()
    hints: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @classmethod
    def of(cls, mapping: dict[str, dict[str, int]]) -> SpatialMapping:
        """Shorthand: ``SpatialMapping.of({"D1": {"K": 32}, "D2": {"C": 32}})``."""
        return cls(unrolling=tuple((oa, tuple(pairs.items())) for oa, pairs in mapping.items()))

    def on(self, oa_dim: str) -> tuple[tuple[str, int], ...]:
        for oa, pairs in self.unrolling:
            if oa == oa_dim:
                return pairs
        return ()

    def hint(self, oa_dim: str) -> tuple[str, ...] | None:
        for oa, dims in self.hints:
            if oa == oa_dim:
                return dims
        return None

    @property
    def oa_dims(self) -> tuple[str, ...]:
        return tuple(oa for oa, _ in self.unrolling)

    def total(self, layer_dim: str) -> int:
        """Product of the factors of `layer_dim` over every array dim."""
        return math.prod(f for _, pairs in self.unrolling for d, f in pairs if d == layer_dim)

    def oa_product(self, oa_dim: str) -> int:
        return math.prod(f for _, f in self.on(oa_dim))

    @property
    def utilised_macs(self) -> int:
        return math.prod(f for _, pairs in self.unrolling for _, f in pairs)

    def render(self) -> str:
        parts = [f"{oa}: " + " · ".join(f"{d}{f}" for d, f in pairs) for oa, pairs in self.unrolling]
        return ", ".join(parts) or "(none)"


def greedy_unrolling(spatial: SpatialMapping, layer: Layer, core: Core, *, fractional: bool) -> Unrolling:
    """ZigZag's greedy conversion of a user spatial mapping.

    Each factor is clipped to its array dim; dims the layer lacks are dropped. The first array dim holding the
    largest unrolling of a layer dim absorbs a non-divisible remainder: its factor becomes D / ceil(D / u)
    (divided by what earlier array dims already unroll), fractional for energy or truncated for latency.
    """
    out: list[tuple[str, tuple[tuple[str, float], ...]]] = []
    for oa, pairs in spatial.unrolling:
        kept: list[tuple[str, float]] = []
        for dim, factor in pairs:
            if dim not in layer.dims:
                continue
            u = min(factor, core.pe_array.size(oa))
            if _first_max_oa(spatial, dim) == oa:
                early = math.prod(f for _, prs in out for d, f in prs if d == dim)
                remainder = math.ceil(layer.size(dim) / (u * early))
                new = layer.size(dim) / remainder / early
                kept.append((dim, new if fractional else int(new)))
            else:
                kept.append((dim, u))
        if kept:
            out.append((oa, tuple(kept)))
    return tuple(out)


def _first_max_oa(spatial: SpatialMapping, dim: str) -> str:
    sizes = [(oa, dict(pairs).get(dim, 0)) for oa, pairs in spatial.unrolling]
    best = max(s for _, s in sizes)
    return next(oa for oa, s in sizes if s == best and dim in dict(spatial.on(oa)))


def unrolling_per_level(core: Core, levels: tuple[Memory, ...], unrolling: Unrolling) -> list[list[tuple[str, float]]]:
    """ZigZag's spatial loops per architecture level of one operand: level ℓ < M holds the unrollings on the array
    dims memory ℓ serves and no lower memory of the operand serves (a layer dim on several such array dims is
    merged into one factor); level M holds the unrollings on array dims no memory of the operand serves."""
    remaining = dict(unrolling)
    per_level: list[list[tuple[str, float]]] = []
    for mem in levels:
        acc: dict[str, float] = {}
        for oa in core.pe_array.dims:  # the order inside a level changes no product
            if oa in mem.served_dims and oa in remaining:
                for dim, f in remaining.pop(oa):
                    acc[dim] = acc.get(dim, 1) * f
        per_level.append(list(acc.items()))
    top: dict[str, float] = {}
    for pairs in remaining.values():
        for dim, f in pairs:
            top[dim] = top.get(dim, 1) * f
    per_level.append(list(top.items()))
    return per_level
