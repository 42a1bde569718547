"""Temporal mapping: an ordered loop nest (innermost first) and, per operand, where each memory level cuts it."""

from __future__ import annotations

import math
from dataclasses import dataclass

from zigzag_opt.workload.layer import Operand

__all__ = ["Loop", "TemporalMapping"]

Loop = tuple[str, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class TemporalMapping:
    """`loops`: (dim, size) innermost first. `cuts[op][m]`: how many innermost loops memory level m of `op`
    and the levels below it hold (non-decreasing; the last equals ``len(loops)``). Operands may cut at
    different places: this is ZigZag's uneven mapping.
    """

    loops: tuple[Loop, ...]
    cuts: tuple[tuple[Operand, tuple[int, ...]], ...]

    def cuts_of(self, operand: Operand) -> tuple[int, ...]:
        for op, cuts in self.cuts:
            if op is operand:
                return cuts
        raise KeyError(operand)

    def loops_at(self, operand: Operand, level: int) -> tuple[Loop, ...]:
        """The loops memory level `level` of `operand` holds beyond the levels below it."""
        cuts = self.cuts_of(operand)
        start = cuts[level - 1] if level > 0 else 0
        return self.loops[start : cuts[level]]

    def levels_of(self, operand: Operand) -> tuple[tuple[Loop, ...], ...]:
        return tuple(self.loops_at(operand, m) for m in range(len(self.cuts_of(operand))))

    @property
    def cycles(self) -> int:
        return math.prod(s for _, s in self.loops)

    @classmethod
    def from_levels(cls, levels: dict[Operand, list[list[Loop]]]) -> TemporalMapping:
        """Build from ZigZag-style per-operand, per-level loop lists (innermost first). All operands must list
        the same loops in the same order once their levels are concatenated."""
        loops: tuple[Loop, ...] | None = None
        cuts: list[tuple[Operand, tuple[int, ...]]] = []
        for op, per_level in levels.items():
            flat = tuple(loop for level in per_level for loop in level)
            if loops is None:
                loops = flat
            elif flat != loops:
                raise ValueError(f"operand {op} lists a different loop order: {flat} vs {loops}")
            acc, op_cuts = 0, []
            for level in per_level:
                acc += len(level)
                op_cuts.append(acc)
            cuts.append((op, tuple(op_cuts)))
        return cls(loops=loops or (), cuts=tuple(cuts))
