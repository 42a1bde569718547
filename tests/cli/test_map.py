"""`zigzag-opt map`: per-layer table, JSON shape, and ZigZag's numbers in compatible mode."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zigzag_opt.cli import main

DATA = Path(__file__).resolve().parents[1] / "data" / "zigzag_workloads"
#: zigzag-dse 3.9.1's own expected totals (tests/main/test_origin/test_tpu_like.py, resnet18.yaml)
TPU_RESNET18_YAML = (2615172831.3759995, 5817949.0)


def test_map_json_has_the_evaluate_shape_and_zigzag_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("zigzag")
    code = main(
        [
            "map",
            "--accelerator",
            "tpu_like",
            "--workload",
            str(DATA / "resnet18.yaml"),
            "--mapping",
            "tpu_like",
            "--compat",
            "zigzag",
            "--format",
            "json",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    doc = json.loads(out)
    assert {"energy_pj", "latency_cycles", "area_mm2", "layers"} <= set(doc)
    assert doc["energy_pj"] == pytest.approx(TPU_RESNET18_YAML[0], rel=1e-6)
    assert doc["latency_cycles"] == pytest.approx(TPU_RESNET18_YAML[1], rel=1e-6)
    assert len(doc["layers"]) == 31
    first = doc["layers"][0]
    assert {"name", "energy_pj", "latency_cycles", "spatial_mapping", "temporal_mapping"} <= set(first)


def test_map_text_table_and_engines(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "map",
            "--accelerator",
            "gemm_l1",
            "--workload",
            str(DATA / "gemm_layer.yaml"),
            "--mapping",
            "gemm_l1",
            "--engine",
            "exhaustive",
            "--criterion",
            "energy",
            "--no-progress",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "total (1 layers)" in out and "criterion energy" in out


def test_map_bad_accelerator_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["map", "--accelerator", "no_such_thing", "--workload", str(DATA / "gemm_layer.yaml")])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and "no_such_thing" in err
