"""The ZigZag oracle itself: its direct path equals ZigZag's full API, it reproduces the reference's worked cases,
and its random triples are deterministic and legal."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

pytest.importorskip("zigzag")

from zigzag_opt.errors import InputError
from zigzag_opt.testing.random_triples import DIGITAL_ACCELERATORS, Triple, random_triple, random_triples
from zigzag_opt.testing.worked_cases import WORKED_CASES, worked_case
from zigzag_opt.testing.zigzag_oracle import (
    OracleResult,
    bundled_hardware_path,
    evaluate_fixed,
    evaluate_ordering,
    prepare,
    result_from_cme,
    zigzag_version,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "worked_cases.json"

CONV1 = {
    "id": 0,
    "name": "example_name_of_layer0",
    "operator_type": "Conv",
    "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]",
    "dimension_relations": ["ix=2*ox+1*fx", "iy=2*oy+1*fy"],
    "loop_dims": ["B", "K", "C", "OY", "OX", "FY", "FX"],
    "loop_sizes": [1, 64, 3, 112, 112, 7, 7],
    "operand_precision": {"W": 8, "I": 8, "O": 16, "O_final": 8},
    "operand_source": {"I": 0, "W": 0},
}


def _api_layer_cme(tmp_path: Path, layer: dict[str, Any], accelerator: str, mapping: str) -> Any:
    from zigzag.api import get_hardware_performance_zigzag

    answer = get_hardware_performance_zigzag(
        [layer], accelerator, mapping, dump_folder=str(tmp_path / "out"), loma_show_progress_bar=False
    )
    cmes: Any = answer[-1]
    return cmes[0][1][0][0]


def test_direct_path_equals_full_api_on_tpu_like_example(tmp_path: Path) -> None:
    """tpu_like's `example_name_of_layer0` mapping entry fixes the SM (C32 clipped to 3 / K32) and a complete
    ordering: ZigZag's API and the oracle give the same numbers, every field of the result."""
    mapping = str(Path(bundled_hardware_path("tpu_like")).parents[1] / "mapping" / "tpu_like.yaml")
    api = result_from_cme(_api_layer_cme(tmp_path, CONV1, str(bundled_hardware_path("tpu_like")), mapping))
    ordering = [("OX", 112), ("OY", 112), ("FX", 7), ("FY", 7), ("K", 2)]
    direct = evaluate_ordering("tpu_like", CONV1, {"D1": {"C": 32}, "D2": {"K": 32}}, ordering)
    assert direct == api
    assert direct.extra["spatial.D1.C"] == 3
    assert direct.extra["systolic_drain_cycle"] == 2 + 31


def test_direct_path_equals_full_api_on_mixed_non_divisible_mapping(tmp_path: Path) -> None:
    """A mixed, non-divisible spatial mapping on the 4-D edge_tpu_like array, given as a mapping YAML."""
    layer = {
        "id": 0,
        "name": "mixed_layer",
        "operator_type": "Conv",
        "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]",
        "dimension_relations": ["ix=1*ox+1*fx", "iy=1*oy+1*fy"],
        "loop_dims": ["B", "K", "C", "OY", "OX", "FY", "FX"],
        "loop_sizes": [1, 24, 16, 14, 14, 3, 3],
        "operand_precision": {"W": 8, "I": 8, "O": 16, "O_final": 8},
        "operand_source": {"I": 0, "W": 0},
    }
    spatial = {"D1": {"K": 5}, "D2": {"C": 2, "FX": 3}, "D3": {"OX": 4}, "D4": {"OY": 2}}
    problem = prepare("edge_tpu_like", layer, spatial)
    assert problem.user_spatial_mapping() == spatial
    ordering = list(reversed(list(problem.temporal_loops().items())))
    entry = {
        "name": "mixed_layer",
        "spatial_mapping": {oa: [f"{d}, {f}" for d, f in dims.items()] for oa, dims in spatial.items()},
        "temporal_ordering": [[d, s] for d, s in ordering],
        "memory_operand_links": {"O": "O", "W": "I2", "I": "I1"},
    }
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump([dict(entry, name="default"), entry], sort_keys=False))
    api = result_from_cme(_api_layer_cme(tmp_path, layer, str(bundled_hardware_path("edge_tpu_like")), str(mapping)))
    assert problem.evaluate_ordering(ordering) == api
    assert problem.temporal_loops()["K"] == 5 and problem.temporal_loops()["OX"] == 4  # ceil(24/5), ceil(14/4)
    # fractional SM for energy (24/5 * 2*3 * 14/4 * 2 = 201.6); ZigZag rounds its unit counts
    assert api.extra["unit_count.O.0"] == round(24 / 5 * 6 * 3.5 * 2) == 202


def test_fixed_allocation_equals_allocator_path() -> None:
    """evaluate_fixed on the allocator's own (pre merge-down) allocation gives what evaluate_ordering gives."""
    case = worked_case("B")
    problem = prepare(case.accelerator_spec(), case.layer, case.spatial)
    tm = problem.allocate(case.ordering)
    temporal = {
        str(op): [[(str(d), int(s)) for d, s in level] for level in levels]
        for op, levels in tm.mapping_dic_origin.items()
    }
    assert evaluate_fixed(case.accelerator_spec(), case.layer, case.spatial, temporal) == case.evaluate()


def test_fixed_mapping_is_checked() -> None:
    case = worked_case("A")
    good = {"O": [[("FX", 3), ("FY", 3)], [("OX", 8), ("OY", 8), ("K", 2)], []]}
    good["W"] = [[("FX", 3), ("FY", 3), ("OX", 8), ("OY", 8), ("K", 2)], []]
    good["I"] = [[("FX", 3), ("FY", 3), ("OX", 8), ("OY", 8), ("K", 2)], []]
    assert evaluate_fixed("tpu_like", case.layer, case.spatial, good).energy_total == pytest.approx(2567282.048)
    wrong_size = {op: [[(d, 4 if d == "K" else s) for d, s in lvl] for lvl in lvls] for op, lvls in good.items()}
    wrong_order = dict(good, I=[[("FY", 3), ("FX", 3), ("OX", 8), ("OY", 8), ("K", 2)], []])
    wrong_levels = dict(good, W=[[("FX", 3), ("FY", 3), ("OX", 8), ("OY", 8), ("K", 2)]])
    for temporal in (wrong_size, wrong_order, wrong_levels):
        with pytest.raises(InputError):
            evaluate_fixed("tpu_like", case.layer, case.spatial, temporal)


# ---- worked cases ---------------------------------------------------------------------------------------------


def test_worked_case_a_energy_and_word_accesses() -> None:
    result = worked_case("A").evaluate()
    assert result.energy_total == pytest.approx(2_567_282.048, rel=1e-9)
    assert result.mac_energy == pytest.approx(47185.92, rel=1e-9)
    assert result.mem_energy_per_level["O"] == pytest.approx([52297.728, 12712.96, 384000], rel=1e-9)
    assert result.mem_energy_per_level["W"] == pytest.approx([113817.6, 1612800], rel=1e-9)
    assert result.mem_energy_per_level["I"] == pytest.approx([64467.84, 280000], rel=1e-9)
    for op, levels in worked_case("A").reference_accesses.items():
        for level, directions in levels.items():
            assert result.accesses[op][level] == directions, (op, level)
    assert result.stationary_levels == {
        "O": [[("FX", 3), ("FY", 3)], [("OX", 8), ("OY", 8), ("K", 2)], []],
        "W": [[("FX", 3), ("FY", 3), ("OX", 8), ("OY", 8), ("K", 2)], []],
        "I": [[("FX", 3), ("FY", 3), ("OX", 8), ("OY", 8), ("K", 2)], []],
    }
    assert result.extra["stall_slack.rf_2B.r_port_2"] == -1016


@pytest.mark.parametrize("name", [case.name for case in WORKED_CASES])
def test_worked_case_matches_reference_plus_systolic_drain(name: str) -> None:
    """3.9.1 keeps 3.8.5's energy and latency components and adds tpu_like's systolic drain (31 + 31 cycles)."""
    case = worked_case(name)
    result = case.evaluate()
    for key, expected in case.reference.items():
        if key != "latency_total2":
            assert getattr(result, key) == pytest.approx(expected, rel=1e-9), key
    drain = result.extra["systolic_drain_cycle"]
    assert drain == 62
    assert result.latency_total2 == pytest.approx(case.reference["latency_total2"] + drain, rel=1e-12)
    for op, levels in case.reference_accesses.items():
        for level, directions in levels.items():
            assert result.accesses[op][level] == directions, (op, level)


def test_golden_file_matches_installed_zigzag() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert golden["zigzag_version"] == zigzag_version(), "re-run bench/record_zigzag_cases.py"
    for case in WORKED_CASES:
        fresh = json.loads(json.dumps(case.evaluate().to_json()))
        assert fresh == golden["cases"][case.name]["result"], case.name


# ---- random triples -------------------------------------------------------------------------------------------


def _check_legal(triple: Triple) -> OracleResult:
    assert triple.accelerator in DIGITAL_ACCELERATORS
    problem = prepare(triple.accelerator, triple.layer, triple.spatial, links=triple.links)
    assert problem.user_spatial_mapping() == triple.spatial  # ZigZag uses it unchanged
    oa_sizes = {str(d): s for d, s in problem.accelerator.operational_array.dimension_sizes.items()}
    layer_sizes = dict(zip(triple.layer["loop_dims"], triple.layer["loop_sizes"], strict=True))
    totals: dict[str, int] = {}
    for oa, dims in triple.spatial.items():
        assert math.prod(dims.values()) <= oa_sizes[oa]
        for dim, factor in dims.items():
            assert factor >= 2
            totals[dim] = totals.get(dim, 1) * factor
    assert all(total <= layer_sizes[dim] for dim, total in totals.items())
    levels = problem.memory_levels()
    assert {op: len(lv) for op, lv in triple.temporal.items()} == {op: len(lv) for op, lv in levels.items()}
    flats = {op: [loop for lvl in lvls for loop in lvl] for op, lvls in triple.temporal.items()}
    assert all(flat == triple.ordering for flat in flats.values())
    result = triple.evaluate()
    utilizations = [v for k, v in result.extra.items() if k.startswith("mem_util_shared.")]
    assert utilizations and max(utilizations) <= 1.0
    return result


def test_random_triple_is_deterministic_for_a_seed() -> None:
    first = [t.to_json() for t in random_triples(20261126, 6)]
    second = [t.to_json() for t in random_triples(20261126, 6)]
    assert first == second
    other = [t.to_json() for t in random_triples(20261127, 6)]
    assert other != first


def test_random_triple_is_deterministic_across_processes() -> None:
    """Same seed, another interpreter with another string-hash seed: the same triples."""
    code = (
        "import json; from zigzag_opt.testing.random_triples import random_triples;"
        "print(json.dumps([t.to_json() for t in random_triples(99, 4)]))"
    )
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == json.loads(json.dumps([t.to_json() for t in random_triples(99, 4)]))


def test_random_triples_are_legal() -> None:
    rng = np.random.default_rng(5)
    for _ in range(12):
        _check_legal(random_triple(rng))


@pytest.mark.parametrize("accelerator", DIGITAL_ACCELERATORS)
def test_random_triples_on_each_accelerator(accelerator: str) -> None:
    rng = np.random.default_rng(11)
    triple = random_triple(rng, [accelerator])
    assert triple.accelerator == accelerator
    _check_legal(triple)


@pytest.mark.slow
def test_many_random_triples_are_legal() -> None:
    seen_mixed = seen_non_divisible = 0
    for triple in random_triples(1234, 1000):
        _check_legal(triple)
        sizes = dict(zip(triple.layer["loop_dims"], triple.layer["loop_sizes"], strict=True))
        seen_mixed += any(len(dims) > 1 for dims in triple.spatial.values())
        seen_non_divisible += any(sizes[d] % f for dims in triple.spatial.values() for d, f in dims.items())
    assert seen_mixed > 100 and seen_non_divisible > 100
