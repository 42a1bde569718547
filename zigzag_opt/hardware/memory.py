"""Memory instances, their ports, and which (memory operand, direction) each port carries."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from zigzag_opt.errors import Problem

__all__ = ["Direction", "MemOperand", "Memory", "Port", "PortType"]


class MemOperand(StrEnum):
    """Hardware-side operand names, as in ZigZag: I1 (activations), I2 (weights), O (outputs)."""

    I1 = "I1"
    I2 = "I2"
    O = "O"  # noqa: E741


class Direction(StrEnum):
    """The four data-movement directions of a memory level (ZigZag's codes)."""

    RD_OUT_TO_LOW = "tl"
    WR_IN_BY_LOW = "fl"
    RD_OUT_TO_HIGH = "th"
    WR_IN_BY_HIGH = "fh"

    @property
    def is_read(self) -> bool:
        return self in (Direction.RD_OUT_TO_LOW, Direction.RD_OUT_TO_HIGH)


class PortType(StrEnum):
    READ = "read"
    WRITE = "write"
    READ_WRITE = "read_write"


@dataclass(frozen=True, slots=True, kw_only=True)
class Port:
    """A physical memory port with its bandwidth range (bits/cycle) and the (operand, direction) it serves."""

    name: str
    type: PortType
    bandwidth_min_bits: int
    bandwidth_max_bits: int
    allocation: tuple[tuple[MemOperand, Direction], ...]

    def serves(self, operand: MemOperand, direction: Direction) -> bool:
        return (operand, direction) in self.allocation

    @property
    def shared_by_both_inputs(self) -> bool:
        ops = {op for op, _ in self.allocation}
        return MemOperand.I1 in ops and MemOperand.I2 in ops


@dataclass(frozen=True, slots=True, kw_only=True)
class Memory:
    """One memory of the hierarchy (one instance; it is replicated over the array dims it does not serve).

    Energies are per access of one full-width word (the port's bandwidth_max), in pJ.
    """

    name: str
    size_bits: int
    read_energy_pj: float
    write_energy_pj: float
    area_mm2: float = 0.0
    latency_cycles: int = 1
    mem_type: str = "sram"
    auto_cost: bool = False
    operands: tuple[MemOperand, ...]
    ports: tuple[Port, ...]
    served_dims: tuple[str, ...]
    force_double_buffering: bool = False

    def port_for(self, operand: MemOperand, direction: Direction) -> Port | None:
        """The port serving `operand` in `direction`, or None. When several list the pair, the last one carries it
        (ZigZag builds its allocation as a dict filled in port order)."""
        found = None
        for port in self.ports:
            if port.serves(operand, direction):
                found = port
        return found

    def carried(self) -> tuple[tuple[Port, tuple[tuple[MemOperand, Direction], ...]], ...]:
        """Per port that carries anything, the (operand, direction) pairs it carries: operands in this memory's
        order, directions in order of first mention, each pair on the last port that lists it (ZigZag's order,
        which its latency model depends on)."""
        chosen: dict[tuple[MemOperand, Direction], str] = {}
        for op in self.operands:
            for port in self.ports:
                for o, d in port.allocation:
                    if o is op:
                        chosen[(o, d)] = port.name
        out = []
        for port in self.ports:
            pairs = tuple(pair for pair, name in chosen.items() if name == port.name)
            if pairs:
                out.append((port, pairs))
        return tuple(out)


def memory_problems(mem: Memory, oa_dims: tuple[str, ...], key: str) -> list[Problem]:
    """Every rule a memory must satisfy inside an array with OA dims `oa_dims`; `key` prefixes key paths."""
    problems: list[Problem] = []
    if not isinstance(mem.size_bits, int) or isinstance(mem.size_bits, bool) or mem.size_bits < 1:
        problems.append(
            Problem(
                rule="memory size must be a positive integer number of bits",
                key_path=f"{key}.size",
                value=mem.size_bits,
                accepted="integers >= 1",
            )
        )
    for field_name, value in (
        ("r_cost", mem.read_energy_pj),
        ("w_cost", mem.write_energy_pj),
        ("area", mem.area_mm2),
    ):
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            problems.append(
                Problem(
                    rule="a cost must be a number >= 0",
                    key_path=f"{key}.{field_name}",
                    value=value,
                    accepted="numbers >= 0",
                )
            )
    if not mem.operands:
        problems.append(
            Problem(
                rule="a memory must hold at least one operand",
                key_path=f"{key}.operands",
                value=[],
                accepted="I1, I2, O",
            )
        )
    if len(set(mem.operands)) != len(mem.operands):
        problems.append(
            Problem(
                rule="memory operands must be unique",
                key_path=f"{key}.operands",
                value=[str(o) for o in mem.operands],
            )
        )
    for dim in mem.served_dims:
        if dim not in oa_dims:
            problems.append(
                Problem(
                    rule="a served dimension must be a dimension of the operational array",
                    key_path=f"{key}.served_dimensions",
                    value=dim,
                    accepted=", ".join(oa_dims),
                )
            )
    names = [p.name for p in mem.ports]
    for i, port in enumerate(mem.ports):
        problems.extend(_port_problems(port, mem, f"{key}.ports[{i}]"))
        if names.count(port.name) > 1 and names.index(port.name) == i:
            problems.append(
                Problem(
                    rule="port names must be unique within a memory",
                    key_path=f"{key}.ports[{i}].name",
                    value=port.name,
                )
            )
    return problems


def _port_problems(port: Port, mem: Memory, key: str) -> list[Problem]:
    problems: list[Problem] = []
    lo, hi = port.bandwidth_min_bits, port.bandwidth_max_bits
    for name, value in (("bandwidth_min", lo), ("bandwidth_max", hi)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(
                Problem(
                    rule="a bandwidth must be a positive integer (bits/cycle)",
                    key_path=f"{key}.{name}",
                    value=value,
                    accepted="integers >= 1",
                )
            )
    if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
        problems.append(
            Problem(
                rule="bandwidth_min must not exceed bandwidth_max",
                key_path=f"{key}.bandwidth_min",
                value=lo,
                accepted=f"<= {hi}",
            )
        )
    for j, (op, direction) in enumerate(port.allocation):
        where = f"{key}.allocation[{j}]"
        if op not in mem.operands:
            problems.append(
                Problem(
                    rule="a port allocation names an operand this memory does not hold",
                    key_path=where,
                    value=f"{op}, {direction}",
                    accepted=", ".join(str(o) for o in mem.operands),
                )
            )
        if port.type is PortType.READ and not direction.is_read:
            problems.append(
                Problem(
                    rule="a read port can only carry tl/th",
                    key_path=where,
                    value=f"{op}, {direction}",
                    accepted="tl, th",
                )
            )
        if port.type is PortType.WRITE and direction.is_read:
            problems.append(
                Problem(
                    rule="a write port can only carry fh/fl",
                    key_path=where,
                    value=f"{op}, {direction}",
                    accepted="fh, fl",
                )
            )
        if op is not MemOperand.O and direction in (Direction.WR_IN_BY_LOW, Direction.RD_OUT_TO_HIGH):
            problems.append(
                Problem(
                    rule="only the output operand O moves in directions fl/th",
                    key_path=where,
                    value=f"{op}, {direction}",
                    accepted="fh, tl for inputs",
                )
            )
    return problems
