"""ZigZag-compatible mode: the layers ZigZag 3.9.1's ONNX parser builds (``zigzag/parser/onnx/*``), rule for rule.

Only Conv, QLinearConv (``ConvParser``), MatMul and Gemm (``GemmParser``) become layers, matched on op type alone;
every other node is a ``DummyNode``. Reproduced as coded, quirks included:

* predecessors: for each node input in order, every node up to and including this one that lists it as an output
  (duplicates kept, the empty name matches an omitted output); 0 → I and W constant, 1 → W constant and I from it,
  2 → I from the first and W from the second, more → ZigZag raises;
* Conv: index 0 of kernel_shape, strides, dilations is taken as the x (width) axis, and pads (H_begin, W_begin,
  H_end, W_end) are split as IX = (pads[0], pads[2]), IY = (pads[1], pads[3]) — H and W swap for non-square
  kernels, strides, dilations and asymmetric pads; ``auto_pad`` is ignored (pads default to 0); K and C are
  ceil(channels / group); B = output batch (0 → 1); pr sizes = (W_in, H_in);
* Gemm/MatMul: ``O[b][h][d][k]+=I[b][h][d][c]*W[b][h][c][k]`` with C = in[-1], D = in[-2], K = out[-1] of the
  *first* input and the output; B for rank 3 and 4, H for rank 4; W carries B/H only when it has a producer, and
  then gets activation precision; transA only for rank 2, transB ignored; input and output ranks must be equal;
* precisions W 8, I 8, O_final = I, O = 2 × I, or the node attributes weight_size / act_size / output_size;
* a DummyNode keeps edges from its first two predecessors only (a Concat of three branches loses the third).

ZigZag's optional ``If`` flattening is not reproduced (a model with control flow is refused in both modes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from zigzag_opt.io._onnx_ir import GraphInfo, OnnxPrecision
from zigzag_opt.io._onnx_reader import Built, NodeReader, make_layer
from zigzag_opt.workload.layer import DimRelation, LayerKind, Operand, Precision

__all__ = ["ZIGZAG_CONV", "ZIGZAG_GEMM", "zigzag_layer", "zigzag_operand_sources", "zigzag_predecessors"]

ZIGZAG_CONV = frozenset({"Conv", "QLinearConv"})
ZIGZAG_GEMM = frozenset({"MatMul", "Gemm"})
_WEIGHT_INPUT = {"Conv": 1, "QLinearConv": 3}
_RULE_PREFIX = "ZigZag's ONNX parser cannot parse this node: "


def zigzag_predecessors(graph: GraphInfo) -> list[list[int]]:
    """Per node, ZigZag's ``get_node_predecessors``: producers among nodes 0..i of each input, in input order."""
    producers: dict[str, list[int]] = {}
    result: list[list[int]] = []
    for node in graph.nodes:
        for out in node.outputs:
            producers.setdefault(out, []).append(node.index)
        result.append([n for name in node.inputs for n in producers.get(name, ())])
    return result


def zigzag_operand_sources(
    node_index: int, preds: Sequence[int]
) -> tuple[tuple[Operand, ...], tuple[tuple[Operand, int], ...]] | None:
    """(constant operands, (operand, source node) pairs) by ZigZag's predecessor count; None for more than two."""
    if len(preds) == 0:
        return (Operand.W, Operand.I), ()
    if len(preds) == 1:
        return (Operand.W,), ((Operand.I, preds[0]),)
    if len(preds) == 2:
        return (), ((Operand.I, preds[0]), (Operand.W, preds[1]))
    return None


def zigzag_layer(r: NodeReader, preds: Sequence[int], defaults: OnnxPrecision) -> Built | None:
    """The layer ZigZag's ConvParser / GemmParser builds for this node (None: a problem was recorded)."""
    sources = zigzag_operand_sources(r.node.index, preds)
    if sources is None:
        r.fail(
            _RULE_PREFIX + "more than two of its inputs are produced by other nodes",
            part="input",
            value=f"{len(preds)} producing nodes {list(preds)}",
            accepted="at most 2 (ZigZag raises 'No more than 2 layer predecessors expected')",
        )
        return None
    custom = r.custom_precision(defaults)
    if custom is None:
        return None
    if r.node.op_type in ZIGZAG_CONV:
        return _conv(r, sources, custom)
    return _gemm(r, sources, custom, weights_constant=len(preds) < 2)


def _ints(r: NodeReader, name: str, default: tuple[int, ...], length: int) -> tuple[int, ...] | None:
    """An INTS attribute read as ZigZag does (indices 0..length-1 must exist)."""
    attr = r.attr(name)
    if attr is None:
        return default
    values = attr.value if isinstance(attr.value, tuple) else None
    if attr.type not in ("INTS", "TENSOR") or values is None or not all(isinstance(v, int) for v in values):
        r.fail(_RULE_PREFIX + "this attribute must be a list of integers", part=f"attribute.{name}", value=attr.value)
        return None
    if len(values) < length:
        r.fail(
            _RULE_PREFIX + "it reads this attribute as 2-D",
            part=f"attribute.{name}",
            value=list(values),
            accepted=f"at least {length} entries (ZigZag models only 2-D convolutions)",
        )
        return None
    return tuple(int(v) for v in values)


def _conv(
    r: NodeReader,
    sources: tuple[tuple[Operand, ...], tuple[tuple[Operand, int], ...]],
    custom: tuple[int, int, int],
) -> Built | None:
    ia, oa = r.shape(0, "data"), r.shape(0, "result", output=True)
    w_shape = r.shape(_WEIGHT_INPUT[r.node.op_type], "weight")
    if ia is None or oa is None or w_shape is None:
        return None
    if len(ia) != 4 or len(oa) != 4:
        r.fail(
            _RULE_PREFIX + "it reads input and output as (N, C, H, W)",
            part="input[0]",
            value=f"ranks {len(ia)} and {len(oa)}",
            accepted="2-D convolutions (rank-4 tensors)",
        )
        return None
    if ia[0] != oa[0]:
        r.fail(_RULE_PREFIX + "input and output batch sizes differ", part="output[0]", value=(ia[0], oa[0]))
        return None
    kernel = _ints(r, "kernel_shape", w_shape[2:], 2)
    strides = _ints(r, "strides", (1, 1), 2)
    dilations = _ints(r, "dilations", (1, 1), 2)
    pads = _ints(r, "pads", (0, 0, 0, 0), 4)
    group = r.int_attr("group", 1, minimum=1)
    if kernel is None or strides is None or dilations is None or pads is None or group is None:
        return None
    w_bits, a_bits, o_bits = custom
    constants, _ = sources
    layer = make_layer(
        r,
        kind=LayerKind.CONV,
        dims=(
            ("B", oa[0]),
            ("K", math.ceil(oa[1] / group)),
            ("G", group),
            ("OX", oa[3]),
            ("OY", oa[2]),
            ("C", math.ceil(ia[1] / group)),
            ("FX", kernel[0]),
            ("FY", kernel[1]),
        ),
        operands=(
            (Operand.O, ("B", "G", "K", "OY", "OX")),
            (Operand.W, ("G", "K", "C", "FY", "FX")),
            (Operand.I, ("B", "G", "C", "IY", "IX")),
        ),
        relations=(
            DimRelation(derived="IX", terms=(("OX", strides[0]), ("FX", dilations[0]))),
            DimRelation(derived="IY", terms=(("OY", strides[1]), ("FY", dilations[1]))),
        ),
        pr_sizes=(("IX", ia[3]), ("IY", ia[2])),
        padding=(("IX", pads[0], pads[2]), ("IY", pads[1], pads[3])),
        precision=Precision(w_bits=w_bits, i_bits=a_bits, o_partial_bits=o_bits, o_final_bits=a_bits),
        constants=constants,
    )
    return None if layer is None else Built(layer, ())


def _gemm(
    r: NodeReader,
    sources: tuple[tuple[Operand, ...], tuple[tuple[Operand, int], ...]],
    custom: tuple[int, int, int],
    *,
    weights_constant: bool,
) -> Built | None:
    in_shape, out_shape = r.shape(0, "first"), r.shape(0, "result", output=True)
    if in_shape is None or out_shape is None:
        return None
    if len(in_shape) != len(out_shape):
        r.fail(
            _RULE_PREFIX + "its first input and its output must have the same rank",
            part="input[0]",
            value=f"ranks {len(in_shape)} and {len(out_shape)}",
            accepted="equal ranks (ZigZag asserts it)",
        )
        return None
    trans_a = r.int_attr("transA", 0)
    if trans_a is None:
        return None
    if trans_a:
        if len(in_shape) != 2:
            r.fail(_RULE_PREFIX + "transA is supported for rank-2 inputs only", part="attribute.transA", value=trans_a)
            return None
        in_shape = in_shape[::-1]
    if len(in_shape) not in (2, 3, 4):
        r.fail(
            _RULE_PREFIX + "it models inputs of rank 2, 3 or 4",
            part="input[0]",
            value=f"rank {len(in_shape)}",
            accepted="rank 2, 3 or 4",
        )
        return None
    mismatch = in_shape[-2] != out_shape[-2] or (len(in_shape) > 2 and in_shape[: len(in_shape) - 2] != out_shape[:-2])
    if mismatch:
        r.fail(
            _RULE_PREFIX + "the first input's batch and row dims must equal the output's",
            part="output[0]",
            value=f"{list(in_shape)} -> {list(out_shape)}",
        )
        return None
    batch: tuple[tuple[str, int], ...] = (("B", in_shape[0]),) if len(in_shape) >= 3 else ()
    batch += (("H", in_shape[1]),) if len(in_shape) == 4 else ()
    bh = tuple(d for d, _ in batch)
    w_bits, a_bits, o_bits = custom
    constants, _ = sources
    layer = make_layer(
        r,
        kind=LayerKind.GEMM,
        dims=(("C", in_shape[-1]), ("D", in_shape[-2]), ("K", out_shape[-1]), *batch),
        operands=(
            (Operand.O, (*bh, "D", "K")),
            (Operand.I, (*bh, "D", "C")),
            (Operand.W, ((), bh)[not weights_constant] + ("C", "K")),
        ),
        precision=Precision(
            w_bits=w_bits if weights_constant else a_bits, i_bits=a_bits, o_partial_bits=o_bits, o_final_bits=a_bits
        ),
        constants=constants,
    )
    return None if layer is None else Built(layer, ())
