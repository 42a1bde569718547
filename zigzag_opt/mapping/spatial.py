"""Spatial mapping: which layer dims unroll on which PE-array dims, and by how much (mixed unrolling allowed)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from zigzag_opt.hardware.memory import MemOperand
from zigzag_opt.workload.layer import Operand

__all__ = ["DEFAULT_LINKS", "OperandLinks", "SpatialMapping"]

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
