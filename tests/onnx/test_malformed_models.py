"""Bad ONNX input gives one `InputError` with a specific message (rule, place, value) — never a traceback.

Each case names the substrings its message must contain: the rule, and where possible the node, attribute or
tensor at fault.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from zigzag_opt.errors import InputError
from zigzag_opt.io.onnx_import import OnnxPrecision, import_onnx

Source = str | Path | bytes | onnx.ModelProto


def _shipped(name: str) -> Path:
    spec = importlib.util.find_spec("zigzag")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("zigzag-dse is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "inputs" / "workload" / f"{name}.onnx"


def _w(name: str, shape: list[int]) -> onnx.TensorProto:
    return numpy_helper.from_array(np.zeros(shape, dtype=np.float32), name)


def _model(
    nodes: list[onnx.NodeProto],
    inputs: dict[str, list[int | str]],
    inits: list[onnx.TensorProto] | None = None,
    *,
    opset: int = 17,
    extra_opsets: tuple[tuple[str, int], ...] = (),
) -> onnx.ModelProto:
    out = nodes[-1].output[0] if nodes else "y"
    graph = helper.make_graph(
        nodes,
        "bad",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs.items()],
        [helper.make_tensor_value_info(out, TensorProto.FLOAT, None)],
        inits or [],
    )
    opsets = [helper.make_opsetid("", opset), *(helper.make_opsetid(d, v) for d, v in extra_opsets)]
    return helper.make_model(graph, opset_imports=opsets)


def _conv(**attrs: object) -> onnx.ModelProto:
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv", **attrs)
    return _model([node], {"x": [1, 3, 8, 8]}, [_w("w", [4, 3, 3, 3])])


X = {"x": [1, 3, 8, 8]}
W4 = [_w("w", [4, 3, 3, 3])]


def _without_opset() -> onnx.ModelProto:
    model = _conv()
    del model.opset_import[:]
    model.opset_import.append(helper.make_opsetid("com.example", 1))
    return model


def _no_ir_version() -> onnx.ModelProto:
    model = _conv()
    model.ir_version = 0
    return model


def _graph_less() -> bytes:
    model = onnx.ModelProto(ir_version=8)
    model.opset_import.append(helper.make_opsetid("", 17))
    return model.SerializeToString()


def _unsorted() -> onnx.ModelProto:
    relu = helper.make_node("Relu", ["c"], ["y"], name="relu")
    conv = helper.make_node("Conv", ["x", "w"], ["c"], name="conv")
    return _model([relu, conv], X, W4)


def _twice() -> onnx.ModelProto:
    a = helper.make_node("Conv", ["x", "w"], ["y"], name="first")
    b = helper.make_node("Relu", ["x"], ["y"], name="second")
    return _model([a, b], X, W4)


def _if_node() -> onnx.ModelProto:
    then = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["t"])], "then", [], [helper.make_tensor_value_info("t", 1, None)]
    )
    other = helper.make_graph(
        [helper.make_node("Neg", ["x"], ["e"])], "else", [], [helper.make_tensor_value_info("e", 1, None)]
    )
    cond = helper.make_node("Constant", [], ["cond"], value=helper.make_tensor("v", TensorProto.BOOL, [], [True]))
    node = helper.make_node("If", ["cond"], ["y"], name="branch", then_branch=then, else_branch=other)
    return _model([cond, node], X)


def _custom_op_feeds_conv() -> onnx.ModelProto:
    foo = helper.make_node("Mystery", ["x"], ["f"], name="mystery", domain="com.example")
    conv = helper.make_node("Conv", ["f", "w"], ["y"], name="conv")
    return _model([foo, conv], X, W4, extra_opsets=(("com.example", 1),))


def _three_producers() -> onnx.ModelProto:
    """A Conv whose data, weight and bias all come out of nodes: ZigZag counts three predecessors and raises."""
    nodes = [
        helper.make_node("Relu", ["x"], ["a"], name="a"),
        helper.make_node("Identity", ["w0"], ["w"], name="b"),
        helper.make_node("Identity", ["b0"], ["b"], name="c"),
        helper.make_node("Conv", ["a", "w", "b"], ["y"], name="conv"),
    ]
    return _model(nodes, X, [_w("w0", [4, 3, 3, 3]), _w("b0", [4])])


CASES: dict[str, tuple[Callable[[], Source], dict[str, object], tuple[str, ...]]] = {
    # --- files ------------------------------------------------------------------------------------------------
    "missing file": (lambda: "/nonexistent/model.onnx", {}, ("does not exist", "/nonexistent/model.onnx")),
    "directory": (lambda: Path(__file__).parent, {}, ("found a directory",)),
    "empty bytes": (lambda: b"", {}, ("the file is empty",)),
    "truncated model": (
        lambda: (data := _shipped("resnet18").read_bytes())[: len(data) // 2],
        {},
        ("truncated", "does not parse"),
    ),
    "text instead of onnx": (lambda: b"name: not a model\nlayers: []\n", {}, ("does not parse",)),
    "another protobuf": (lambda: _w("t", [3, 3]).SerializeToString(), {}, ("does not parse",)),
    "no graph": (_graph_less, {}, ("it has no graph",)),
    "no nodes": (lambda: _model([], X), {}, ("the graph has no nodes",)),
    "no standard opset": (_without_opset, {}, ("standard ONNX operator set", "com.example:1")),
    "no ir_version": (_no_ir_version, {}, ("ir_version is missing",)),
    # --- graph ------------------------------------------------------------------------------------------------
    "not topologically sorted": (_unsorted, {}, ("not in topological order", "'relu'", "graph.node[1]")),
    "undefined input": (
        lambda: _model([helper.make_node("Conv", ["x", "nowhere"], ["y"], name="conv")], X),
        {},
        ("not a graph input, an initializer or a node output", "nowhere"),
    ),
    "tensor produced twice": (_twice, {}, ("produced twice", "'y'")),
    "control flow": (_if_node, {}, ("control flow is not supported", "If", "'branch'")),
    "nothing to model": (
        lambda: _model([helper.make_node("Relu", ["x"], ["y"])], X),
        {},
        ("no node this importer models as a layer", "Relu"),
    ),
    # --- shapes and dims --------------------------------------------------------------------------------------
    "dynamic batch without a value": (
        lambda: _model([helper.make_node("Conv", ["x", "w"], ["y"])], {"x": ["batch", 3, 8, 8]}, W4),
        {},
        ("dynamic (symbolic) dimension has no value", "--dim batch=N", "dims.batch"),
    ),
    "two dynamic dims without values": (
        lambda: _model([helper.make_node("Conv", ["x", "w"], ["y"])], {"x": ["n", 3, "h", "w_"]}, W4),
        {"dims": {"n": 1}},
        ("dims.h", "dims.w_", "--dim h=N"),
    ),
    "unknown dim name": (
        lambda: _model([helper.make_node("Conv", ["x", "w"], ["y"])], {"x": ["batch", 3, 8, 8]}, W4),
        {"dims": {"btach": 1}},
        ("no tensor of the model has a dynamic dimension of this name", "btach", "accepted: batch"),
    ),
    "dim value not positive": (
        lambda: _model([helper.make_node("Conv", ["x", "w"], ["y"])], {"x": ["batch", 3, 8, 8]}, W4),
        {"dims": {"batch": 0}},
        ("dimension size is a positive integer", "dims.batch"),
    ),
    "shape inference cannot fill": (
        _custom_op_feeds_conv,
        {},
        ("shape inference could not determine this tensor's shape", "'f'", "Mystery", "com.example"),
    ),
    "matmul inner dims differ": (
        lambda: _model([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], {"x": [2, 3]}, [_w("w", [4, 5])]),
        {},
        ("shape inference rejected the model", "Incompatible dimensions for matrix multiplication", "'mm'"),
    ),
    # --- attributes -------------------------------------------------------------------------------------------
    "auto_pad value": (lambda: _conv(auto_pad="FOO"), {}, ("unsupported attribute value", "auto_pad", "SAME_UPPER")),
    "strides length": (lambda: _conv(strides=[1, 1, 1]), {}, ("wrong number of entries", "attribute.strides")),
    "zero stride": (lambda: _conv(strides=[0, 1]), {}, ("attribute.strides", "integers >= 1", "positive values")),
    "negative pad": (lambda: _conv(pads=[1, -1, 1, 1]), {}, ("attribute.pads", "integers >= 0")),
    "kernel_shape vs weight": (
        lambda: _conv(kernel_shape=[5, 5]),
        {},
        ("kernel_shape does not match the weight", "[5, 5]", "accepted: [3, 3]"),
    ),
    "group does not divide": (
        lambda: _conv(group=2),
        {},
        ("weight shape, channel counts and group do not agree", "group 2"),
    ),
    "3-D convolution": (
        lambda: _model(
            [helper.make_node("Conv", ["x", "w"], ["y"])], {"x": [1, 3, 8, 8, 8]}, [_w("w", [4, 3, 3, 3, 3])]
        ),
        {},
        ("only 1-D and 2-D convolutions are modelled", "3-D"),
    ),
    "strides as a float list": (
        lambda: _conv(strides=[1.0, 1.0]),
        {},
        ("must be a list of integers", "attribute.strides"),
    ),
    "gemm transA value": (
        lambda: _model(
            [helper.make_node("Gemm", ["x", "w"], ["y"], name="fc", transA=2)], {"x": [2, 3]}, [_w("w", [3, 5])]
        ),
        {},
        ("unsupported attribute value", "transA", "accepted: 0, 1"),
    ),
    "maxpool without kernel": (
        lambda: _model([helper.make_node("MaxPool", ["x"], ["y"], name="pool")], X),
        {},
        ("required attribute is missing", "kernel_shape", "'pool'"),
    ),
    "custom precision attribute type": (
        lambda: _conv(weight_size=4.5),
        {},
        ("must be an integer", "attribute.weight_size"),
    ),
    # --- compat mode: where ZigZag's own parser fails ---------------------------------------------------------
    "zigzag: input and output ranks differ": (
        lambda: _model([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")], {"x": [2, 6]}, [_w("w", [3, 6, 4])]),
        {"compat": "zigzag"},
        ("ZigZag's ONNX parser cannot parse this node", "same rank", "'mm'"),
    ),
    "zigzag: three producing inputs": (
        _three_producers,
        {"compat": "zigzag"},
        ("more than two of its inputs are produced by other nodes", "'conv'"),
    ),
    "zigzag: 1-D convolution": (
        lambda: _model(
            [helper.make_node("Conv", ["x", "w"], ["y"], name="c1d")], {"x": [1, 3, 16]}, [_w("w", [4, 3, 3])]
        ),
        {"compat": "zigzag"},
        ("ZigZag's ONNX parser cannot parse this node", "(N, C, H, W)"),
    ),
    "unknown compat mode": (lambda: _conv(), {"compat": "timeloop"}, ("unknown compatibility mode", "timeloop")),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_model_gives_a_specific_input_error(case: str) -> None:
    build, kwargs, expected = CASES[case]
    with pytest.raises(InputError) as info:
        import_onnx(build(), **kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    for part in expected:
        assert part in message, f"{case}: {part!r} not in:\n{message}"
    assert "Traceback" not in message


def test_there_are_at_least_25_cases() -> None:
    assert len(CASES) >= 25


def test_every_problem_of_a_model_is_reported_at_once() -> None:
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["a"], name="one", auto_pad="BAD"),
        helper.make_node("Conv", ["a", "w2"], ["y"], name="two", kernel_shape=[2, 2]),
    ]
    model = _model(nodes, X, [_w("w", [3, 3, 3, 3]), _w("w2", [4, 3, 3, 3])])
    with pytest.raises(InputError) as info:
        import_onnx(model)
    text = str(info.value)
    assert "'one'" in text and "'two'" in text
    assert len(info.value.problems) >= 2


def test_file_name_is_in_the_message(tmp_path: Path) -> None:
    path = tmp_path / "broken.onnx"
    path.write_bytes(b"\x08\x07\x12")
    with pytest.raises(InputError) as info:
        import_onnx(path)
    assert str(path) in str(info.value)


def test_bad_default_precision() -> None:
    with pytest.raises(InputError, match="positive number of bits"):
        OnnxPrecision(act_bits=0)
