"""Parameters of an in-memory-computing (IMC) macro array. The IMC cost equations live in `cost.imc`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from zigzag_opt.errors import Problem

__all__ = ["ImcKind", "ImcParams", "imc_array_problems", "imc_problems"]


class ImcKind(StrEnum):
    ANALOG = "analog"
    DIGITAL = "digital"


def _is_pow2(n: int) -> bool:
    return n >= 1 and (n & (n - 1)) == 0


@dataclass(frozen=True, slots=True, kw_only=True)
class ImcParams:
    """An IMC core: the PE array's first dim (sorted by name) is the wordline dim, the second the bitline dim.

    `cells_size_bits` and `cells_area` describe one cell group (the memory literally named ``cells``);
    `group_depth` = cells_size_bits / weight_bits weights share a cell group.
    """

    kind: ImcKind
    act_bits: int
    weight_bits: int
    bit_serial_bits: int
    adc_bits: int
    cells_size_bits: int
    cells_area: float = 0.0
    auto_cost: bool = False

    @property
    def is_analog(self) -> bool:
        return self.kind is ImcKind.ANALOG

    @property
    def cycles_per_op(self) -> float:
        return self.act_bits / self.bit_serial_bits

    @property
    def group_depth(self) -> float:
        return self.cells_size_bits / self.weight_bits


def imc_problems(p: ImcParams, key: str = "operational_array") -> list[Problem]:
    problems: list[Problem] = []
    for name, value in (
        ("input_precision[0]", p.act_bits),
        ("input_precision[1]", p.weight_bits),
        ("bit_serial_precision", p.bit_serial_bits),
    ):
        if not isinstance(value, int) or not _is_pow2(value):
            problems.append(
                Problem(
                    rule="IMC precisions must be powers of two",
                    key_path=f"{key}.{name}",
                    value=value,
                    accepted="1, 2, 4, 8, 16, ...",
                )
            )
    if isinstance(p.bit_serial_bits, int) and isinstance(p.act_bits, int) and p.bit_serial_bits > p.act_bits:
        problems.append(
            Problem(
                rule="bit_serial_precision must not exceed the activation precision",
                key_path=f"{key}.bit_serial_precision",
                value=p.bit_serial_bits,
                accepted=f"<= {p.act_bits}",
            )
        )
    if p.kind is ImcKind.DIGITAL and p.adc_bits != 0:
        problems.append(
            Problem(
                rule="a digital IMC core has no ADC: adc_resolution must be 0",
                key_path=f"{key}.adc_resolution",
                value=p.adc_bits,
                accepted="0",
            )
        )
    if p.kind is ImcKind.ANALOG and (not isinstance(p.adc_bits, int) or p.adc_bits < 1):
        problems.append(
            Problem(
                rule="an analog IMC core needs an ADC resolution >= 1 bit",
                key_path=f"{key}.adc_resolution",
                value=p.adc_bits,
                accepted="integers >= 1",
            )
        )
    if isinstance(p.weight_bits, int) and p.weight_bits > 0 and p.cells_size_bits < p.weight_bits:
        problems.append(
            Problem(
                rule="a cell group must hold at least one weight: the cells size must be >= the weight precision",
                key_path="memories.cells.size",
                value=p.cells_size_bits,
                accepted=f">= {p.weight_bits} (input_precision[1])",
            )
        )
    elif isinstance(p.weight_bits, int) and p.weight_bits > 0 and p.cells_size_bits % p.weight_bits != 0:
        problems.append(
            Problem(
                rule="the cells size must be a multiple of the weight precision",
                key_path="memories.cells.size",
                value=p.cells_size_bits,
                accepted=f"multiples of {p.weight_bits}",
            )
        )
    return problems


def imc_array_problems(
    p: ImcParams, dims: tuple[str, ...], sizes: tuple[int, ...], key: str = "operational_array"
) -> list[Problem]:
    """Rules tying the IMC parameters to the PE array: a wordline and a bitline dim (the first two dims sorted
    by name), and for a digital core a bitline of a power-of-two size (its adder trees are binary)."""
    if len(dims) < 2 or len(dims) != len(sizes):
        return [
            Problem(
                rule="an IMC array needs a wordline and a bitline dimension",
                key_path=f"{key}.dimensions",
                value=list(dims),
                accepted="at least two dimensions (the first two sorted by name are wordline, bitline)",
            )
        ]
    bl_dim = sorted(dims)[1]
    bl_size = sizes[dims.index(bl_dim)]
    if p.kind is ImcKind.DIGITAL and not _is_pow2(bl_size):
        return [
            Problem(
                rule="a digital IMC core sums each bitline in a binary adder tree: the bitline dim size must be a "
                f"power of two (bitline dim {bl_dim}, the second dim sorted by name)",
                key_path=f"{key}.sizes[{dims.index(bl_dim)}]",
                value=bl_size,
                accepted="1, 2, 4, 8, 16, ...",
            )
        ]
    return []
