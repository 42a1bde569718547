"""Import an ONNX model (a file, bytes or a ``ModelProto``) into a `Network`.

    >>> from zigzag_opt.io.onnx_import import import_onnx
    >>> net = import_onnx("resnet18.onnx")                      # layers for convs, GEMMs, pooling, Add, Mul
    >>> net = import_onnx("resnet18.onnx", compat="zigzag")     # exactly the layers ZigZag's parser builds
    >>> net = import_onnx("bert.onnx", dims={"batch": 1, "seq": 128})

The model is loaded without its external weight data (only shapes matter), its symbolic input dims are bound to
the given values, and shapes are completed with ``onnx.shape_inference`` (strict mode first, then lenient). This is
the only module of the package that imports ``onnx``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Literal

import onnx
from onnx import AttributeProto, ModelProto, TensorProto, ValueInfoProto, numpy_helper, shape_inference
from onnx import external_data_helper as ext

from zigzag_opt.errors import InputError, Problem
from zigzag_opt.io._onnx_graph import BridgedOp, OnnxImport, build_network
from zigzag_opt.io._onnx_ir import Attr, AttrType, Dim, GraphInfo, NodeInfo, OnnxPrecision, TensorInfo, TensorKind
from zigzag_opt.workload.network import Network

__all__ = ["BridgedOp", "OnnxImport", "OnnxPrecision", "import_onnx", "import_onnx_summary", "load_onnx_model"]

ModelSource = str | os.PathLike[str] | bytes | ModelProto
Compat = Literal["zigzag"] | None

_SMALL_TENSOR_BYTES = 4096  # external tensors up to this size are read (shape inference may need their values)
_STRIP_BYTES = 1 << 16  # in-memory tensors above this size are dropped before shape inference
_STRICT_NOTE = "strict shape inference failed, lenient inference was used: "


def import_onnx(
    model: ModelSource,
    *,
    compat: Compat = None,
    dims: Mapping[str, int] | None = None,
    precision: OnnxPrecision | None = None,
    name: str | None = None,
) -> Network:
    """The `Network` of an ONNX model; see `import_onnx_summary` for the arguments."""
    return import_onnx_summary(model, compat=compat, dims=dims, precision=precision, name=name).network


def import_onnx_summary(
    model: ModelSource,
    *,
    compat: Compat = None,
    dims: Mapping[str, int] | None = None,
    precision: OnnxPrecision | None = None,
    name: str | None = None,
) -> OnnxImport:
    """Import a model and report what was bridged.

    `compat="zigzag"` builds exactly the layers of ZigZag 3.9.1's ONNX parser (Conv, QLinearConv, MatMul, Gemm;
    its H/W swap included); the default mode also models ConvTranspose, integer/quantised variants, pooling and
    element-wise Add/Mul, and reads kernels, strides and pads the right way round. `dims` binds symbolic input
    dimensions (``{"batch": 1}``); `precision` sets the bits of float tensors (ZigZag's W8/I8/O16 by default).
    Bad input raises `InputError` naming the file, the node and the rule.
    """
    if compat not in (None, "zigzag"):
        raise InputError.one("unknown compatibility mode", key_path="compat", value=compat, accepted="None, 'zigzag'")
    file = _file_name(model)
    proto = load_onnx_model(model)
    bound = _bind_dims(proto, dims or {}, file)
    inferred, notes = _infer_shapes(proto, file)
    graph = _graph_info(inferred, file)
    try:
        return build_network(
            graph,
            compat=compat == "zigzag",
            precision=precision or OnnxPrecision(),
            name=name or _default_name(model, inferred),
            dims=bound,
            warnings=notes,
        )
    except InputError as exc:
        if not notes:
            raise
        detail = notes[0].removeprefix(_STRICT_NOTE).replace("[ShapeInferenceError] ", "")
        detail = detail.removeprefix("Inference error(s): ")
        cause = Problem(
            rule=f"ONNX shape inference rejected the model (the likely cause): {detail}",
            accepted="a model that onnx.shape_inference.infer_shapes(model, strict_mode=True) accepts",
            file=file,
        )
        raise InputError((cause, *exc.problems)) from None


# ======================================================================================================
# Loading
# ======================================================================================================


def _file_name(model: ModelSource) -> str:
    return str(model) if isinstance(model, str | os.PathLike) else ""


def _default_name(model: ModelSource, proto: ModelProto) -> str:
    if isinstance(model, str | os.PathLike):
        return Path(model).stem
    return proto.graph.name or "onnx_model"


def load_onnx_model(model: ModelSource) -> ModelProto:
    """A copy of the model without large weight data; small external tensors are read when their file exists.

    Raises `InputError` for a missing, unreadable, truncated or non-ONNX file.
    """
    file = _file_name(model)
    if isinstance(model, ModelProto):
        proto = ModelProto()
        proto.CopyFrom(model)
        _strip_large_tensors(proto)
    else:
        data = model if isinstance(model, bytes) else _read_file(Path(model))
        proto = _parse(data, file)
        _strip_large_tensors(proto)
        if file:
            _load_small_external(proto, Path(file).parent)
    _check_model_header(proto, file)
    return proto


def _read_file(path: Path) -> bytes:
    if not path.exists():
        raise InputError.one(
            "the ONNX file does not exist", value=str(path), accepted="an existing .onnx file", file=str(path)
        )
    if path.is_dir():
        raise InputError.one(
            "expected an ONNX file, found a directory", value=str(path), accepted="a .onnx file", file=str(path)
        )
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError.one("the ONNX file cannot be read", value=f"{path}: {exc.strerror}", file=str(path)) from None


def _parse(data: bytes, file: str) -> ModelProto:
    if not data:
        raise InputError.one("the file is empty", accepted="an ONNX model (protobuf ModelProto)", file=file)
    proto = ModelProto()
    try:
        proto.ParseFromString(data)
    except Exception as exc:  # google.protobuf.message.DecodeError (protobuf ships no type stubs)
        raise InputError.one(
            "not an ONNX model, or a truncated one: the protobuf data does not parse",
            value=f"{len(data)} bytes ({exc})",
            accepted="a complete .onnx file (onnx.save / torch.onnx.export)",
            file=file,
        ) from None
    return proto


def _check_model_header(proto: ModelProto, file: str) -> None:
    problems: list[Problem] = []
    if not proto.HasField("graph"):
        problems.append(
            Problem(
                rule="not an ONNX model: it has no graph (is this another protobuf file, or a truncated one?)",
                key_path="graph",
                accepted="a ModelProto with a graph",
                file=file,
            )
        )
    elif not proto.graph.node:
        problems.append(Problem(rule="the graph has no nodes", key_path="graph.node", value=0, file=file))
    if proto.ir_version <= 0:
        problems.append(
            Problem(
                rule="not an ONNX model: ir_version is missing",
                key_path="ir_version",
                value=proto.ir_version,
                accepted=">= 3",
                file=file,
            )
        )
    if not any(op.domain in ("", "ai.onnx") for op in proto.opset_import):
        problems.append(
            Problem(
                rule="the model imports no version of the standard ONNX operator set",
                key_path="opset_import",
                value=[f"{op.domain or 'ai.onnx'}:{op.version}" for op in proto.opset_import],
                accepted="an opset_import entry for domain '' (ai.onnx)",
                file=file,
            )
        )
    if problems:
        raise InputError(problems)


def _tensors(proto: ModelProto) -> Iterable[TensorProto]:
    yield from proto.graph.initializer
    for node in proto.graph.node:
        for attr in node.attribute:
            if attr.type == AttributeProto.TENSOR:
                yield attr.t


def _strip_large_tensors(proto: ModelProto) -> None:
    """Drop big weight payloads (shape inference reads dims only) so any model fits protobuf's 2 GB limit."""
    for tensor in _tensors(proto):
        if len(tensor.raw_data) > _STRIP_BYTES and not ext.uses_external_data(tensor):
            ext.set_external_data(tensor, location="<stripped>")
            tensor.data_location = TensorProto.EXTERNAL
            tensor.ClearField("raw_data")


def _load_small_external(proto: ModelProto, base: Path) -> None:
    """Read the values of small external tensors (shape tensors) when their data file exists."""
    for tensor in _tensors(proto):
        if not ext.uses_external_data(tensor):
            continue
        try:  # a garbled offset or length (not a number) raises ValueError: treat as unreadable
            info = ext.ExternalDataInfo(tensor)
            length = int(info.length) if info.length else None
        except ValueError:
            continue
        path = base / str(info.location)
        if not path.is_file() or (length if length is not None else path.stat().st_size) > _SMALL_TENSOR_BYTES:
            continue
        try:
            ext.load_external_data_for_tensor(tensor, str(base))
        except (OSError, ValueError):
            continue
        tensor.data_location = TensorProto.DEFAULT
        del tensor.external_data[:]


# ======================================================================================================
# Symbolic dims and shape inference
# ======================================================================================================


def _value_infos(proto: ModelProto) -> Iterable[ValueInfoProto]:
    yield from proto.graph.input
    yield from proto.graph.output
    yield from proto.graph.value_info


def _bind_dims(proto: ModelProto, dims: Mapping[str, int], file: str) -> dict[str, int]:
    """Replace symbolic dims (``dim_param``) by the given sizes everywhere; report unknown names and bad sizes."""
    symbolic: set[str] = set()
    for info in _value_infos(proto):
        for dim in info.type.tensor_type.shape.dim:
            if dim.HasField("dim_param"):
                symbolic.add(dim.dim_param)
    problems = [
        Problem(
            rule="no tensor of the model has a dynamic dimension of this name",
            key_path=f"dims.{key}",
            value=key,
            accepted=", ".join(sorted(symbolic)) or "none (the model has no dynamic dimensions)",
            file=file,
        )
        for key in dims
        if key not in symbolic
    ]
    problems += [
        Problem(rule="a dimension size is a positive integer", key_path=f"dims.{key}", value=size, accepted=">= 1")
        for key, size in dims.items()
        if not isinstance(size, int) or isinstance(size, bool) or size < 1
    ]
    if problems:
        raise InputError(problems)
    for info in _value_infos(proto):
        for dim in info.type.tensor_type.shape.dim:
            if dim.HasField("dim_param") and dim.dim_param in dims:
                dim.dim_value = dims[dim.dim_param]
    return dict(dims)


#: What onnx's shape inference raises on a bad model; ValueError covers damaged protobuf (an unknown tensor data
#: type; a string that is not UTF-8 raises UnicodeDecodeError, a ValueError).
_INFERENCE_ERRORS = (onnx.shape_inference.InferenceError, onnx.checker.ValidationError, RuntimeError, ValueError)


def _infer_shapes(proto: ModelProto, file: str) -> tuple[ModelProto, list[str]]:
    """Shapes by strict inference; if that fails, lenient inference and the strict error as a warning."""
    try:
        return shape_inference.infer_shapes(proto, check_type=True, strict_mode=True, data_prop=True), []
    except _INFERENCE_ERRORS as strict:
        message = " ".join(str(strict).split()) or type(strict).__name__
    try:
        lenient = shape_inference.infer_shapes(proto, check_type=False, strict_mode=False, data_prop=True)
    except _INFERENCE_ERRORS as exc:
        raise InputError.one(
            "ONNX shape inference failed on this model",
            value=str(exc).strip()[:300],
            accepted="a valid ONNX model (check it with onnx.checker.check_model)",
            file=file,
        ) from None
    return lenient, [_STRICT_NOTE + message[:400]]


# ======================================================================================================
# ModelProto -> GraphInfo
# ======================================================================================================


def _dims_of(info: ValueInfoProto) -> tuple[Dim, ...] | None:
    if not info.type.HasField("tensor_type") or not info.type.tensor_type.HasField("shape"):
        return None
    dims: list[Dim] = []
    for dim in info.type.tensor_type.shape.dim:
        if dim.HasField("dim_value"):
            dims.append(int(dim.dim_value))
        elif dim.HasField("dim_param"):
            dims.append(dim.dim_param)
        else:
            dims.append(None)
    return tuple(dims)


def _type_name(elem_type: int) -> str:
    try:
        return str(TensorProto.DataType.Name(elem_type)) if elem_type else ""
    except ValueError:
        return ""


def _tensor_infos(proto: ModelProto) -> dict[str, TensorInfo]:
    """Every known tensor type; a name found in several places takes ZigZag's lookup order (inputs first)."""
    graph = proto.graph
    tensors: dict[str, TensorInfo] = {}
    for init in graph.initializer:
        tensors[init.name] = TensorInfo(
            name=init.name, dims=tuple(int(d) for d in init.dims), type_name=_type_name(init.data_type),
            kind=TensorKind.INITIALIZER,
        )  # fmt: skip
    for infos, kind in ((graph.value_info, TensorKind.VALUE), (graph.output, TensorKind.VALUE)):
        for info in infos:
            tensors[info.name] = TensorInfo(
                name=info.name, dims=_dims_of(info), type_name=_type_name(info.type.tensor_type.elem_type), kind=kind
            )
    initializers = {init.name for init in graph.initializer}
    for info in graph.input:
        kind = TensorKind.INITIALIZER if info.name in initializers else TensorKind.INPUT
        tensors[info.name] = TensorInfo(
            name=info.name, dims=_dims_of(info), type_name=_type_name(info.type.tensor_type.elem_type), kind=kind
        )
    return tensors


def _attr(attr: AttributeProto) -> Attr:
    kinds: dict[int, AttrType] = {
        AttributeProto.INT: "INT",
        AttributeProto.INTS: "INTS",
        AttributeProto.FLOAT: "FLOAT",
        AttributeProto.FLOATS: "FLOATS",
        AttributeProto.STRING: "STRING",
        AttributeProto.STRINGS: "STRINGS",
        AttributeProto.TENSOR: "TENSOR",
    }
    kind = kinds.get(attr.type, "OTHER")
    if kind == "INT":
        return Attr(kind, int(attr.i))
    if kind == "INTS":
        return Attr(kind, tuple(int(v) for v in attr.ints))
    if kind == "FLOAT":
        return Attr(kind, float(attr.f))
    if kind == "FLOATS":
        return Attr(kind, tuple(float(v) for v in attr.floats))
    if kind == "STRING":
        return Attr(kind, attr.s.decode("utf-8", errors="replace"))
    if kind == "STRINGS":
        return Attr(kind, tuple(s.decode("utf-8", errors="replace") for s in attr.strings))
    if kind == "TENSOR" and not ext.uses_external_data(attr.t) and _numel(attr.t) <= 64:
        try:
            values = numpy_helper.to_array(attr.t).reshape(-1).tolist()
        except (TypeError, ValueError):  # an undefined element type, data that do not fit the dims: values unknown
            return Attr(kind, None)
        return Attr(kind, tuple(v if isinstance(v, int | float | str) else str(v) for v in values))
    return Attr(kind, None)


def _numel(tensor: TensorProto) -> int:
    count = 1
    for d in tensor.dims:
        count *= int(d)
    return count


def _graph_info(proto: ModelProto, file: str) -> GraphInfo:
    graph = proto.graph
    initializers = frozenset(init.name for init in graph.initializer)
    nodes = tuple(
        NodeInfo(
            index=i,
            name=node.name or f"Op{i}",
            op_type=node.op_type,
            domain=node.domain,
            inputs=tuple(node.input),
            outputs=tuple(node.output),
            attrs={a.name: _attr(a) for a in node.attribute},
        )
        for i, node in enumerate(graph.node)
    )
    opset = max((op.version for op in proto.opset_import if op.domain in ("", "ai.onnx")), default=0)
    return GraphInfo(
        name=graph.name,
        nodes=nodes,
        tensors=_tensor_infos(proto),
        graph_inputs=tuple(i.name for i in graph.input if i.name not in initializers),
        graph_outputs=tuple(o.name for o in graph.output),
        initializers=initializers,
        opset=int(opset),
        file=file,
    )
