"""From a `GraphInfo` to a `Network`: which nodes become layers, which are bridged, and the edges between layers.

Default mode: Conv / ConvTranspose / ConvInteger / QLinearConv, Gemm / MatMul / MatMulInteger / QLinearMatMul,
pooling and element-wise Add / Mul become layers (`_onnx_ops`). A node whose inputs are all constants
(initializers, Constant nodes, static Shape results and what is computed from them only) is constant-folded and
bridged. Every other node is bridged at no cost: edges go from each layer to the nearest layers upstream through
bridged nodes (all of them, whatever the fan-in).

ZigZag mode: ZigZag's own node classes and edges (`_onnx_zigzag`), then ZigZag's ``get_copy_no_dummy`` — an edge
between two layers whenever a path of DummyNodes joins them.

`Layer.sources` names, per non-constant input operand, the most recent layer it depends on (a layer id of this
network, or absent when the operand comes from the graph inputs only); `Network.edges` holds every dependency.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from zigzag_opt.errors import InputError
from zigzag_opt.io._onnx_ir import GraphInfo, NodeInfo, OnnxPrecision, Problems
from zigzag_opt.io._onnx_ops import BUILDERS
from zigzag_opt.io._onnx_reader import Built, NodeReader
from zigzag_opt.io._onnx_zigzag import (
    ZIGZAG_CONV,
    ZIGZAG_GEMM,
    zigzag_layer,
    zigzag_operand_sources,
    zigzag_predecessors,
)
from zigzag_opt.workload.layer import Layer, Operand
from zigzag_opt.workload.network import Network

__all__ = ["BridgedOp", "OnnxImport", "build_network"]

_STANDARD_DOMAINS = ("", "ai.onnx")
_CONTROL_FLOW = frozenset({"If", "Loop", "Scan", "SequenceMap"})
_STATIC_SHAPE_OPS = frozenset({"Shape", "Size"})


@dataclass(frozen=True, slots=True)
class BridgedOp:
    """A node that is not a layer: it costs nothing and only passes its producers on to its consumers."""

    index: int
    name: str
    op_type: str
    reason: str


@dataclass(frozen=True, slots=True)
class OnnxImport:
    """The result of an import: the network and what was left out of it."""

    network: Network
    bridged: tuple[BridgedOp, ...]
    mode: str  # "default" or "zigzag"
    opset: int
    dims: tuple[tuple[str, int], ...] = ()
    warnings: tuple[str, ...] = ()

    def bridged_counts(self) -> dict[str, int]:
        """Bridged nodes per op type, most frequent first."""
        return dict(Counter(b.op_type for b in self.bridged).most_common())

    def layer_counts(self) -> dict[str, int]:
        """Layers per operator type, most frequent first."""
        return dict(Counter(layer.operator_type for layer in self.network.layers).most_common())


def build_network(
    graph: GraphInfo,
    *,
    compat: bool,
    precision: OnnxPrecision,
    name: str,
    dims: Mapping[str, int] | None = None,
    warnings: Iterable[str] = (),
) -> OnnxImport:
    """Layers, bridged nodes and edges of `graph`; every problem of the model raises one `InputError`."""
    problems = Problems(file=graph.file)
    _check_graph(graph, problems)
    problems.raise_if_any()
    notes = list(warnings)
    if compat:
        layers, bridged, edges = _zigzag_mode(graph, precision, problems, notes)
    else:
        layers, bridged, edges = _default_mode(graph, precision, problems)
    problems.raise_if_any()
    if not layers:
        raise InputError.one(
            "the model has no node this importer models as a layer",
            key_path="graph.node",
            value=", ".join(sorted({b.op_type for b in bridged})) or "no nodes",
            accepted="Conv, ConvTranspose, Gemm, MatMul, QLinear*/Integer variants"
            + ("" if compat else ", pooling, Add, Mul")
            + " on data tensors",
            file=graph.file,
        )
    network = Network(
        name=name,
        layers=tuple(layers),
        edges=tuple(edges),
        skipped_ops=tuple(f"{b.name} ({b.op_type})" for b in bridged),
    )
    return OnnxImport(
        network=network,
        bridged=tuple(bridged),
        mode="zigzag" if compat else "default",
        opset=graph.opset,
        dims=tuple(sorted((dims or {}).items())),
        warnings=tuple(notes),
    )


# ======================================================================================================
# Graph sanity
# ======================================================================================================


def _check_graph(graph: GraphInfo, problems: Problems) -> None:
    """Single assignment, defined inputs, topological order, no control flow."""
    if not graph.nodes:
        problems.add("graph.node", "the graph has no nodes", value=0, accepted="at least one node")
        return
    available = set(graph.graph_inputs) | set(graph.initializers)
    produced_by = {out: node.index for node in graph.nodes for out in node.outputs if out}
    seen_outputs: dict[str, int] = {}
    for node in graph.nodes:
        if node.op_type in _CONTROL_FLOW:
            problems.add(
                node.where,
                "control flow is not supported",
                value=node.op_type,
                accepted="a graph without If/Loop/Scan (export with static control flow)",
            )
        for i, name in enumerate(node.inputs):
            if not name or name in available:
                continue
            later = produced_by.get(name)
            if later is not None and later >= node.index:
                problems.add(
                    f"{node.where}.input[{i}]",
                    "the nodes are not in topological order: this input is produced by a later node",
                    value=f"{name!r} from graph.node[{later}]",
                    accepted="nodes sorted so that producers come before consumers",
                )
            elif later is None:
                problems.add(
                    f"{node.where}.input[{i}]",
                    "this input is not a graph input, an initializer or a node output",
                    value=name,
                )
        for out in node.outputs:
            if not out:
                continue
            if out in seen_outputs or out in graph.initializers or out in graph.graph_inputs:
                problems.add(
                    f"{node.where}.output",
                    "a tensor is produced twice (ONNX graphs assign every tensor once)",
                    value=out,
                )
            seen_outputs[out] = node.index
            available.add(out)


# ======================================================================================================
# Default mode
# ======================================================================================================


def _constant_tensors(graph: GraphInfo) -> set[str]:
    """Initializers, and outputs of nodes that read only constants (or only static shapes)."""
    constants = set(graph.initializers)
    for node in graph.nodes:
        data_inputs = [i for i in node.inputs if i]
        if node.op_type in _STATIC_SHAPE_OPS or all(i in constants for i in data_inputs):
            constants.update(o for o in node.outputs if o)
    return constants


def _default_mode(
    graph: GraphInfo, precision: OnnxPrecision, problems: Problems
) -> tuple[list[Layer], list[BridgedOp], list[tuple[int, int]]]:
    constants = _constant_tensors(graph)
    built: dict[int, Built] = {}
    bridged: list[BridgedOp] = []
    for node in graph.nodes:
        reason = _default_node(graph, node, precision, problems, constants, built)
        if reason is not None:
            bridged.append(BridgedOp(node.index, node.name, node.op_type, reason))
    producer = {out: node.index for node in graph.nodes for out in node.outputs if out}
    upstream = _upstream_layers(graph, set(built), producer, constants)

    def layers_of(tensor: str) -> set[int]:
        p = producer.get(tensor)
        if p is None or tensor in constants:
            return set()
        return {p} if p in built else upstream[p]

    layers: list[Layer] = []
    edges: list[tuple[int, int]] = []
    for index, b in built.items():
        node = graph.nodes[index]
        producers = set().union(*(layers_of(t) for t in node.inputs if t))
        edges.extend((p, index) for p in sorted(producers))
        sources = tuple((op, max(found)) for op, t in b.operand_tensors if (found := layers_of(t)))
        layers.append(replace(b.layer, sources=sources))
    return layers, bridged, edges


def _default_node(
    graph: GraphInfo,
    node: NodeInfo,
    precision: OnnxPrecision,
    problems: Problems,
    constants: set[str],
    built: dict[int, Built],
) -> str | None:
    """Build the node's layer into `built`, or return why it is bridged."""
    if all(i in constants for i in node.inputs if i) or node.op_type in _STATIC_SHAPE_OPS:
        return "constant: computed from constants or static shapes only"
    builder = BUILDERS.get(node.op_type) if node.domain in _STANDARD_DOMAINS else None
    if builder is None:
        return "not modelled (bridged at no cost)"
    result = builder(NodeReader(graph, node, problems, constants), precision)
    if isinstance(result, Built):
        built[node.index] = result
        return None
    return result if isinstance(result, str) else "not built (see the errors)"


def _upstream_layers(
    graph: GraphInfo, layer_ids: set[int], producer: Mapping[str, int], constants: set[str]
) -> dict[int, set[int]]:
    """For every bridged node, the layers it depends on through bridged nodes only (nodes in topological order)."""
    upstream: dict[int, set[int]] = {}
    for node in graph.nodes:
        if node.index in layer_ids:
            continue
        found: set[int] = set()
        for t in node.inputs:
            p = producer.get(t) if t and t not in constants else None
            if p is not None and p != node.index:
                found |= {p} if p in layer_ids else upstream.get(p, set())
        upstream[node.index] = found
    return upstream


# ======================================================================================================
# ZigZag mode
# ======================================================================================================


def _zigzag_mode(
    graph: GraphInfo, precision: OnnxPrecision, problems: Problems, notes: list[str]
) -> tuple[list[Layer], list[BridgedOp], list[tuple[int, int]]]:
    preds = zigzag_predecessors(graph)
    built: dict[int, Built] = {}
    bridged: list[BridgedOp] = []
    for node in graph.nodes:
        if node.op_type in ZIGZAG_CONV | ZIGZAG_GEMM:
            _auto_pad_note(node, notes)
            b = zigzag_layer(NodeReader(graph, node, problems), preds[node.index], precision)
            if b is not None:
                built[node.index] = b
        else:
            bridged.append(BridgedOp(node.index, node.name, node.op_type, "not modelled by ZigZag (DummyNode)"))
    # ZigZag's graph: a layer's edges come from its operand sources, a DummyNode's from its first two predecessors.
    parents: dict[int, list[int]] = {}
    for node in graph.nodes:
        if node.index in built:
            found = zigzag_operand_sources(node.index, preds[node.index])
            parents[node.index] = [src for _, src in found[1]] if found is not None else []
        else:
            parents[node.index] = preds[node.index][:2]
    upstream: dict[int, set[int]] = {}  # get_copy_no_dummy: layers reached through DummyNodes only
    for node in graph.nodes:
        upstream[node.index] = set().union(
            *({p} if p in built else upstream.get(p, set()) for p in parents[node.index])
        )
    layers: list[Layer] = []
    edges: list[tuple[int, int]] = []
    for index, b in built.items():
        edges.extend((p, index) for p in sorted(upstream[index]) if p != index)
        found = zigzag_operand_sources(index, preds[index])
        raw = found[1] if found is not None else ()
        sources = tuple(
            (op, src if src in built else max(upstream[src])) for op, src in raw if src in built or upstream[src]
        )
        layers.append(replace(b.layer, sources=_dedupe(sources)))
    return layers, bridged, edges


def _dedupe(sources: tuple[tuple[Operand, int], ...]) -> tuple[tuple[Operand, int], ...]:
    return tuple(dict(sources).items())


def _auto_pad_note(node: NodeInfo, notes: list[str]) -> None:
    attr = node.attrs.get("auto_pad")
    if node.op_type in ZIGZAG_CONV and attr is not None and attr.value not in ("NOTSET", "VALID"):
        notes.append(f"{node.where}: auto_pad={attr.value} is ignored, as ZigZag does (pads taken as 0)")
