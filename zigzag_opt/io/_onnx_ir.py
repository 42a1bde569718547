"""A plain, onnx-free view of an ONNX graph, and the problem bookkeeping shared by the ONNX import modules.

`zigzag_opt.io.onnx_import` (the only module that imports ``onnx``) turns a shape-inferred ``ModelProto`` into a
`GraphInfo`; everything after that (layer building, ZigZag's parser rules, edges) works on these records, so it is
typed, testable and independent of the protobuf classes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from zigzag_opt.errors import InputError, Problem

__all__ = [
    "Attr",
    "Dim",
    "GraphInfo",
    "NodeInfo",
    "OnnxPrecision",
    "Problems",
    "TensorInfo",
    "TensorKind",
    "type_bits",
]

Dim = int | str | None
"""One tensor dimension: a size, a symbolic name (``dim_param``) or unknown (None)."""

AttrType = Literal["INT", "INTS", "FLOAT", "FLOATS", "STRING", "STRINGS", "TENSOR", "OTHER"]


@dataclass(frozen=True, slots=True)
class Attr:
    """A node attribute: its ONNX type name and value (a TENSOR attribute holds its values as a flat tuple)."""

    type: AttrType
    value: int | float | str | tuple[int | float | str, ...] | None


class TensorKind(StrEnum):
    INPUT = "graph input"
    INITIALIZER = "initializer"
    VALUE = "node output"


@dataclass(frozen=True, slots=True)
class TensorInfo:
    """A tensor's declared or inferred type. `dims` is None when not even the rank is known."""

    name: str
    dims: tuple[Dim, ...] | None
    type_name: str  # ONNX element type name, e.g. FLOAT, UINT8 ("" if unknown)
    kind: TensorKind

    @property
    def bits(self) -> int:
        return type_bits(self.type_name)


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """One node. `name` is the node's name, or ``Op<index>`` when it has none (as ZigZag names it)."""

    index: int
    name: str
    op_type: str
    domain: str
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    attrs: Mapping[str, Attr] = field(default_factory=dict)

    @property
    def where(self) -> str:
        """Key path of this node in error messages."""
        return f"graph.node[{self.index}] {self.op_type} {self.name!r}"

    def input(self, i: int) -> str:
        """Name of input `i` ("" when absent or omitted)."""
        return self.inputs[i] if i < len(self.inputs) else ""


@dataclass(frozen=True, slots=True)
class GraphInfo:
    """The main graph: nodes in file order and every tensor type known after shape inference."""

    name: str
    nodes: tuple[NodeInfo, ...]
    tensors: Mapping[str, TensorInfo]
    graph_inputs: tuple[str, ...]
    graph_outputs: tuple[str, ...]
    initializers: frozenset[str]
    opset: int
    file: str = ""

    def tensor(self, name: str) -> TensorInfo | None:
        return self.tensors.get(name)


# ZigZag's custom node attributes that set a node's precisions (onnx_operator_parser.py).
WEIGHT_SIZE_ATTR = "weight_size"
ACT_SIZE_ATTR = "act_size"
OUTPUT_SIZE_ATTR = "output_size"


@dataclass(frozen=True, slots=True, kw_only=True)
class OnnxPrecision:
    """Bits per element where the model does not fix them (float tensors).

    The defaults are ZigZag's: weights 8, activations 8, final outputs = activations, partial sums 2 × activations.
    Quantised operators (QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger) take their weight, input and
    output bits from the tensor element types instead. Node attributes ``weight_size``, ``act_size`` and
    ``output_size`` (ZigZag's custom attributes) override both.
    """

    weight_bits: int = 8
    act_bits: int = 8
    partial_bits: int | None = None

    def __post_init__(self) -> None:
        problems = [
            Problem(rule="a precision is a positive number of bits", key_path=key, value=value, accepted=">= 1")
            for key, value in (
                ("weight_bits", self.weight_bits),
                ("act_bits", self.act_bits),
                ("partial_bits", 1 if self.partial_bits is None else self.partial_bits),
            )
            if not isinstance(value, int) or isinstance(value, bool) or value < 1
        ]
        if problems:
            raise InputError(problems)

    def partial_for(self, act_bits: int) -> int:
        """Partial-sum bits: the configured value, else ZigZag's 2 × activation bits."""
        return self.partial_bits if self.partial_bits is not None else 2 * act_bits


_TYPE_BITS = {
    "FLOAT": 32,
    "DOUBLE": 64,
    "FLOAT16": 16,
    "BFLOAT16": 16,
    "UINT8": 8,
    "INT8": 8,
    "UINT16": 16,
    "INT16": 16,
    "UINT32": 32,
    "INT32": 32,
    "UINT64": 64,
    "INT64": 64,
    "BOOL": 8,
    "FLOAT8E4M3FN": 8,
    "FLOAT8E4M3FNUZ": 8,
    "FLOAT8E5M2": 8,
    "FLOAT8E5M2FNUZ": 8,
    "FLOAT8E8M0": 8,
    "UINT4": 4,
    "INT4": 4,
    "FLOAT4E2M1": 4,
    "UINT2": 2,
    "INT2": 2,
    "COMPLEX64": 64,
    "COMPLEX128": 128,
}


def type_bits(type_name: str) -> int:
    """Bits per element of an ONNX element type name (0 if unknown, e.g. STRING)."""
    return _TYPE_BITS.get(type_name, 0)


@dataclass
class Problems:
    """Collects the problems of one model; dynamic dimensions are reported once per name."""

    file: str = ""
    items: list[Problem] = field(default_factory=list)
    dynamic: dict[str, str] = field(default_factory=dict)  # dim name -> first tensor that needs it

    def add(self, key_path: str, rule: str, *, value: object = None, accepted: str = "") -> None:
        self.items.append(Problem(rule=rule, key_path=key_path, value=value, accepted=accepted, file=self.file))

    def dynamic_dim(self, dim: str, tensor: str) -> None:
        self.dynamic.setdefault(dim, tensor)

    def mark(self) -> int:
        return len(self.items) + len(self.dynamic)

    def all(self) -> list[Problem]:
        dims = [
            Problem(
                rule="a dynamic (symbolic) dimension has no value",
                key_path=f"dims.{name}",
                value=f"{name} (first needed by tensor {tensor!r})",
                accepted=f"a value for it: --dim {name}=N on the command line, or dims={{{name!r}: N}}",
                file=self.file,
            )
            for name, tensor in self.dynamic.items()
        ]
        return dims + self.items

    def raise_if_any(self) -> None:
        problems = self.all()
        if problems:
            raise InputError(problems)
