"""Checked access to one ONNX node's attributes and tensor shapes, and the `Layer` assembly both import modes share."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from zigzag_opt.errors import InputError
from zigzag_opt.io._onnx_ir import (
    ACT_SIZE_ATTR,
    OUTPUT_SIZE_ATTR,
    WEIGHT_SIZE_ATTR,
    Attr,
    GraphInfo,
    NodeInfo,
    OnnxPrecision,
    Problems,
    TensorKind,
)
from zigzag_opt.workload.layer import DimRelation, Layer, LayerKind, Operand, Precision

__all__ = ["Built", "NodeReader", "equation_text", "make_layer"]

_INTEGER_TYPES = frozenset({"INT8", "UINT8", "INT16", "UINT16", "INT32", "UINT32", "INT4", "UINT4", "INT2", "UINT2"})


@dataclass(frozen=True, slots=True)
class Built:
    """A layer built from a node, and which tensor feeds each input operand (to resolve its producer)."""

    layer: Layer
    operand_tensors: tuple[tuple[Operand, str], ...]


class NodeReader:
    """Reads one node's attributes and tensor shapes; every violation is recorded in `problems` (never raised)."""

    def __init__(self, graph: GraphInfo, node: NodeInfo, problems: Problems, constants: Collection[str] = ()) -> None:
        self.graph = graph
        self.node = node
        self.problems = problems
        self.constants = constants

    # --- problems ------------------------------------------------------------------------------------------
    def fail(self, rule: str, *, part: str = "", value: object = None, accepted: str = "") -> None:
        where = f"{self.node.where}.{part}" if part else self.node.where
        self.problems.add(where, rule, value=value, accepted=accepted)

    # --- attributes ----------------------------------------------------------------------------------------
    def has(self, name: str) -> bool:
        return name in self.node.attrs

    def attr(self, name: str) -> Attr | None:
        return self.node.attrs.get(name)

    def int_attr(
        self, name: str, default: int, *, minimum: int | None = None, allowed: Sequence[int] = ()
    ) -> int | None:
        attr = self.attr(name)
        if attr is None:
            return default
        if attr.type != "INT" or not isinstance(attr.value, int):
            self.fail("this attribute must be an integer", part=f"attribute.{name}", value=attr.value, accepted="INT")
            return None
        if (minimum is not None and attr.value < minimum) or (allowed and attr.value not in allowed):
            accepted = ", ".join(map(str, allowed)) if allowed else f"integers >= {minimum}"
            self.fail("unsupported attribute value", part=f"attribute.{name}", value=attr.value, accepted=accepted)
            return None
        return attr.value

    def ints_attr(
        self, name: str, default: tuple[int, ...] | None, *, length: int, minimum: int
    ) -> tuple[int, ...] | None:
        """An INTS attribute of exactly `length` values, each >= `minimum`; `default` when absent (None: required)."""
        attr = self.attr(name)
        part = f"attribute.{name}"
        if attr is None:
            if default is None:
                self.fail("required attribute is missing", part=part, accepted=f"{length} integers")
            return default
        values = attr.value if isinstance(attr.value, tuple) else None
        if attr.type != "INTS" or values is None or not all(isinstance(v, int) for v in values):
            self.fail("this attribute must be a list of integers", part=part, value=attr.value, accepted="INTS")
            return None
        ints = tuple(int(v) for v in values)
        if len(ints) != length:
            self.fail(
                "unsupported attribute value: wrong number of entries",
                part=part,
                value=list(ints),
                accepted=f"{length} integers (one per spatial axis{', begins then ends' if name == 'pads' else ''})",
            )
            return None
        if any(v < minimum for v in ints):
            self.fail("unsupported attribute value", part=part, value=list(ints), accepted=f"integers >= {minimum}")
            return None
        return ints

    def str_attr(self, name: str, default: str, *, allowed: Sequence[str]) -> str | None:
        attr = self.attr(name)
        if attr is None:
            return default
        if attr.type != "STRING" or not isinstance(attr.value, str) or attr.value not in allowed:
            self.fail(
                "unsupported attribute value", part=f"attribute.{name}", value=attr.value, accepted=", ".join(allowed)
            )
            return None
        return attr.value

    # --- tensors -------------------------------------------------------------------------------------------
    def input_name(self, i: int, role: str) -> str | None:
        name = self.node.input(i)
        if not name:
            self.fail(f"the {role} input is missing", part=f"input[{i}]", accepted="a tensor name")
            return None
        return name

    def shape(self, i: int, role: str, *, output: bool = False) -> tuple[int, ...] | None:
        """Concrete shape of input (or output) `i`; records a problem when it is missing, dynamic or empty."""
        names = self.node.outputs if output else self.node.inputs
        part = f"{'output' if output else 'input'}[{i}]"
        name = names[i] if i < len(names) else ""
        if not name:
            self.fail(f"the {role} {'output' if output else 'input'} is missing", part=part, accepted="a tensor name")
            return None
        info = self.graph.tensor(name)
        if info is None or info.dims is None:
            producer = next((n for n in self.graph.nodes if name in n.outputs and n is not self.node), None)
            origin = None
            if producer is not None:
                domain = f" of domain {producer.domain!r}" if producer.domain not in ("", "ai.onnx") else ""
                origin = f"produced by {producer.where}{domain}"
            self.fail(
                "shape inference could not determine this tensor's shape",
                part=f"{part} {name!r}",
                value=origin,
                accepted="a model whose shapes onnx.shape_inference can infer (static shapes, known ops), "
                "or value_info entries for the missing tensors",
            )
            return None
        dims: list[int] = []
        ok = True
        for d in info.dims:
            if isinstance(d, str):
                self.problems.dynamic_dim(d, name)
                ok = False
            elif d is None:
                self.fail(
                    "shape inference left a dimension of this tensor unknown",
                    part=f"{part} {name!r}",
                    value=list(info.dims),
                    accepted="fixed sizes (bind dynamic input dims with --dim NAME=N / dims={...})",
                )
                return None
            elif d < 1:
                self.fail("a tensor dimension must be >= 1", part=f"{part} {name!r}", value=list(info.dims))
                return None
            else:
                dims.append(d)
        return tuple(dims) if ok else None

    def is_const(self, name: str) -> bool:
        return name in self.constants

    def bits(self, name: str, default: int) -> int:
        """Bits of a tensor: its element type's for integer (quantised) tensors, else `default`."""
        info = self.graph.tensor(name)
        if info is not None and info.type_name in _INTEGER_TYPES:
            return info.bits
        return default

    def is_graph_input(self, name: str) -> bool:
        info = self.graph.tensor(name)
        return info is not None and info.kind is TensorKind.INPUT

    # --- precision -----------------------------------------------------------------------------------------
    def custom_precision(self, defaults: OnnxPrecision) -> tuple[int, int, int] | None:
        """(weight, activation, partial-sum) bits after ZigZag's custom node attributes, or None on a bad value."""
        w = self.int_attr(WEIGHT_SIZE_ATTR, defaults.weight_bits, minimum=0)
        a = self.int_attr(ACT_SIZE_ATTR, defaults.act_bits, minimum=0)
        if w is None or a is None:
            return None
        o = self.int_attr(OUTPUT_SIZE_ATTR, defaults.partial_for(a), minimum=0)
        return None if o is None else (w, a, o)


def equation_text(operands: Sequence[tuple[Operand, tuple[str, ...]]], op: str, *, accumulate: bool = True) -> str:
    """ZigZag-style equation, e.g. ``O[d][k]+=I[d][c]*W[c][k]``, or ``O[b][k]=W[b][k]+I[b][k]`` (element-wise)."""

    def part(operand: Operand, idx: tuple[str, ...]) -> str:
        return str(operand) + ("".join(f"[{d.lower()}]" for d in idx) or "[]")

    (o, o_idx), (a, a_idx), (b, b_idx) = operands
    assign = "+=" if accumulate else "="
    return f"{part(o, o_idx)}{assign}{part(a, a_idx)}{op}{part(b, b_idx)}"


def make_layer(
    r: NodeReader,
    *,
    kind: LayerKind,
    dims: Sequence[tuple[str, int]],
    operands: Sequence[tuple[Operand, tuple[str, ...]]],
    precision: Precision,
    constants: Sequence[Operand],
    relations: Sequence[DimRelation] = (),
    pr_sizes: Sequence[tuple[str, int]] = (),
    padding: Sequence[tuple[str, int, int]] = (),
    op: str = "*",
    accumulate: bool = True,
) -> Layer | None:
    """The node's `Layer` (id = node index, name and operator type from the node); problems are recorded."""
    try:
        return Layer(
            id=r.node.index,
            name=r.node.name,
            kind=kind,
            operator_type=r.node.op_type,
            dims=tuple(d for d, _ in dims),
            sizes=tuple(s for _, s in dims),
            operand_dims=tuple(operands),
            relations=tuple(relations),
            pr_sizes=tuple(pr_sizes),
            padding=tuple(padding),
            precision=precision,
            constant_operands=tuple(constants),
            equation=equation_text(operands, op, accumulate=accumulate),
        )
    except InputError as exc:
        r.problems.items.extend(p.under(r.node.where).in_file(r.problems.file) for p in exc.problems)
        return None
