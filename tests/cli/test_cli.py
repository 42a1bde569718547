"""The `zigzag-opt` console script, run in-process through `main([...])` (and once through the installed script)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

import zigzag_opt.cli as cli
from zigzag_opt import __version__
from zigzag_opt.cli import DEMO_LAYER, main
from zigzag_opt.io.native import dump_native_accelerator, dump_native_mapping, dump_native_workload
from zigzag_opt.io.zigzag_compat import load_zigzag_mapping, load_zigzag_workload
from zigzag_opt.library import list_accelerators, list_mappings, load_accelerator

ROOT = Path(__file__).resolve().parents[2]
RESNET18 = ROOT / "tests" / "data" / "zigzag_workloads" / "resnet18.yaml"
GEMM = ROOT / "tests" / "data" / "zigzag_workloads" / "gemm_layer.yaml"
LIBRARY = ROOT / "zigzag_opt" / "library"
GOLDEN = json.loads((ROOT / "tests" / "golden" / "worked_cases.json").read_text(encoding="utf-8"))
CASE_A = GOLDEN["cases"]["A"]

Run = tuple[int, str, str]


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> Run:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _write(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def case_a_files(tmp_path: Path) -> tuple[Path, Path]:
    """Worked case A as ZigZag-format files: a one-layer workload and a mapping with a complete ordering."""
    inputs = CASE_A["inputs"]
    workload = _write(tmp_path / "layer.yaml", [inputs["layer"]])
    spatial = {oa: [f"{d}, {f}" for d, f in dims.items()] for oa, dims in inputs["spatial"].items()}
    entry = {"name": "default", "spatial_mapping": spatial, "temporal_ordering": inputs["ordering"]}
    mapping = _write(tmp_path / "mapping.yaml", [entry])
    return workload, mapping


# ---- help, version ---------------------------------------------------------------------------------------------


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("validate", "evaluate", "demo"):
        assert command in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"zigzag-opt {__version__}"


def test_no_command_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys)
    assert code == 0 and "usage: zigzag-opt" in out


def test_usage_error_is_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "evaluate", "--accelerator", "tpu_like")
    assert code == 2 and "required" in err


@pytest.mark.parametrize("command", ["validate", "evaluate", "demo"])
def test_command_help(capsys: pytest.CaptureFixture[str], command: str) -> None:
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and f"zigzag-opt {command}" in out


# ---- validate --------------------------------------------------------------------------------------------------


def test_validate_native_accelerator(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", LIBRARY / "accelerators" / "tpu_like.yaml")
    assert (code, err) == (0, "")
    assert "accelerator (native format)" in out
    assert "D1×D2 = 32×32 (1,024 MACs)" in out
    for memory in ("rf_128B", "rf_2B", "sram_2MB", "dram"):
        assert memory in out
    assert out.index("rf_128B") < out.index("sram_2MB") < out.index("dram")  # innermost first
    assert "0.095/0.095" in out and "64-2048 b/cc" in out and "I1 tl O tl O th" in out
    assert "1 file(s) valid" in out


@pytest.mark.parametrize("name", list_accelerators())
def test_validate_every_bundled_accelerator(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, _ = run(capsys, "validate", LIBRARY / "accelerators" / f"{name}.yaml")
    assert code == 0
    assert f"{load_accelerator(name).core.pe_array.mac_count:,} MACs" in out


@pytest.mark.parametrize("name", list_mappings())
def test_validate_every_bundled_mapping(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, _ = run(capsys, "validate", LIBRARY / "mappings" / f"{name}.yaml")
    assert code == 0 and "mapping (native format)" in out


def test_validate_zigzag_workload(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "validate", RESNET18)
    assert code == 0
    net = load_zigzag_workload(RESNET18)
    assert "workload (zigzag format)" in out
    assert f"{len(net.layers)} layer(s), {net.mac_count:,} MACs" in out
    assert "B1 K64 C3 OY112 OX112 FY7 FX7" in out and "118,013,952" in out
    assert "0→1" in out


def test_validate_zigzag_mapping_and_several_files(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    mapping = _write(
        tmp_path / "m.yaml",
        [
            {"name": "default", "spatial_mapping": {"D1": ["K, 32"], "D2": ["C, 32"]}},
            {"name": "conv1", "spatial_mapping_hint": {"D1": ["K"]}, "temporal_ordering": [["OX", 4], ["K", "*"]]},
        ],
    )
    code, out, _ = run(capsys, "validate", mapping, GEMM, LIBRARY / "accelerators" / "tpu_like.yaml")
    assert code == 0
    assert "mapping (zigzag format)" in out and "2 entries" in out
    assert "spatial D1: K32, D2: C32" in out
    assert "hints D1: K" in out and "temporal ordering (innermost first) OX4 K*" in out
    assert "3 file(s) valid" in out


def test_validate_reports_bad_files_and_still_summarises_good_ones(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: accelerator\nname: x\n", encoding="utf-8")
    code, out, err = run(capsys, "validate", LIBRARY / "accelerators" / "tpu_like.yaml", bad)
    assert code == 2
    assert "tpu_like" in out
    assert "bad.yaml" in err and "cores" in err
    assert "1 of 2 file(s) invalid" in err


def test_validate_mapping_against_accelerator(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    mapping = _write(tmp_path / "m.yaml", [{"name": "default", "spatial_mapping": {"D1": ["K, 64"], "D3": ["C, 2"]}}])
    code, _, err = run(capsys, "validate", "--accelerator", "tpu_like", mapping)
    assert code == 2
    assert "m.yaml: [0].spatial_mapping.D1: the unrollings on an array dimension multiply to more than its size" in err
    assert "m.yaml: [0].spatial_mapping.D3: the spatial mapping names an array dimension the accelerator" in err
    code, _, _ = run(capsys, "validate", "--accelerator", "tpu_like", LIBRARY / "mappings" / "tpu_like.yaml")
    assert code == 0


def test_validate_ordering_against_workload(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """With an accelerator and a workload among the files, fixed loop sizes must divide the trip counts."""
    spatial = {"D1": ["D1, 8"], "D2": ["D2, 8"], "D3": ["D0, 8"]}
    mapping = _write(
        tmp_path / "m.yaml",
        [{"name": "default", "spatial_mapping": spatial}, {"name": "Gemm", "spatial_mapping": spatial}],
    )
    good = run(capsys, "validate", mapping, GEMM, LIBRARY / "accelerators" / "gemm_l1.yaml")
    assert good[0] == 0
    data = yaml.safe_load(mapping.read_text())
    data[1]["temporal_ordering"] = [["D0", 3], ["D1", "*"]]
    _write(mapping, data)
    code, _, err = run(capsys, "validate", mapping, GEMM, LIBRARY / "accelerators" / "gemm_l1.yaml")
    assert code == 2
    assert "[1].temporal_ordering: the fixed loop sizes of a dim must divide its temporal trip count" in err
    assert "D03" in err and "divisors of D016" in err


# ---- evaluate --------------------------------------------------------------------------------------------------


def test_evaluate_json_matches_zigzag_worked_case(
    capsys: pytest.CaptureFixture[str], case_a_files: tuple[Path, Path]
) -> None:
    workload, mapping = case_a_files
    code, out, err = run(
        capsys,
        "evaluate",
        "--accelerator",
        "tpu_like",
        "--workload",
        workload,
        "--mapping",
        mapping,
        "--format",
        "json",
    )
    assert (code, err) == (0, "")
    doc = json.loads(out)
    assert {"energy_pj", "latency_cycles", "area_mm2", "layers"} <= doc.keys()
    expected = CASE_A["result"]
    assert doc["energy_pj"] == pytest.approx(expected["energy_total"], rel=1e-6)
    assert doc["latency_cycles"] == pytest.approx(expected["latency_total2"], rel=1e-6)
    assert doc["area_mm2"] == pytest.approx(1024.0)  # 32×32 MACs of 1 mm², once
    (layer,) = doc["layers"]
    assert layer["name"] == "worked_conv_c32"
    assert layer["energy_pj"] == pytest.approx(expected["energy_total"], rel=1e-6)
    assert layer["latency_cycles"] == pytest.approx(expected["latency_total2"], rel=1e-6)
    assert layer["energy_breakdown_pj"]["mac"] == pytest.approx(expected["mac_energy"], rel=1e-6)
    assert layer["latency_breakdown_cycles"]["stall_slack"] == expected["stall_slack_comb"]
    assert layer["latency_breakdown_cycles"]["data_onloading"] == pytest.approx(expected["data_onloading"])
    o_levels = [lv for lv in layer["memory_levels"] if lv["operand"] == "O"]
    assert [lv["accesses"] for lv in o_levels] == expected["accesses"]["O"]
    assert layer["temporal_mapping"]["cuts"]["O"] == [2, 5, 5]


def test_evaluate_yaml_equals_json(capsys: pytest.CaptureFixture[str], case_a_files: tuple[Path, Path]) -> None:
    workload, mapping = case_a_files
    args = ("evaluate", "--accelerator", "tpu_like", "--workload", workload, "--mapping", mapping, "--format")
    _, as_json, _ = run(capsys, *args, "json")
    code, as_yaml, _ = run(capsys, *args, "yaml")
    assert code == 0
    assert yaml.safe_load(as_yaml) == json.loads(as_json)


def test_evaluate_text(capsys: pytest.CaptureFixture[str], case_a_files: tuple[Path, Path]) -> None:
    workload, mapping = case_a_files
    code, out, _ = run(capsys, "evaluate", "--accelerator", "tpu_like", "--workload", workload, "--mapping", mapping)
    assert code == 0
    assert "Loop ordering for worked_conv_c32" in out
    assert "Energy  2,567,282.048 pJ" in out
    assert "Total over 1 layer(s) on tpu_like: energy 2,567,282.048 pJ, latency 2,879.00 cycles, area 1,024 mm²" in out


def test_evaluate_native_files_equal_zigzag_files(
    capsys: pytest.CaptureFixture[str], case_a_files: tuple[Path, Path], tmp_path: Path
) -> None:
    workload, mapping = case_a_files
    acc = tmp_path / "acc.yaml"
    acc.write_text(dump_native_accelerator(load_accelerator("tpu_like")), encoding="utf-8")
    native_w = tmp_path / "w_native.yaml"
    native_w.write_text(dump_native_workload(load_zigzag_workload(workload)), encoding="utf-8")
    native_m = tmp_path / "m_native.yaml"
    native_m.write_text(dump_native_mapping(load_zigzag_mapping(mapping)), encoding="utf-8")
    zz = run(
        capsys,
        "evaluate",
        "--accelerator",
        "tpu_like",
        "--workload",
        workload,
        "--mapping",
        mapping,
        "--format",
        "json",
    )
    native = run(
        capsys, "evaluate", "--accelerator", acc, "--workload", native_w, "--mapping", native_m, "--format", "json"
    )
    assert native[0] == 0
    assert json.loads(native[1])["energy_pj"] == json.loads(zz[1])["energy_pj"]
    assert json.loads(native[1])["latency_cycles"] == json.loads(zz[1])["latency_cycles"]


def test_evaluate_one_layer_of_resnet18_with_the_bundled_mapping(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "evaluate",
        "--accelerator",
        "tpu_like",
        "--workload",
        RESNET18,
        "--mapping",
        "tpu_like",
        "--layer",
        "example_name_of_layer0",
        "--format",
        "json",
    )
    assert code == 0
    doc = json.loads(out)
    assert [layer["name"] for layer in doc["layers"]] == ["example_name_of_layer0"]
    assert doc["energy_pj"] == pytest.approx(366_204_071.168, rel=1e-9)
    assert doc["layers"][0]["spatial_mapping"] == {"D1": {"C": 3}, "D2": {"K": 32}}  # C32 reduced to the layer's C3


def test_evaluate_without_complete_ordering_needs_search(capsys: pytest.CaptureFixture[str]) -> None:
    """Every layer of ResNet-18 but the first has no complete ordering in tpu_like's mapping: all are listed."""
    code, out, err = run(
        capsys, "evaluate", "--accelerator", "tpu_like", "--workload", RESNET18, "--mapping", "tpu_like"
    )
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 30
    assert all("needs a mapping search" in line and "zigzag-opt map" in line for line in lines)
    assert "layer 'Layer2'" in err and "the loops to order: K2 C2 OY56 OX56 FY3 FX3" in err
    assert "Traceback" not in err


def test_evaluate_without_full_spatial_mapping_needs_search(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    mapping = _write(tmp_path / "m.yaml", [{"name": "default", "spatial_mapping": {"D1": ["K, 32"]}}])
    code, _, err = run(capsys, "evaluate", "--accelerator", "tpu_like", "--workload", GEMM, "--mapping", mapping)
    assert code == 2
    assert "needs a mapping search" in err and "no spatial mapping for array dim(s) D2" in err


def test_evaluate_ordering_that_does_not_fit(
    capsys: pytest.CaptureFixture[str], case_a_files: tuple[Path, Path], tmp_path: Path
) -> None:
    workload, mapping = case_a_files
    text = dump_native_accelerator(load_accelerator("tpu_like")).replace("size_bits: 16777216", "size_bits: 64")
    acc = tmp_path / "small.yaml"
    acc.write_text(text, encoding="utf-8")
    code, _, err = run(capsys, "evaluate", "--accelerator", acc, "--workload", workload, "--mapping", mapping)
    assert code == 2
    assert "the temporal ordering does not fit the memories" in err and "sram_2MB" in err


def test_evaluate_bad_arguments(capsys: pytest.CaptureFixture[str], case_a_files: tuple[Path, Path]) -> None:
    workload, mapping = case_a_files
    code, _, err = run(capsys, "evaluate", "--accelerator", "tpu", "--workload", workload, "--mapping", mapping)
    assert code == 2 and "--accelerator" in err and "tpu_like" in err
    code, _, err = run(capsys, "evaluate", "--accelerator", "tpu_like", "--workload", workload, "--mapping", "nope")
    assert code == 2 and "no mapping file or bundled mapping" in err
    args = ("evaluate", "--accelerator", "tpu_like", "--workload", workload, "--mapping", mapping)
    code, _, err = run(capsys, *args, "--layer", "conv9")
    assert code == 2 and "--layer" in err and "worked_conv_c32" in err
    code, _, err = run(capsys, "evaluate", "--accelerator", "tpu_like", "--workload", mapping, "--mapping", mapping)
    assert code == 2 and "expected a workload file, found a mapping file" in err


def test_evaluate_selects_layers_by_id(capsys: pytest.CaptureFixture[str], case_a_files: tuple[Path, Path]) -> None:
    workload, mapping = case_a_files
    args = ("evaluate", "--accelerator", "tpu_like", "--workload", workload, "--mapping", mapping, "--layer", "0")
    code, out, _ = run(capsys, *args, "--format", "json")
    assert code == 0 and len(json.loads(out)["layers"]) == 1


def test_evaluate_against_zigzag_on_example(capsys: pytest.CaptureFixture[str]) -> None:
    """The demo's evaluation equals ZigZag's on its own tpu_like example."""
    pytest.importorskip("zigzag")
    from zigzag_opt.testing.zigzag_oracle import evaluate_ordering

    ordering = [("OX", 112), ("OY", 112), ("FX", 7), ("FY", 7), ("K", 2)]
    zz = evaluate_ordering("tpu_like", DEMO_LAYER, {"D1": {"C": 32}, "D2": {"K": 32}}, ordering)
    args = ("--workload", RESNET18, "--mapping", "tpu_like", "--layer", "0", "--format", "json")
    code, out, _ = run(capsys, "evaluate", "--accelerator", "tpu_like", *args)
    assert code == 0
    doc = json.loads(out)
    assert doc["energy_pj"] == pytest.approx(zz.energy_total, rel=1e-9)
    assert doc["latency_cycles"] == pytest.approx(zz.latency_total2, rel=1e-9)


# ---- demo ------------------------------------------------------------------------------------------------------


def test_demo(capsys: pytest.CaptureFixture[str]) -> None:
    start = time.perf_counter()
    code, out, err = run(capsys, "demo")
    assert time.perf_counter() - start < 5
    assert (code, err) == (0, "")
    for name in list_accelerators():
        assert load_accelerator(name).name in out
    assert "example_name_of_layer0" in out
    assert "Energy  366,204,071.168 pJ" in out
    assert "Latency 2,478,323.00 cycles" in out


# ---- error boundary --------------------------------------------------------------------------------------------


def test_unexpected_error_while_loading_is_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: object, *, expect: object = None) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr(cli, "load_input", broken)
    code, _, err = run(capsys, "validate", RESNET18)
    assert code == 2
    assert err.splitlines()[0].startswith(f"error: {RESNET18}: the file could not be loaded (unexpected KeyError")
    assert "Traceback" not in err
    with pytest.raises(KeyError):
        main(["--traceback", "validate", str(RESNET18)])


def test_internal_error_is_status_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, case_a_files: tuple[Path, Path]
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(cli, "evaluate_one", broken)
    workload, mapping = case_a_files
    args = ["evaluate", "--accelerator", "tpu_like", "--workload", str(workload), "--mapping", str(mapping)]
    code, _, err = run(capsys, *args)
    assert code == 1 and "internal error: RuntimeError: bug" in err and "Traceback" not in err
    with pytest.raises(RuntimeError):
        main(["evaluate", "--traceback", *args[1:]])


# ---- the installed console script ------------------------------------------------------------------------------


def _script() -> str:
    beside = Path(sys.executable).parent / "zigzag-opt"
    found = str(beside) if beside.exists() else shutil.which("zigzag-opt")
    if found is None:
        pytest.skip("the zigzag-opt console script is not installed")
    return found


def test_console_script(tmp_path: Path) -> None:
    script = _script()
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    version = subprocess.run([script, "--version"], capture_output=True, text=True, check=False, env=env)
    assert version.returncode == 0 and __version__ in version.stdout
    ok = subprocess.run([script, "validate", str(RESNET18)], capture_output=True, text=True, check=False, env=env)
    assert ok.returncode == 0 and "31 layer(s)" in ok.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("- {name: default, spatial_mapping: {D1: [K 32]}}\n", encoding="utf-8")
    out = subprocess.run([script, "validate", str(bad)], capture_output=True, text=True, check=False, env=env)
    assert out.returncode == 2
    assert "bad.yaml: [0].spatial_mapping.D1[0]" in out.stderr and "Traceback" not in out.stderr
