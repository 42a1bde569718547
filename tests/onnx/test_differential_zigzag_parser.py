"""The ONNX importer against ZigZag 3.9.1's own ONNX parser (``ONNXModelParser``), layer by layer.

For ZigZag's three shipped models and for small models built to hit its quirks (non-square kernels, asymmetric
pads, batched MatMuls, a constant first MatMul input, bias produced by a node, three-way Concat, custom precision
attributes), `import_onnx(..., compat="zigzag")` must give, per layer: id, name, operator type, loop dims and sizes
in ZigZag's order, the equation's operands in order with their indices, dimension relations, pr sizes, padding,
precisions, constant operands, relevancy (r / ir / pr per operand), tensor sizes and MAC counts; and the network
edges of ZigZag's ``get_copy_no_dummy``. The default mode must give the same names and loop dims for those ops
whenever no H/W swap is involved.
"""

from __future__ import annotations

import copy
import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

pytest.importorskip("zigzag")

from zigzag.parser.onnx.onnx_model_parser import ONNXModelParser
from zigzag.workload.layer_node import LayerNode

from zigzag_opt.io.onnx_import import import_onnx, import_onnx_summary
from zigzag_opt.workload import Layer, Network, Relevance


def _zigzag_root() -> Path:
    spec = importlib.util.find_spec("zigzag")
    assert spec is not None and spec.submodule_search_locations
    return Path(next(iter(spec.submodule_search_locations)))


ZZ = _zigzag_root()
SHIPPED = {name: ZZ / "inputs" / "workload" / f"{name}.onnx" for name in ("resnet18", "mobilenetv2", "alexnet")}
MAPPING = str(ZZ / "inputs" / "mapping" / "default.yaml")
EXPECTED_LAYERS = {"resnet18": 21, "mobilenetv2": 53, "alexnet": 8}


# --------------------------------------------------------------------------------------------------------------
# ZigZag's view
# --------------------------------------------------------------------------------------------------------------


def zigzag_parse(model: str | Path | onnx.ModelProto) -> tuple[list[Any], set[tuple[int, int]]]:
    """ZigZag's LayerNodes (in node order) and its no-dummy edges, built by its ONNX parser classes directly."""
    source = str(model) if isinstance(model, str | Path) else copy.deepcopy(model)
    workload = ONNXModelParser(source, MAPPING).run()
    nodes = [n for n in workload.node_list if isinstance(n, LayerNode)]
    no_dummy = workload.get_copy_no_dummy()
    edges = {(a.id, b.id) for a, b in no_dummy.edges()}
    return sorted(nodes, key=lambda n: n.id), edges


def zigzag_view(node: Any) -> dict[str, Any]:
    operands = node.equation.get_contained_operands()
    relevancy = node.loop_relevancy_info
    return {
        "id": node.id,
        "name": node.name,
        "operator_type": node.type,
        "dims": [(str(d), int(s)) for d, s in node.layer_dim_sizes.items()],
        "operands": [(str(op), [str(d) for d in node.equation.get_r_layer_dims(op)]) for op in operands],
        "relations": [
            (str(r.dim_1), ((str(r.dim_2), r.coef_2), (str(r.dim_3), r.coef_3))) for r in node.dimension_relations
        ],
        "pr_sizes": {str(d): int(s) for d, s in node.pr_layer_dim_sizes.items()},
        "padding": {str(d): tuple(p) for d, p in node.padding.data.items()},
        "precision": {str(k): int(v) for k, v in node.operand_precision.data.items()},
        "constants": [str(op) for op in node.constant_operands],
        "relevance": {
            str(op): (
                sorted(str(d) for d in relevancy.get_r_layer_dims(op)),
                sorted(str(d) for d in relevancy.get_ir_layer_dims(op)),
                sorted(str(d) for d in relevancy.get_pr_layer_dims(op)),
            )
            for op in operands
        },
        "size_elem": {str(op): float(v) for op, v in node.operand_size_elem.items()},
        "macs": int(node.total_mac_count),
    }


def our_view(layer: Layer) -> dict[str, Any]:
    rel: dict[str, tuple[list[str], list[str], list[str]]] = {}
    for op in layer.operands():
        by = {kind: [d for d in layer.dims if layer.relevance(op, d) is kind] for kind in Relevance}
        # ZigZag drops size-1 dims from r/ir (except r dims of operands with pr dims) and lists the pr dims by
        # their derived names (IX), not the loop dims they are made of.
        derived = list(layer.derived_dims(op))
        rel[str(op)] = (sorted(by[Relevance.RELEVANT]), sorted(by[Relevance.IRRELEVANT]), sorted(derived))
    return {
        "id": layer.id,
        "name": layer.name,
        "operator_type": layer.operator_type,
        "dims": list(zip(layer.dims, layer.sizes, strict=True)),
        "operands": [(str(op), list(idx)) for op, idx in layer.operand_dims],
        "relations": [(r.derived, r.terms) for r in layer.relations],
        "pr_sizes": {d: layer.pr_total(d) for r in layer.relations for d in (r.derived,)},
        "padding": {d: (b, e) for d, b, e in layer.padding},
        "precision": {
            "W": layer.precision.w_bits,
            "I": layer.precision.i_bits,
            "O": layer.precision.o_partial_bits,
            "O_final": layer.precision.o_final_bits,
        },
        "constants": [str(op) for op in layer.constant_operands],
        "relevance": rel,
        "size_elem": {str(op): float(layer.tensor_elements(op)) for op in layer.operands()},
        "macs": layer.mac_count,
    }


def _without_size_one(view: dict[str, Any], layer: Layer) -> dict[str, Any]:
    """ZigZag lists a size-1 dim as neither r nor ir for operands without pr dims; ours reports it as ir."""
    out = copy.deepcopy(view)
    for op, (r, ir, pr) in out["relevance"].items():
        if pr:  # operands with pr dims keep ZigZag's rule: r = indices outside relations, whatever their size
            ir = [d for d in ir if layer.size(d) != 1]
        else:
            r = [d for d in r if layer.size(d) != 1]
            ir = [d for d in ir if layer.size(d) != 1]
        out["relevance"][op] = (r, ir, pr)
    return out


def assert_same_as_zigzag(network: Network, nodes: list[Any], edges: set[tuple[int, int]]) -> None:
    assert [layer.id for layer in network.layers] == [n.id for n in nodes]
    for layer, node in zip(network.layers, nodes, strict=True):
        ours, theirs = _without_size_one(our_view(layer), layer), zigzag_view(node)
        for key in theirs:
            assert ours[key] == theirs[key], f"{layer.name}: {key}"
        # Sources: a source ZigZag names directly must be ours; one through DummyNodes must be a real producer.
        producers = {p for p, c in network.edges if c == layer.id}
        zz_sources = {str(op): src for op, src in node.input_operand_source.items()}
        for op, src in layer.sources:
            zz_src = zz_sources.get(op.value)
            assert zz_src is not None
            assert src == zz_src or src in producers
    assert set(network.edges) == edges


# --------------------------------------------------------------------------------------------------------------
# Shipped models
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_compat_mode_equals_zigzag_on_its_shipped_models(name: str) -> None:
    nodes, edges = zigzag_parse(SHIPPED[name])
    network = import_onnx(SHIPPED[name], compat="zigzag")
    assert len(network.layers) == EXPECTED_LAYERS[name]
    assert_same_as_zigzag(network, nodes, edges)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_default_mode_has_zigzag_names_and_loop_dims_for_zigzag_ops(name: str) -> None:
    nodes, _ = zigzag_parse(SHIPPED[name])
    network = import_onnx(SHIPPED[name])
    ours = {layer.id: layer for layer in network.layers}
    for node in nodes:
        layer = ours[node.id]
        assert layer.name == node.name
        assert layer.operator_type == node.type
        assert list(zip(layer.dims, layer.sizes, strict=True)) == [(str(d), s) for d, s in node.layer_dim_sizes.items()]
        assert [(str(op), list(idx)) for op, idx in layer.operand_dims] == zigzag_view(node)["operands"]
    extra = [layer.operator_type for layer in network.layers if layer.id not in {n.id for n in nodes}]
    assert set(extra) <= {"Add", "MaxPool", "GlobalAveragePool", "Mul", "AveragePool"}


def test_zoo_cnns_import_like_the_shipped_exports() -> None:
    from zigzag_opt.library.workloads import load_workload

    for name in ("resnet18", "mobilenetv2"):
        shipped = import_onnx(SHIPPED[name], compat="zigzag")
        zoo = load_workload(name, compat="zigzag")
        assert [our_view(a) for a in zoo.layers] == [our_view(b) for b in shipped.layers]
        assert zoo.edges == shipped.edges
        assert load_workload(name).mac_count == import_onnx(SHIPPED[name]).mac_count


# --------------------------------------------------------------------------------------------------------------
# Quirk models
# --------------------------------------------------------------------------------------------------------------


def _init(name: str, shape: list[int], dtype: int = TensorProto.FLOAT) -> onnx.TensorProto:
    np_type = {TensorProto.FLOAT: np.float32, TensorProto.UINT8: np.uint8, TensorProto.INT8: np.int8}[dtype]
    return numpy_helper.from_array(np.zeros(shape, dtype=np_type), name)


def _model(nodes: list[onnx.NodeProto], inputs: dict[str, list[int]], inits: list[onnx.TensorProto]) -> onnx.ModelProto:
    graph = helper.make_graph(
        nodes,
        "quirks",
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, s) for n, s in inputs.items()],
        [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, None)],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return onnx.shape_inference.infer_shapes(model)


def _conv_quirks() -> onnx.ModelProto:
    nodes = [
        helper.make_node(
            "Conv", ["x", "w1"], ["c1"], name="rect", kernel_shape=[3, 5], strides=[1, 2], pads=[1, 2, 0, 3]
        ),
        helper.make_node("Relu", ["c1"], ["r1"]),  # unnamed: ZigZag calls it Op1
        helper.make_node(
            "Conv", ["r1", "w2"], ["c2"], kernel_shape=[1, 3], dilations=[1, 2], pads=[0, 2, 0, 2], group=4
        ),
        helper.make_node(
            "Conv", ["x", "w3"], ["c3"], name="side", kernel_shape=[2, 3], strides=[1, 2], pads=[0, 1, 0, 2]
        ),
        helper.make_node("Concat", ["c2", "c1", "c3"], ["cat"], name="cat3", axis=1),
        helper.make_node("Conv", ["cat", "w4"], ["y"], name="after_concat", kernel_shape=[1, 1]),
    ]
    inits = [
        _init("w1", [8, 4, 3, 5]),
        _init("w2", [8, 2, 1, 3]),
        _init("w3", [8, 4, 2, 3]),
        _init("w4", [8, 24, 1, 1]),
    ]
    return _model(nodes, {"x": [1, 4, 16, 20]}, inits)


def _gemm_quirks() -> onnx.ModelProto:
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["m1"], name="linear3d"),  # [2, 6, 8] x [8, 10]
        helper.make_node("Reshape", ["m1", "shape4"], ["r4"], name="to_heads"),  # [2, 6, 2, 5]
        helper.make_node("Transpose", ["r4"], ["q"], name="q_t", perm=[0, 2, 1, 3]),  # [2, 2, 6, 5]
        helper.make_node("Transpose", ["r4"], ["kt"], name="k_t", perm=[0, 2, 3, 1]),  # [2, 2, 5, 6]
        helper.make_node("MatMul", ["q", "kt"], ["s"], name="qk"),  # [2, 2, 6, 6]
        helper.make_node("Softmax", ["s"], ["p"], name="softmax", axis=-1),
        helper.make_node("MatMul", ["p", "q"], ["ctx"], name="pv"),  # [2, 2, 6, 5]
        helper.make_node("Reshape", ["ctx", "shape2"], ["flat"], name="flatten"),  # [24, 5]
        helper.make_node("MatMul", ["w2", "flat"], ["left"], name="const_first"),  # [7, 24] x [24, 5]
        helper.make_node("Gemm", ["left", "w3", "bias_in"], ["g"], name="gemm_bias_from_node", transB=1),  # [7, 6]
        helper.make_node("Gemm", ["g", "w4"], ["y"], name="gemm_trans_a", transA=1),  # [7, 6]^T x [7, 3]
    ]
    nodes[4].attribute.append(helper.make_attribute("act_size", 4))
    nodes[4].attribute.append(helper.make_attribute("output_size", 12))
    nodes[0].attribute.append(helper.make_attribute("weight_size", 2))
    inits = [
        _init("w1", [8, 10]),
        numpy_helper.from_array(np.array([2, 6, 2, 5], dtype=np.int64), "shape4"),
        numpy_helper.from_array(np.array([24, 5], dtype=np.int64), "shape2"),
        _init("w2", [7, 24]),
        _init("w3", [6, 5]),
        _init("w4", [7, 3]),
    ]
    bias = helper.make_node("Relu", ["b"], ["bias_in"], name="bias_producer")
    nodes.insert(0, bias)
    return _model(nodes, {"x": [2, 6, 8], "b": [6]}, inits)


def _dequant_quirks() -> onnx.ModelProto:
    """Weights behind a DequantizeLinear node: to ZigZag a second producer, so W is not constant."""
    nodes = [
        helper.make_node("DequantizeLinear", ["wq", "scale", "zero"], ["w"], name="dequant"),
        helper.make_node("Relu", ["x"], ["r"], name="relu"),
        helper.make_node("Conv", ["r", "w"], ["c"], name="conv", kernel_shape=[1, 1]),
        helper.make_node("Conv", ["c", "w"], ["y"], name="last", kernel_shape=[1, 1]),
    ]
    inits = [
        _init("wq", [3, 3, 1, 1], TensorProto.INT8),
        numpy_helper.from_array(np.array(0.5, np.float32), "scale"),
        numpy_helper.from_array(np.array(0, np.int8), "zero"),
    ]
    return _model(nodes, {"x": [1, 3, 4, 4]}, inits)


@pytest.mark.parametrize("build", [_conv_quirks, _gemm_quirks, _dequant_quirks], ids=["conv", "gemm", "dequant"])
def test_compat_mode_equals_zigzag_on_quirk_models(build: Any) -> None:
    model = build()
    nodes, edges = zigzag_parse(model)
    assert_same_as_zigzag(import_onnx(model, compat="zigzag"), nodes, edges)


def test_compat_mode_reproduces_the_hw_swap_and_default_mode_fixes_it() -> None:
    model = _conv_quirks()
    zz = import_onnx(model, compat="zigzag").layer(0)
    ours = import_onnx(model).layer(0)
    size = dict(zip(zz.dims, zz.sizes, strict=True))
    right = dict(zip(ours.dims, ours.sizes, strict=True))
    # kernel_shape (H, W) = (3, 5), strides (1, 2), pads (H0, W0, H1, W1) = (1, 2, 0, 3)
    assert (size["FX"], size["FY"]) == (3, 5)
    assert (right["FX"], right["FY"]) == (5, 3)
    assert zz.relation("IX") is not None and zz.relation("IX").terms == (("OX", 1), ("FX", 1))  # type: ignore[union-attr]
    assert ours.relation("IX") is not None and ours.relation("IX").terms == (("OX", 2), ("FX", 1))  # type: ignore[union-attr]
    assert dict((d, (b, e)) for d, b, e in zz.padding) == {"IX": (1, 0), "IY": (2, 3)}
    assert dict((d, (b, e)) for d, b, e in ours.padding) == {"IX": (2, 3), "IY": (1, 0)}
    # The window of the right model spans exactly the padded input: (OX-1)*2 + 5 = 20 + 2 + 3.
    assert (right["OX"] - 1) * 2 + 5 == 20 + 5
    assert right["OX"] == size["OX"] and right["OY"] == size["OY"]


def test_three_way_concat_keeps_all_producers_in_default_mode_only() -> None:
    model = _conv_quirks()
    zz = import_onnx_summary(model, compat="zigzag").network
    ours = import_onnx(model)
    assert set(zz.predecessors(5)) == {0, 2}  # ZigZag's DummyNode keeps its first two predecessors
    assert set(ours.predecessors(5)) == {0, 2, 3}


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_compat_layers_equal_the_yaml_layers_zigzag_parses_from_them(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-layer dicts ZigZag's ONNX parsers hand to its LayerNodeFactory, read by our ZigZag-YAML loader, give
    the same `Layer`s as the ONNX import: the cost model sees identical inputs on both paths."""
    import zigzag.parser.onnx.conv_parser as conv_parser
    import zigzag.parser.onnx.gemm_parser as gemm_parser

    from zigzag_opt.io.zigzag_compat import load_zigzag_workload

    recorded: list[dict[str, Any]] = []
    for module in (conv_parser, gemm_parser):

        class Recording(module.LayerNodeFactory):  # type: ignore[misc, name-defined]
            def __init__(self, node_data: dict[str, Any], mapping_data: Any) -> None:
                recorded.append(copy.deepcopy(node_data))
                super().__init__(node_data, mapping_data)

        monkeypatch.setattr(module, "LayerNodeFactory", Recording)
    zigzag_parse(SHIPPED[name])
    for data in recorded:  # sources through DummyNodes are not layer ids of a YAML file: keep the constant ones
        data["operand_source"] = {op: src for op, src in data["operand_source"].items() if src == data["id"]}
    from_yaml = load_zigzag_workload(recorded, file=f"{name} (ZigZag's parser output)")
    from_onnx = import_onnx(SHIPPED[name], compat="zigzag")
    fields = ("id", "name", "operator_type", "kind", "dims", "sizes", "operand_dims", "relations", "pr_sizes",
              "padding", "precision", "constant_operands", "equation")  # fmt: skip
    assert len(from_yaml.layers) == len(from_onnx.layers)
    for a, b in zip(from_onnx.layers, from_yaml.layers, strict=True):
        for field in fields:
            assert getattr(a, field) == getattr(b, field), f"{a.name}: {field}"
