"""``zigzag-opt workload list | export | summarize``, driven through argparse as the console script will."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from zigzag_opt.workload_cli import add_workload_commands, run_workload_command

DATA = Path(__file__).resolve().parents[1] / "data" / "zigzag_workloads"


def run(*argv: str) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="zigzag-opt")
    sub = parser.add_subparsers(dest="command")
    add_workload_commands(sub)
    args = parser.parse_args(list(argv))
    out, err = io.StringIO(), io.StringIO()
    code = run_workload_command(args, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_list() -> None:
    code, out, _ = run("workload", "list")
    assert code == 0
    assert "resnet18:" in out and "llm-decode:" in out and "kv_heads=32" in out


def test_export_then_summarize(tmp_path: Path) -> None:
    target = tmp_path / "tiny.onnx"
    sizes = ("seq=16", "hidden=64", "heads=4", "kv_heads=4", "ffn=128")
    code, out, err = run("workload", "export", "llm-prefill", "-o", str(target), *(f"--set={s}" for s in sizes))
    assert code == 0, err
    assert target.exists() and (tmp_path / "tiny.weights").exists()
    assert "wrote" in out
    code, out, err = run("workload", "summarize", str(target))
    assert code == 0, err
    assert "19 layers" in out
    assert "/self_attn/MatMul" in out and "C=16 D=16 K=16 B=1 H=4" in out
    assert "skipped ops (bridged at no cost):" in out and "Softmax 1" in out
    code, out, _ = run("workload", "summarize", str(target), "--compat", "zigzag", "--no-layers")
    assert code == 0
    assert "9 layers" in out and "MatMul 9" in out and "/self_attn/MatMul " not in out


def test_summarize_json_and_precision(tmp_path: Path) -> None:
    target = tmp_path / "r.onnx"
    assert run("workload", "export", "resnet18", "-o", str(target), "--set", "image=32")[0] == 0
    code, out, _ = run("workload", "summarize", str(target), "--format", "json", "--act-bits", "16")
    assert code == 0
    data = json.loads(out)
    assert data["mode"] == "default" and len(data["layers"]) == 31
    assert data["total_macs"] == sum(layer["macs"] for layer in data["layers"])
    assert {s["op_type"] for s in data["skipped_ops"]} == {"Relu", "Flatten"}


def _dynamic_model(path: Path) -> None:
    node = helper.make_node("MatMul", ["x", "w"], ["y"], name="fc")
    graph = helper.make_graph(
        [node],
        "dyn",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 16])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(np.zeros((16, 4), np.float32), "w")],
    )
    onnx.save_model(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))


def test_dynamic_dims_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "dyn.onnx"
    _dynamic_model(path)
    code, _, err = run("workload", "summarize", str(path))
    assert code == 2
    assert "dynamic (symbolic) dimension has no value" in err and "--dim batch=N" in err
    assert "Traceback" not in err
    code, out, _ = run("workload", "summarize", str(path), "--dim", "batch=3")
    assert code == 0 and "C=16 D=3 K=4" in out and "dims: batch=3" in out


def test_bad_files_exit_2_with_a_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x00\x01garbage")
    code, _, err = run("workload", "summarize", str(bad))
    assert code == 2 and err.startswith("error: ") and str(bad) in err
    code, _, err = run("workload", "summarize", str(tmp_path / "missing.onnx"))
    assert code == 2 and "does not exist" in err
    code, _, err = run("workload", "export", "nope")
    assert code == 2 and "no workload of this name" in err
    code, _, err = run("workload", "export", "resnet18", "--set", "image=1", "-o", str(tmp_path / "x.onnx"))
    assert code == 2 and "at least 32 pixels" in err


def test_malformed_arguments_are_argparse_errors() -> None:
    with pytest.raises(SystemExit) as info:
        run("workload", "summarize", "x.onnx", "--dim", "batch")
    assert info.value.code == 2
    with pytest.raises(SystemExit):
        run("workload", "summarize", "x.onnx", "--act-bits", "0")


def test_summarize_yaml_workloads() -> None:
    code, out, err = run("workload", "summarize", str(DATA / "resnet18.yaml"), "--no-layers")
    assert code == 0, err
    assert "31 layers" in out


def test_no_subcommand() -> None:
    code, _, err = run("workload")
    assert code == 1 and "usage" in err
