"""The default import mode, op by op: geometry read the right way round, batching and broadcasting, quantised
precisions, pooling and element-wise layers, bridging and edges, external data, dynamic dims, precision settings."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from zigzag_opt.io.native import dump_native_workload
from zigzag_opt.io.onnx_import import OnnxPrecision, import_onnx, import_onnx_summary
from zigzag_opt.io.yaml_io import parse_yaml
from zigzag_opt.workload import Layer, LayerKind, Operand


def _w(name: str, shape: list[int], dtype: type = np.float32) -> onnx.TensorProto:
    return numpy_helper.from_array(np.zeros(shape, dtype=dtype), name)


def _model(
    nodes: list[onnx.NodeProto],
    inputs: dict[str, list[int | str]],
    inits: list[onnx.TensorProto] | None = None,
    *,
    elem: int = TensorProto.FLOAT,
    opset: int = 17,
) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "test",
        [helper.make_tensor_value_info(n, elem, s) for n, s in inputs.items()],
        [helper.make_tensor_value_info(nodes[-1].output[0], elem, None)],
        inits or [],
    )
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def _sizes(layer: Layer) -> dict[str, int]:
    return dict(zip(layer.dims, layer.sizes, strict=True))


def _pads(layer: Layer) -> dict[str, tuple[int, int]]:
    return {d: (b, e) for d, b, e in layer.padding}


def _coefs(layer: Layer, derived: str) -> tuple[tuple[str, int], ...]:
    rel = layer.relation(derived)
    assert rel is not None
    return rel.terms


def _only(model: onnx.ModelProto, **kwargs: object) -> Layer:
    net = import_onnx(model, **kwargs)  # type: ignore[arg-type]
    assert len(net.layers) == 1
    return net.layers[0]


# --------------------------------------------------------------------------------------------------------------
# Convolutions
# --------------------------------------------------------------------------------------------------------------


def test_non_square_conv_reads_h_and_w_the_right_way_round() -> None:
    node = helper.make_node(
        "Conv", ["x", "w"], ["y"], kernel_shape=[3, 5], strides=[1, 2], dilations=[2, 1], pads=[1, 2, 3, 4]
    )
    layer = _only(_model([node], {"x": [2, 6, 20, 30]}, [_w("w", [8, 6, 3, 5])]))
    # H: (20 + 1 + 3 - 5) / 1 + 1 = 20;  W: (30 + 2 + 4 - 5) // 2 + 1 = 16
    assert _sizes(layer) == {"B": 2, "K": 8, "G": 1, "OX": 16, "OY": 20, "C": 6, "FX": 5, "FY": 3}
    assert _coefs(layer, "IX") == (("OX", 2), ("FX", 1))
    assert _coefs(layer, "IY") == (("OY", 1), ("FY", 2))
    assert _pads(layer) == {"IX": (2, 4), "IY": (1, 3)}
    assert dict(layer.pr_sizes) == {"IX": 30, "IY": 20}
    assert layer.mac_count == 2 * 8 * 16 * 20 * 6 * 5 * 3
    assert layer.kind is LayerKind.CONV and layer.constant_operands == (Operand.W,)
    assert [op for op, _ in layer.operand_dims] == [Operand.O, Operand.W, Operand.I]


@pytest.mark.parametrize(
    ("auto_pad", "pads"),
    [("SAME_UPPER", {"IX": (1, 2), "IY": (1, 1)}), ("SAME_LOWER", {"IX": (2, 1), "IY": (1, 1)}), ("VALID", None)],
)
def test_auto_pad_is_resolved(auto_pad: str, pads: dict[str, tuple[int, int]] | None) -> None:
    node = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 4], auto_pad=auto_pad)
    layer = _only(_model([node], {"x": [1, 2, 9, 9]}, [_w("w", [4, 2, 3, 4])]))
    if pads is None:
        assert _pads(layer) == {"IX": (0, 0), "IY": (0, 0)}
        assert (_sizes(layer)["OX"], _sizes(layer)["OY"]) == (6, 7)
    else:
        assert _pads(layer) == pads
        assert (_sizes(layer)["OX"], _sizes(layer)["OY"]) == (9, 9)


def test_compat_mode_ignores_auto_pad_like_zigzag_and_says_so() -> None:
    node = helper.make_node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], auto_pad="SAME_UPPER")
    result = import_onnx_summary(_model([node], {"x": [1, 2, 9, 9]}, [_w("w", [4, 2, 3, 3])]), compat="zigzag")
    assert _pads(result.network.layers[0]) == {"IX": (0, 0), "IY": (0, 0)}
    assert any("auto_pad=SAME_UPPER is ignored" in w for w in result.warnings)


def test_one_dimensional_and_depthwise_convs() -> None:
    c1d = helper.make_node("Conv", ["x", "w"], ["a"], kernel_shape=[5], strides=[2], pads=[2, 2])
    dw = helper.make_node("Conv", ["a", "dw"], ["y"], kernel_shape=[3], pads=[1, 1], group=16)
    net = import_onnx(_model([c1d, dw], {"x": [1, 4, 64]}, [_w("w", [16, 4, 5]), _w("dw", [16, 1, 3])]))
    first, depthwise = net.layers
    assert _sizes(first) == {"B": 1, "K": 16, "G": 1, "OX": 32, "OY": 1, "C": 4, "FX": 5, "FY": 1}
    assert _sizes(depthwise) == {"B": 1, "K": 1, "G": 16, "OX": 32, "OY": 1, "C": 1, "FX": 3, "FY": 1}
    assert net.edges == ((0, 1),)
    assert depthwise.sources == ((Operand.I, 0),)


def test_conv_transpose_is_the_zero_inserted_stride_one_conv() -> None:
    node = helper.make_node("ConvTranspose", ["x", "w"], ["y"], kernel_shape=[4, 4], strides=[2, 2], pads=[1, 1, 1, 1])
    layer = _only(_model([node], {"x": [1, 16, 4, 4]}, [_w("w", [16, 8, 4, 4])]))
    assert _sizes(layer) == {"B": 1, "K": 8, "G": 1, "OX": 8, "OY": 8, "C": 16, "FX": 4, "FY": 4}
    assert _coefs(layer, "IX") == (("OX", 1), ("FX", 1))
    assert dict(layer.pr_sizes) == {"IX": 7, "IY": 7}  # (4 - 1) * 2 + 1
    assert _pads(layer) == {"IX": (2, 2), "IY": (2, 2)}  # 8 + 3 - 7 = 4, begin = 3 - 1
    assert layer.mac_count == 8 * 16 * 8 * 8 * 4 * 4
    assert layer.operator_type == "ConvTranspose"


def test_compat_mode_bridges_conv_transpose_like_zigzag() -> None:
    node = helper.make_node("ConvTranspose", ["x", "w"], ["a"], kernel_shape=[2, 2], strides=[2, 2])
    conv = helper.make_node("Conv", ["a", "w2"], ["y"], kernel_shape=[1, 1])
    model = _model([node, conv], {"x": [1, 4, 4, 4]}, [_w("w", [4, 4, 2, 2]), _w("w2", [4, 4, 1, 1])])
    result = import_onnx_summary(model, compat="zigzag")
    assert [layer.operator_type for layer in result.network.layers] == ["Conv"]
    assert result.bridged_counts() == {"ConvTranspose": 1}


def _qlinear_conv() -> onnx.ModelProto:
    inputs = ["x", "xs", "xz", "w", "ws", "wz", "ys", "yz"]
    node = helper.make_node("QLinearConv", inputs, ["y"], name="qconv", kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    inits = [
        numpy_helper.from_array(np.array(0.1, np.float32), "xs"),
        numpy_helper.from_array(np.array(128, np.uint8), "xz"),
        _w("w", [8, 4, 3, 3], np.int8),
        numpy_helper.from_array(np.array(0.1, np.float32), "ws"),
        numpy_helper.from_array(np.array(0, np.int8), "wz"),
        numpy_helper.from_array(np.array(0.2, np.float32), "ys"),
        numpy_helper.from_array(np.array(128, np.uint8), "yz"),
    ]
    return _model([node], {"x": [1, 4, 8, 8]}, inits, elem=TensorProto.UINT8)


def test_quantised_ops_take_their_precision_from_the_tensor_types() -> None:
    wide = OnnxPrecision(weight_bits=16, act_bits=16)
    q = _only(_qlinear_conv(), precision=wide)
    assert (q.precision.w_bits, q.precision.i_bits, q.precision.o_final_bits) == (8, 8, 8)
    assert q.precision.o_partial_bits >= 16
    assert _sizes(q)["K"] == 8 and q.constant_operands == (Operand.W,)
    node = helper.make_node("ConvInteger", ["x", "w"], ["y"], kernel_shape=[1, 1])
    model = _model([node], {"x": [1, 4, 8, 8]}, [_w("w", [8, 4, 1, 1], np.int8)], elem=TensorProto.UINT8)
    model.graph.output[0].type.tensor_type.elem_type = TensorProto.INT32
    ci = _only(model)
    assert (ci.precision.w_bits, ci.precision.i_bits, ci.precision.o_final_bits, ci.precision.o_partial_bits) == (
        8,
        8,
        32,
        32,
    )
    zz = _only(_qlinear_conv(), compat="zigzag", precision=wide)  # ZigZag ignores the types
    assert (zz.precision.w_bits, zz.precision.i_bits, zz.precision.o_partial_bits) == (16, 16, 32)


def test_qlinear_matmul() -> None:
    inputs = ["a", "as", "az", "b", "bs", "bz", "ys", "yz"]
    node = helper.make_node("QLinearMatMul", inputs, ["y"])
    inits = [
        numpy_helper.from_array(np.array(0.1, np.float32), "as"),
        numpy_helper.from_array(np.array(0, np.int8), "az"),
        _w("b", [16, 32], np.int8),
        numpy_helper.from_array(np.array(0.1, np.float32), "bs"),
        numpy_helper.from_array(np.array(0, np.int8), "bz"),
        numpy_helper.from_array(np.array(0.1, np.float32), "ys"),
        numpy_helper.from_array(np.array(0, np.int8), "yz"),
    ]
    layer = _only(_model([node], {"a": [4, 16]}, inits, elem=TensorProto.INT8))
    assert _sizes(layer) == {"C": 16, "D": 4, "K": 32}
    assert layer.precision.i_bits == 8 and layer.precision.w_bits == 8


# --------------------------------------------------------------------------------------------------------------
# Matrix products
# --------------------------------------------------------------------------------------------------------------


def test_batched_broadcasting_matmul() -> None:
    node = helper.make_node("MatMul", ["a", "b"], ["y"])
    layer = _only(_model([node], {"a": [2, 1, 6, 8], "b": [3, 8, 5]}))
    assert _sizes(layer) == {"C": 8, "D": 6, "K": 5, "B": 2, "H": 3}
    assert dict(layer.operand_dims) == {
        Operand.O: ("B", "H", "D", "K"),
        Operand.I: ("B", "D", "C"),
        Operand.W: ("H", "C", "K"),
    }
    assert layer.constant_operands == ()
    assert layer.precision.w_bits == layer.precision.i_bits  # W is an activation
    assert layer.tensor_elements(Operand.W) == 3 * 8 * 5


def test_linear_layer_of_a_transformer_keeps_weights_unbatched() -> None:
    node = helper.make_node("MatMul", ["x", "w"], ["y"])
    layer = _only(_model([node], {"x": [1, 128, 768]}, [_w("w", [768, 3072])]))
    assert _sizes(layer) == {"C": 768, "D": 128, "K": 3072, "B": 1}
    assert layer.equation == "O[b][d][k]+=I[b][d][c]*W[c][k]"
    assert layer.mac_count == 128 * 768 * 3072


def test_vector_matmul_and_constant_first_input() -> None:
    vec = helper.make_node("MatMul", ["x", "w"], ["v"])  # [8] x [8, 6] -> [6]
    net = import_onnx(_model([vec], {"x": [8]}, [_w("w", [8, 6])]))
    assert _sizes(net.layers[0]) == {"C": 8, "D": 1, "K": 6}
    left = helper.make_node("MatMul", ["w", "x"], ["y"])  # constant [7, 24] x activation [24, 5]
    layer = _only(_model([left], {"x": [24, 5]}, [_w("w", [7, 24])]))
    # The constant is W: the product is computed transposed, D = 5 activation columns, K = 7 weight rows.
    assert _sizes(layer) == {"C": 24, "D": 5, "K": 7}
    assert layer.tensor_elements(Operand.W) == 7 * 24 and layer.tensor_elements(Operand.I) == 24 * 5
    assert layer.constant_operands == (Operand.W,)


def test_gemm_transposes() -> None:
    node = helper.make_node("Gemm", ["a", "b", "c"], ["y"], transA=1, transB=1)
    layer = _only(_model([node], {"a": [10, 4]}, [_w("b", [6, 10]), _w("c", [6])]))
    assert _sizes(layer) == {"C": 10, "D": 4, "K": 6}


def test_attention_is_two_layers() -> None:
    qk = helper.make_node("MatMul", ["q", "kt"], ["s"], name="qk")
    sm = helper.make_node("Softmax", ["s"], ["p"], name="softmax")
    pv = helper.make_node("MatMul", ["p", "v"], ["y"], name="pv")
    net = import_onnx(_model([qk, sm, pv], {"q": [1, 12, 64, 32], "kt": [1, 12, 32, 64], "v": [1, 12, 64, 32]}))
    assert [layer.name for layer in net.layers] == ["qk", "pv"]
    assert net.edges == ((0, 2),)
    assert net.skipped_ops == ("softmax (Softmax)",)
    assert [layer.mac_count for layer in net.layers] == [12 * 64 * 64 * 32] * 2


# --------------------------------------------------------------------------------------------------------------
# Pooling and element-wise layers
# --------------------------------------------------------------------------------------------------------------


def test_pooling_layers() -> None:
    mp = helper.make_node("MaxPool", ["x"], ["a"], kernel_shape=[3, 2], strides=[2, 2], pads=[0, 0, 1, 1], ceil_mode=1)
    ap = helper.make_node("AveragePool", ["a"], ["b"], kernel_shape=[2, 2], strides=[1, 1])
    gap = helper.make_node("GlobalAveragePool", ["b"], ["y"])
    net = import_onnx(_model([mp, ap, gap], {"x": [1, 8, 13, 12]}))
    maxpool, avgpool, glob = net.layers
    assert _sizes(maxpool) == {"B": 1, "G": 8, "OY": 7, "OX": 7, "FX": 2, "FY": 3}
    assert _pads(maxpool) == {"IX": (0, 1), "IY": (0, 1)}
    assert maxpool.precision.w_bits == 0 and maxpool.constant_operands == (Operand.W,)
    assert maxpool.equation == "O[b][g][oy][ox]+=W[fx][fy]*I[b][g][iy][ix]"
    assert _sizes(avgpool)["OX"] == 6
    assert _sizes(glob) == {"B": 1, "G": 8, "OY": 1, "OX": 1, "FX": 6, "FY": 6}
    assert [layer.kind for layer in net.layers] == [LayerKind.POOLING] * 3
    assert net.edges == ((0, 1), (1, 2))


def test_elementwise_layers_with_broadcasting() -> None:
    mm = helper.make_node("MatMul", ["x", "w"], ["m"])
    bias = helper.make_node("Add", ["m", "b"], ["a"])
    res = helper.make_node("Add", ["a", "x"], ["r"])
    scale = helper.make_node("Mul", ["r", "s"], ["y"])
    inits = [_w("w", [16, 16]), _w("b", [16]), numpy_helper.from_array(np.array(0.5, np.float32), "s")]
    net = import_onnx(_model([mm, bias, res, scale], {"x": [2, 5, 16]}, inits))
    _, add_bias, add_res, mul = net.layers
    assert add_bias.equation == "O[b][d][k]=W[k]+I[b][d][k]"
    assert add_bias.constant_operands == (Operand.W,) and add_bias.mac_count == 2 * 5 * 16
    assert add_res.constant_operands == () and add_res.precision.w_bits == add_res.precision.i_bits
    assert mul.equation == "O[b][d][k]=I[b][d][k]*W[]"
    assert [layer.kind for layer in net.layers[1:]] == [LayerKind.ELEMENTWISE] * 3
    assert set(net.edges) == {(0, 1), (1, 2), (2, 3)}
    assert add_res.sources == ((Operand.I, 1),)  # W is the graph input x: no producing layer


def test_shape_arithmetic_and_constant_subgraphs_are_bridged() -> None:
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"], name="shape"),
        helper.make_node("Gather", ["shape", "zero"], ["n"], name="gather", axis=0),
        helper.make_node("Mul", ["n", "two"], ["n2"], name="int_mul"),  # int64 arithmetic
        helper.make_node("Add", ["c1", "c2"], ["c"], name="const_add"),  # constants only
        helper.make_node("Unsqueeze", ["n2", "axes"], ["n2u"], name="unsq"),
        helper.make_node("Concat", ["n2u", "rest"], ["target"], name="cat", axis=0),
        helper.make_node("Reshape", ["x", "target"], ["r"], name="reshape"),
        helper.make_node("MatMul", ["r", "c"], ["y"], name="mm"),
    ]
    inits = [
        numpy_helper.from_array(np.array(0, np.int64), "zero"),
        numpy_helper.from_array(np.array(1, np.int64), "two"),
        numpy_helper.from_array(np.array([0], np.int64), "axes"),
        numpy_helper.from_array(np.array([2], np.int64), "rest"),
        _w("c1", [2, 3]),
        _w("c2", [2, 3]),
    ]
    result = import_onnx_summary(_model(nodes, {"x": [4, 2]}, inits))
    assert [layer.name for layer in result.network.layers] == ["mm"]
    layer = result.network.layers[0]
    assert layer.constant_operands == (Operand.W,)
    reasons = {b.name: b.reason for b in result.bridged}
    assert reasons["int_mul"].startswith("constant") or "arithmetic" in reasons["int_mul"]
    assert reasons["const_add"].startswith("constant")
    assert reasons["reshape"].startswith("not modelled")


def test_bridged_fan_in_keeps_every_producer() -> None:
    convs = [helper.make_node("Conv", ["x", f"w{i}"], [f"c{i}"], name=f"conv{i}") for i in range(3)]
    cat = helper.make_node("Concat", ["c0", "c1", "c2"], ["cat"], name="cat", axis=1)
    relu = helper.make_node("Relu", ["cat"], ["r"], name="relu")
    last = helper.make_node("Conv", ["r", "w3"], ["y"], name="last")
    inits = [_w(f"w{i}", [4, 3, 1, 1]) for i in range(3)] + [_w("w3", [4, 12, 1, 1])]
    net = import_onnx(_model([*convs, cat, relu, last], {"x": [1, 3, 8, 8]}, inits))
    assert set(net.predecessors(5)) == {0, 1, 2}
    assert net.layer(5).sources == ((Operand.I, 2),)
    assert import_onnx(_model([*convs, cat, relu, last], {"x": [1, 3, 8, 8]}, inits), compat="zigzag").predecessors(
        5
    ) == (0, 1)


# --------------------------------------------------------------------------------------------------------------
# Inputs: files, external data, dynamic dims, precision
# --------------------------------------------------------------------------------------------------------------


def _mlp(batch: int | str = 4, seq: int | str = 8) -> onnx.ModelProto:
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["h"], name="fc1"),
        helper.make_node("Reshape", ["h", "shape"], ["h2"], name="reshape"),
        helper.make_node("MatMul", ["h2", "w2"], ["y"], name="fc2"),
    ]
    inits = [_w("w1", [32, 64]), numpy_helper.from_array(np.array([-1, 64], np.int64), "shape"), _w("w2", [64, 16])]
    return _model(nodes, {"x": [batch, seq, 32]}, inits)


def test_external_data_and_files(tmp_path: Path) -> None:
    path = tmp_path / "mlp.onnx"
    onnx.save_model(_mlp(), str(path), save_as_external_data=True, location="mlp.data", size_threshold=0)
    assert (tmp_path / "mlp.data").exists()
    net = import_onnx(path)
    assert net.name == "mlp"
    assert [_sizes(layer) for layer in net.layers] == [{"C": 32, "D": 8, "K": 64, "B": 4}, {"C": 64, "D": 32, "K": 16}]
    # Without the data file only the small reshape target is missing: shapes cannot be inferred past it.
    (tmp_path / "mlp.data").unlink()
    with pytest.raises(Exception, match="shape inference could not determine"):
        import_onnx(path)


def test_dynamic_dims_are_bound() -> None:
    model = _mlp("batch", "seq")
    net = import_onnx(model, dims={"batch": 2, "seq": 16})
    assert _sizes(net.layers[0]) == {"C": 32, "D": 16, "K": 64, "B": 2}
    assert _sizes(net.layers[1])["D"] == 32
    assert model.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"  # the caller's model is untouched


def test_precision_settings_and_custom_attributes() -> None:
    conv = helper.make_node("Conv", ["x", "w"], ["a"], name="plain", kernel_shape=[1, 1])
    custom = helper.make_node("Conv", ["a", "w"], ["y"], name="custom", kernel_shape=[1, 1], weight_size=2, act_size=4)
    model = _model([conv, custom], {"x": [1, 3, 4, 4]}, [_w("w", [3, 3, 1, 1])])
    for compat in (None, "zigzag"):
        net = import_onnx(model, compat=compat, precision=OnnxPrecision(weight_bits=4, act_bits=16, partial_bits=40))  # type: ignore[arg-type]
        plain, tuned = net.layers
        assert (plain.precision.w_bits, plain.precision.i_bits, plain.precision.o_partial_bits) == (4, 16, 40)
        assert plain.precision.o_final_bits == 16
        assert (tuned.precision.w_bits, tuned.precision.i_bits, tuned.precision.o_partial_bits) == (2, 4, 40)
    default = import_onnx(model).layers[0].precision
    assert (default.w_bits, default.i_bits, default.o_partial_bits, default.o_final_bits) == (8, 8, 16, 8)


def test_large_in_memory_weights_are_not_copied_into_inference() -> None:
    node = helper.make_node("MatMul", ["x", "w"], ["y"])
    model = _model([node], {"x": [1, 512]}, [numpy_helper.from_array(np.ones((512, 1024), np.float32), "w")])
    layer = _only(model)
    assert layer.mac_count == 512 * 1024
    assert len(model.graph.initializer[0].raw_data) == 512 * 1024 * 4  # the caller's model keeps its data


def test_summary_and_native_round_trip() -> None:
    from zigzag_opt.io.native import workload_from_native

    result = import_onnx_summary(_mlp())
    assert result.mode == "default" and result.opset == 17
    assert result.bridged_counts() == {"Reshape": 1}
    assert result.network.skipped_ops == ("reshape (Reshape)",)
    text = dump_native_workload(result.network)
    again = workload_from_native(parse_yaml(text))
    for a, b in zip(again.layers, result.network.layers, strict=True):
        assert (a.dims, a.sizes, a.operand_dims, a.precision, a.sources) == (
            b.dims,
            b.sizes,
            b.operand_dims,
            b.precision,
            b.sources,
        )
    assert again.edges == result.network.edges
    assert math.prod(again.layers[0].sizes) == result.network.layers[0].mac_count


def test_weights_behind_nodes_are_constants() -> None:
    """A weight dequantized by a node is still a constant; ZigZag, counting producers, calls that node the input."""
    dq = helper.make_node("DequantizeLinear", ["wq", "scale", "zero"], ["w"], name="dequant")
    relu = helper.make_node("Relu", ["x"], ["r"], name="relu")
    conv = helper.make_node("Conv", ["r", "w"], ["c"], name="conv", kernel_shape=[1, 1])
    last = helper.make_node("Conv", ["c", "w"], ["y"], name="last", kernel_shape=[1, 1])
    inits = [
        _w("wq", [3, 3, 1, 1], np.int8),
        numpy_helper.from_array(np.array(0.5, np.float32), "scale"),
        numpy_helper.from_array(np.array(0, np.int8), "zero"),
    ]
    model = _model([dq, relu, conv, last], {"x": [1, 3, 4, 4]}, inits)
    ours = import_onnx(model)
    assert [layer.constant_operands for layer in ours.layers] == [(Operand.W,), (Operand.W,)]
    assert ours.edges == ((2, 3),)
    zz = import_onnx(model, compat="zigzag")
    assert [layer.constant_operands for layer in zz.layers] == [(), ()]  # two producers each: nothing constant
    assert zz.edges == ((2, 3),)
