"""Cores (a PE array plus a memory hierarchy) and accelerators (one or more cores)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from zigzag_opt.errors import Problem, raise_if
from zigzag_opt.hardware.imc import ImcParams, imc_problems
from zigzag_opt.hardware.memory import Direction, MemOperand, Memory, memory_problems
from zigzag_opt.hardware.pe_array import PEArray, pe_array_problems

__all__ = ["Accelerator", "Core"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Core:
    """A PE array and its memories, listed innermost first. A memory holding several operands is shared."""

    name: str
    pe_array: PEArray
    memories: tuple[Memory, ...]
    imc: ImcParams | None = None
    id: int = 0

    def __post_init__(self) -> None:
        raise_if(core_problems(self))

    def levels(self, operand: MemOperand) -> tuple[Memory, ...]:
        """The memories holding `operand`, innermost first."""
        return tuple(m for m in self.memories if operand in m.operands)

    def memory(self, name: str) -> Memory:
        for mem in self.memories:
            if mem.name == name:
                return mem
        raise KeyError(name)

    def instances(self, mem: Memory) -> int:
        """How many copies of `mem` exist: the product of the array dims it does not serve."""
        return math.prod(
            s for d, s in zip(self.pe_array.dims, self.pe_array.sizes, strict=True) if d not in mem.served_dims
        )

    @property
    def is_imc(self) -> bool:
        return self.imc is not None

    @property
    def memory_area_mm2(self) -> float:
        return sum(m.area_mm2 for m in self.memories)


@dataclass(frozen=True, slots=True, kw_only=True)
class Accelerator:
    """One or more cores. ZigZag models a single core; its accelerator is `cores[0]`."""

    name: str
    cores: tuple[Core, ...]

    def __post_init__(self) -> None:
        if not self.cores:
            raise_if([Problem(rule="an accelerator needs at least one core", key_path="cores", value=[])])

    @property
    def core(self) -> Core:
        return self.cores[0]


def core_problems(core: Core) -> list[Problem]:
    problems = pe_array_problems(core.pe_array)
    names = [m.name for m in core.memories]
    for i, mem in enumerate(core.memories):
        key = f"memories.{mem.name}"
        problems.extend(memory_problems(mem, core.pe_array.dims, key))
        if names.index(mem.name) != i:
            problems.append(Problem(rule="memory names must be unique", key_path=key, value=mem.name))
    if not core.memories:
        problems.append(Problem(rule="a core needs at least one memory", key_path="memories", value={}))
        return problems
    for op in MemOperand:
        levels = core.levels(op)
        if not levels:
            problems.append(
                Problem(
                    rule=f"operand {op} is served by no memory",
                    key_path="memories",
                    value=names,
                    accepted=f"at least one memory with {op} in its operands",
                )
            )
            continue
        problems.extend(_direction_problems(op, levels))
    if core.imc is not None:
        problems.extend(imc_problems(core.imc))
    return problems


def _direction_problems(op: MemOperand, levels: tuple[Memory, ...]) -> list[Problem]:
    """Each level must have ports for the directions data of `op` moves in (the top needs no th/fh)."""
    problems: list[Problem] = []
    for i, mem in enumerate(levels):
        # Outputs always arrive from below (fl); psum read-backs (tl/fh of O) are needed only for some mappings.
        needed = [Direction.WR_IN_BY_LOW] if op is MemOperand.O else [Direction.RD_OUT_TO_LOW]
        if i < len(levels) - 1:
            needed.append(Direction.RD_OUT_TO_HIGH if op is MemOperand.O else Direction.WR_IN_BY_HIGH)
        for direction in needed:
            if mem.port_for(op, direction) is None:
                problems.append(
                    Problem(
                        rule=f"no port of this memory carries {op} in direction {direction}",
                        key_path=f"memories.{mem.name}.ports",
                        value=[p.name for p in mem.ports],
                        accepted=f"a port whose allocation lists '{op}, {direction}'",
                    )
                )
    return problems
