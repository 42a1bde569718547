"""The operational (PE/MAC) array: named dims, sizes, per-MAC energy and area."""

from __future__ import annotations

import math
from dataclasses import dataclass

from zigzag_opt.errors import Problem

__all__ = ["PEArray"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PEArray:
    """An n-dimensional MAC array. `mac_energy_pj` per MAC; `mac_area` per MAC (mm², as given)."""

    dims: tuple[str, ...]
    sizes: tuple[int, ...]
    mac_energy_pj: float
    mac_area: float = 0.0
    systolic_dims: tuple[str, ...] = ()

    def size(self, dim: str) -> int:
        return dict(zip(self.dims, self.sizes, strict=True)).get(dim, 1)

    @property
    def mac_count(self) -> int:
        return math.prod(self.sizes)

    @property
    def area(self) -> float:
        return self.mac_area * self.mac_count


def pe_array_problems(arr: PEArray, key: str = "operational_array") -> list[Problem]:
    problems: list[Problem] = []
    if not arr.dims:
        problems.append(Problem(rule="the array needs at least one dimension", key_path=f"{key}.dimensions", value=[]))
    if len(arr.dims) != len(arr.sizes):
        problems.append(
            Problem(
                rule="dimensions and sizes must have the same length",
                key_path=f"{key}.sizes",
                value=list(arr.sizes),
                accepted=f"{len(arr.dims)} sizes",
            )
        )
    if len(set(arr.dims)) != len(arr.dims):
        problems.append(
            Problem(
                rule="array dimension names must be unique",
                key_path=f"{key}.dimensions",
                value=list(arr.dims),
            )
        )
    for i, size in enumerate(arr.sizes):
        if not isinstance(size, int) or isinstance(size, bool) or size < 1:
            problems.append(
                Problem(
                    rule="an array size must be a positive integer",
                    key_path=f"{key}.sizes[{i}]",
                    value=size,
                    accepted="integers >= 1",
                )
            )
    for name, value in (("unit_energy", arr.mac_energy_pj), ("unit_area", arr.mac_area)):
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            problems.append(
                Problem(
                    rule="a cost must be a number >= 0",
                    key_path=f"{key}.{name}",
                    value=value,
                    accepted="numbers >= 0",
                )
            )
    for dim in arr.systolic_dims:
        if dim not in arr.dims:
            problems.append(
                Problem(
                    rule="a systolic dimension must be an array dimension",
                    key_path=f"{key}.systolic_dimensions",
                    value=dim,
                    accepted=", ".join(arr.dims),
                )
            )
    return problems
