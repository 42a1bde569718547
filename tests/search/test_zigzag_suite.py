"""ZigZag's own test suite, reproduced: every case of zigzag-dse 3.9.1's tests/main (expected totals recorded from
its installed test files by bench/record_zigzag_suite.py) run through this package in ZigZag-compatible mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("zigzag")

from zigzag_opt.cost.imc import area as imc_area
from zigzag_opt.cost.imc import tclk
from zigzag_opt.io.zigzag_compat import load_zigzag_accelerator
from zigzag_opt.testing.zigzag_suite import SuiteCase, run_case

HERE = Path(__file__).resolve().parent
RECORD = json.loads((HERE.parent / "golden" / "zigzag_suite.json").read_text())
CASES = [SuiteCase.from_json(c) for c in RECORD["cases"]]
WORKLOADS = HERE.parent / "data" / "zigzag_workloads"


def test_record_is_from_the_reference_version() -> None:
    assert RECORD["zigzag_version"] == "3.9.1"
    assert len(CASES) == 36


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_zigzag_suite_case(case: SuiteCase) -> None:
    result = run_case(case, WORKLOADS)
    energy, latency = case.expected[:2]
    assert result.energy_pj == pytest.approx(energy, rel=1e-6)
    assert result.latency_cycles == pytest.approx(latency, rel=1e-6)
    if len(case.expected) == 4:  # IMC: clock period and area of the macro + memories
        import zigzag

        core = load_zigzag_accelerator(
            Path(zigzag.__file__).parent / "inputs/hardware" / Path(case.accelerator).name
        ).core
        assert core.imc is not None
        assert tclk(core.imc, core.pe_array) == pytest.approx(case.expected[2], rel=1e-6)
        assert imc_area(core.imc, core.pe_array) + core.memory_area_mm2 == pytest.approx(case.expected[3], rel=1e-6)
