"""ZigZag's worked cases (reference §3.10), as recorded from zigzag-dse 3.9.1 in tests/golden/worked_cases.json.

Our side runs without ZigZag: the bundled tpu_like accelerator (memory sizes overridden as the case says), the
layer through the ZigZag-compatible loader, the memory allocation by `allocate_zigzag`, the evaluation by
`evaluate_one`. Energy, every latency component and every recorded word-access count must agree at rel 1e-6.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from zigzag_opt.cost import CostReport, evaluate_one
from zigzag_opt.hardware import Core
from zigzag_opt.io.zigzag_compat import load_zigzag_workload
from zigzag_opt.library import load_accelerator
from zigzag_opt.mapping import SpatialMapping
from zigzag_opt.search.allocation import allocate_zigzag
from zigzag_opt.testing.worked_cases import WORKED_CASES

GOLDEN = json.loads((Path(__file__).resolve().parents[1] / "golden" / "worked_cases.json").read_text(encoding="utf-8"))
REL = 1e-6
LATENCY = {  # CostReport.latency key -> recorded ZigZag field
    "ideal_cycles": "ideal_cycle",
    "ideal_temporal_cycles": "ideal_temporal_cycle",
    "stall_slack": "stall_slack_comb",
    "data_onloading": "data_onloading",
    "data_offloading": "data_offloading",
    "latency_total0": "latency_total0",
    "latency_total1": "latency_total1",
    "latency_total2": "latency_total2",
}


def _core(inputs: dict[str, Any]) -> Core:
    core = load_accelerator(inputs["accelerator"]).core
    sizes: dict[str, int] = inputs["memory_sizes"]
    memories = tuple(dataclasses.replace(m, size_bits=sizes[m.name]) if m.name in sizes else m for m in core.memories)
    return dataclasses.replace(core, memories=memories)


def _report(name: str) -> CostReport:
    inputs = GOLDEN["cases"][name]["inputs"]
    core = _core(inputs)
    layer = load_zigzag_workload([inputs["layer"]], file=f"worked case {name}").layers[0]
    spatial = SpatialMapping.of(inputs["spatial"])
    ordering = [(str(d), int(s)) for d, s in inputs["ordering"]]
    temporal = allocate_zigzag(layer, core, spatial, ordering)
    return evaluate_one(layer, core, spatial, temporal)


def test_golden_file_has_every_case() -> None:
    assert GOLDEN["zigzag_version"] == "3.9.1"
    assert sorted(GOLDEN["cases"]) == sorted(case.name for case in WORKED_CASES)


@pytest.mark.parametrize("name", sorted(GOLDEN["cases"]))
def test_energy(name: str) -> None:
    expected = GOLDEN["cases"][name]["result"]
    report = _report(name)
    assert report.valid
    assert report.energy_pj == pytest.approx(expected["energy_total"], rel=REL)
    assert report.mac_energy_pj == pytest.approx(expected["mac_energy"], rel=REL)
    assert report.mem_energy_pj == pytest.approx(expected["mem_energy"], rel=REL)
    per_level: dict[str, list[float]] = {}
    for lv in report.levels:
        per_level.setdefault(lv.operand, []).append(lv.total_energy_pj)
    for op, levels in expected["mem_energy_per_level"].items():
        assert per_level[op] == pytest.approx(levels, rel=REL), op


@pytest.mark.parametrize("name", sorted(GOLDEN["cases"]))
def test_latency_components(name: str) -> None:
    expected = GOLDEN["cases"][name]["result"]
    report = _report(name)
    for ours, theirs in LATENCY.items():
        assert report.latency[ours] == pytest.approx(expected[theirs], rel=REL, abs=1e-9), ours
    assert report.latency["systolic_drain"] == expected["extra"]["systolic_drain_cycle"]
    assert report.latency_cycles == pytest.approx(expected["latency_total2"], rel=REL)


@pytest.mark.parametrize("name", sorted(GOLDEN["cases"]))
def test_every_access_count(name: str) -> None:
    expected = GOLDEN["cases"][name]["result"]["accesses"]
    report = _report(name)
    ours = {(lv.operand, lv.level): lv.accesses for lv in report.levels}
    for op, levels in expected.items():
        for level, directions in enumerate(levels):
            for direction, count in directions.items():
                assert ours[(op, level)][direction] == pytest.approx(count, rel=REL, abs=1e-9), (op, level, direction)


@pytest.mark.parametrize("name", sorted(GOLDEN["cases"]))
def test_utilization(name: str) -> None:
    extra = GOLDEN["cases"][name]["result"]["extra"]
    report = _report(name)
    for lv in report.levels:
        assert lv.utilization == pytest.approx(extra[f"mem_util_shared.{lv.operand}.{lv.level}"], rel=REL), lv.memory


def test_reference_access_lists_are_covered() -> None:
    """The access counts the reference lists (3.8.5) are the recorded 3.9.1 ones."""
    for case in WORKED_CASES:
        recorded = GOLDEN["cases"][case.name]["result"]["accesses"]
        for op, levels in case.reference_accesses.items():
            for level, directions in levels.items():
                assert recorded[op][level] == directions, (case.name, op, level)
