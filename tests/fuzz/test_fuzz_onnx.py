"""Fuzzing ONNX input: damaged models end in a `Network` or an `InputError` naming the file, never another error.

(The first runs found three crashes in `io/onnx_import.py`, now fixed: a non-numeric external-data length, onnx's
shape inference raising `UnicodeDecodeError`/`ValueError` on damaged strings and data types, and a tensor attribute
of undefined element type.)

Models of the zoo (small sizes) are serialised, then damaged as bytes (cut, bits flipped, garbage inserted, a slice
zeroed or repeated) or as protobuf (a node dropped or renamed, an input or initializer removed, attributes and
input shapes set to zero, negative or huge values, the opset changed). Each is written to a `.onnx` file and
imported in both modes (default and `compat="zigzag"`).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import onnx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zigzag_opt.errors import InputError
from zigzag_opt.io.onnx_import import import_onnx
from zigzag_opt.library.workloads import build_workload

SCALE = max(1, int(os.environ.get("ZIGZAG_OPT_FUZZ_EXAMPLES", "1")))
pytestmark = pytest.mark.filterwarnings("ignore:Ignoring unknown external data key")
MODELS = {
    "resnet18": {"image": 32, "width": 8, "classes": 10},
    "mobilenetv2": {"image": 32, "classes": 10},
    "bert-encoder": {"seq": 8, "hidden": 64, "heads": 2, "ffn": 128},
    "llm-prefill": {"seq": 8, "hidden": 64, "heads": 4, "kv_heads": 2, "ffn": 128},
    "llm-decode": {"past": 8, "hidden": 64, "heads": 4, "kv_heads": 2, "ffn": 128},
}
PROTOS = {name: build_workload(name, **params) for name, params in MODELS.items()}
BYTES = {name: proto.SerializeToString() for name, proto in PROTOS.items()}
NUMBERS = st.sampled_from([0, -1, -7, 1, 2, 3, 2**31 - 1, 2**40, -(2**40)])


@st.composite
def damaged_bytes(draw: st.DrawFn) -> bytes:
    data = bytearray(BYTES[draw(st.sampled_from(sorted(BYTES)))])
    op = draw(st.sampled_from(["cut", "flip", "insert", "zero", "repeat"]))
    at = draw(st.integers(0, len(data) - 1))
    if op == "cut":
        return bytes(data[:at])
    if op == "flip":
        for _ in range(draw(st.integers(1, 8))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] ^= 1 << draw(st.integers(0, 7))
        return bytes(data)
    if op == "insert":
        return bytes(data[:at]) + draw(st.binary(min_size=1, max_size=32)) + bytes(data[at:])
    size = draw(st.integers(1, 64))
    if op == "zero":
        data[at : at + size] = bytes(len(data[at : at + size]))
        return bytes(data)
    return bytes(data[: at + size]) + bytes(data[at:])


def _damage_node(proto: onnx.ModelProto, draw: st.DrawFn) -> None:
    nodes = proto.graph.node
    node = nodes[draw(st.integers(0, len(nodes) - 1))]
    op = draw(st.sampled_from(["drop", "op_type", "drop_input", "attribute", "rename_output"]))
    if op == "drop":
        nodes.remove(node)
    elif op == "op_type":
        node.op_type = draw(st.sampled_from(["", "Conv", "Gemm", "MatMul", "NoSuchOp", "Add", "Relu", "Reshape"]))
    elif op == "drop_input" and node.input:
        del node.input[draw(st.integers(0, len(node.input) - 1))]
    elif op == "attribute" and node.attribute:
        attr = node.attribute[draw(st.integers(0, len(node.attribute) - 1))]
        if attr.ints:
            attr.ints[draw(st.integers(0, len(attr.ints) - 1))] = draw(NUMBERS)
        elif attr.type == onnx.AttributeProto.INT:
            attr.i = draw(NUMBERS)
        else:
            attr.name = draw(st.sampled_from(["", "kernel_shape", "strides", "bogus"]))
    elif node.output:
        node.output[0] = draw(st.sampled_from(["", "x", node.input[0] if node.input else "y"]))


def _damage_graph(proto: onnx.ModelProto, draw: st.DrawFn) -> None:
    graph = proto.graph
    op = draw(st.sampled_from(["initializer", "input_dim", "opset", "dims", "output"]))
    if op == "initializer" and graph.initializer:
        del graph.initializer[draw(st.integers(0, len(graph.initializer) - 1))]
    elif op == "input_dim" and graph.input and graph.input[0].type.tensor_type.shape.dim:
        dims = graph.input[0].type.tensor_type.shape.dim
        dim = dims[draw(st.integers(0, len(dims) - 1))]
        if draw(st.booleans()):
            dim.dim_value = draw(NUMBERS)
        else:
            dim.dim_param = draw(st.sampled_from(["", "batch", "N", "?"]))
    elif op == "opset":
        proto.opset_import[0].version = draw(st.sampled_from([0, 1, 6, 99, -3]))
    elif op == "dims" and graph.initializer:
        tensor = graph.initializer[draw(st.integers(0, len(graph.initializer) - 1))]
        if tensor.dims:
            tensor.dims[draw(st.integers(0, len(tensor.dims) - 1))] = draw(NUMBERS)
    elif graph.output:
        del graph.output[0]


@st.composite
def damaged_protos(draw: st.DrawFn) -> bytes:
    proto = onnx.ModelProto()
    proto.CopyFrom(PROTOS[draw(st.sampled_from(sorted(PROTOS)))])
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            _damage_node(proto, draw)
        else:
            _damage_graph(proto, draw)
    return proto.SerializeToString()


def _check(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    for compat in (None, "zigzag"):
        try:
            import_onnx(path, compat=compat)
        except InputError as exc:
            assert all(p.file == str(path) for p in exc.problems), exc.message
            assert str(path) in exc.message


def _settings(n: int) -> Any:
    return settings(
        max_examples=n * SCALE,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx") / "model.onnx"


@pytest.mark.parametrize("strategy", [damaged_bytes, damaged_protos])
def test_damaged_models(strategy: Any, model_file: Path) -> None:
    count: list[int] = []

    @_settings(200)
    @given(strategy())
    def run(data: bytes) -> None:
        _check(model_file, data)
        count.append(1)

    run()
    assert len(count) >= 180 * SCALE


def test_zoo_models_import(model_file: Path) -> None:
    for data in BYTES.values():
        model_file.write_bytes(data)
        assert import_onnx(model_file).layers
