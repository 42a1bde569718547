"""The three worked cases of the ZigZag reference (§3.10): one conv layer on ``tpu_like``, a fixed spatial mapping
and a user-fixed complete temporal ordering (memory allocation by LOMA's allocator), with the reference's numbers.

The reference numbers were computed with ZigZag 3.8.5. ZigZag 3.9.1 gives the same energies and accesses; its
latency adds the systolic drain of ``tpu_like`` (``systolic_dimensions: [D1, D2]``): 31 + 31 cycles here.
`bench/record_zigzag_cases.py` records 3.9.1's numbers into ``tests/golden/worked_cases.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zigzag_opt.testing.zigzag_oracle import OracleResult, accelerator_data, evaluate_ordering

__all__ = ["WORKED_CASES", "WorkedCase", "worked_case"]


def _conv(c: int) -> dict[str, Any]:
    return {
        "id": 0,
        "name": f"worked_conv_c{c}",
        "operator_type": "Conv",
        "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]",
        "dimension_relations": ["ix=1*ox+1*fx", "iy=1*oy+1*fy"],
        "loop_dims": ["B", "K", "C", "OY", "OX", "FY", "FX"],
        "loop_sizes": [1, 64, c, 8, 8, 3, 3],
        "operand_precision": {"W": 8, "I": 8, "O": 16, "O_final": 8},
        "operand_source": {"I": 0, "W": 0},
    }


@dataclass(frozen=True)
class WorkedCase:
    """One worked case. `memory_sizes` overrides memory sizes (bits) of the bundled `accelerator`.
    `reference` holds the reference's (3.8.5) totals; `reference_accesses` the word accesses it lists, per layer
    operand, memory level index and direction (``tl``/``fl``/``th``/``fh``)."""

    name: str
    description: str
    accelerator: str
    layer: dict[str, Any]
    spatial: dict[str, dict[str, int]]
    ordering: list[tuple[str, int]]
    reference: dict[str, float]
    memory_sizes: dict[str, int] = field(default_factory=dict)
    reference_accesses: dict[str, dict[int, dict[str, int]]] = field(default_factory=dict)

    def accelerator_spec(self) -> str | dict[str, Any]:
        """The bundled name, or the modified YAML dict when memory sizes are overridden."""
        if not self.memory_sizes:
            return self.accelerator
        data = accelerator_data(self.accelerator)
        for memory, size in self.memory_sizes.items():
            data["memories"][memory]["size"] = size
        return data

    def evaluate(self) -> OracleResult:
        """ZigZag's (installed version's) numbers for this case."""
        return evaluate_ordering(self.accelerator_spec(), self.layer, self.spatial, self.ordering)


_SM = {"D1": {"K": 32}, "D2": {"C": 32}}
_ORDER_B = [("FX", 3), ("FY", 3), ("OX", 8), ("OY", 8), ("C", 2), ("K", 2)]

WORKED_CASES: tuple[WorkedCase, ...] = (
    WorkedCase(
        name="A",
        description="conv K64 C32 8x8 3x3 s1; SM D1:K32 D2:C32; ordering FX3 FY3 OX8 OY8 K2",
        accelerator="tpu_like",
        layer=_conv(32),
        spatial=_SM,
        ordering=[("FX", 3), ("FY", 3), ("OX", 8), ("OY", 8), ("K", 2)],
        reference={
            "energy_total": 2567282.048,
            "mac_energy": 47185.92,
            "latency_total2": 2817,
            "ideal_temporal_cycle": 1152,
            "stall_slack_comb": 0,
            "data_onloading": 1152,
            "data_offloading": 513,
        },
        reference_accesses={
            "O": {
                0: {"th": 131072, "fh": 0, "tl": 1179648, "fl": 1179648},
                1: {"th": 16, "fh": 0, "tl": 0, "fl": 16},
                2: {"th": 0, "fh": 0, "tl": 0, "fl": 512},
            },
            "W": {0: {"th": 0, "fh": 18432, "tl": 1179648, "fl": 0}, 1: {"th": 0, "fh": 0, "tl": 2304, "fl": 0}},
            "I": {0: {"th": 0, "fh": 12, "tl": 144, "fl": 0}, 1: {"th": 0, "fh": 0, "tl": 400, "fl": 0}},
        },
    ),
    WorkedCase(
        name="B",
        description="as A with C64; ordering FX3 FY3 OX8 OY8 C2 K2 (the sram holds psums)",
        accelerator="tpu_like",
        layer=_conv(64),
        spatial=_SM,
        ordering=_ORDER_B,
        reference={
            "energy_total": 4788532.0,
            "latency_total2": 5121,
            "ideal_temporal_cycle": 2304,
            "stall_slack_comb": 254,
            "data_onloading": 2050,
            "data_offloading": 513,
        },
        reference_accesses={"O": {1: {"th": 16, "fh": 0, "tl": 64, "fl": 64}}},
    ),
    WorkedCase(
        name="C",
        description="as B with sram_2MB shrunk to 60 000 bits (the allocator moves K2 for O, C2 K2 for I, to DRAM)",
        accelerator="tpu_like",
        layer=_conv(64),
        spatial=_SM,
        ordering=_ORDER_B,
        memory_sizes={"sram_2MB": 60000},
        reference={
            "energy_total": 5357992.0,
            "latency_total2": 7190.4375,
            "ideal_temporal_cycle": 2304,
            "stall_slack_comb": 262,
            "data_onloading": 4367.4375,
            "data_offloading": 257,
        },
    ),
)


def worked_case(name: str) -> WorkedCase:
    """The worked case named `name` (``"A"``, ``"B"`` or ``"C"``)."""
    for case in WORKED_CASES:
        if case.name == name:
            return case
    raise KeyError(name)
