"""The native YAML format: load accelerator, workload and mapping files into core objects, and dump them back.

Loading runs in two phases. The pydantic models of `io.schema` check types and shapes (one `Problem` per
pydantic error, key paths like ``cores[0].memories[2].size_bits``); then the core objects check the rules that
span fields (their problems get the file and the native key path). Layer-dim names are case-insensitive and
are stored upper case.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from zigzag_opt.errors import InputError, Problem
from zigzag_opt.hardware import (
    Accelerator,
    Core,
    Direction,
    ImcKind,
    ImcParams,
    MemOperand,
    Memory,
    PEArray,
    Port,
    PortType,
)
from zigzag_opt.io import schema as sc
from zigzag_opt.io.yaml_io import read_yaml
from zigzag_opt.mapping.spatial import SpatialMapping
from zigzag_opt.mapping.spec import MappingSpec
from zigzag_opt.workload import DimRelation, Layer, LayerKind, Network, Operand, Precision

__all__ = [
    "accelerator_from_native",
    "accelerator_to_native",
    "dump_native_accelerator",
    "dump_native_mapping",
    "dump_native_workload",
    "load_native",
    "load_native_accelerator",
    "load_native_mapping",
    "load_native_workload",
    "mapping_from_native",
    "mapping_to_native",
    "workload_from_native",
    "workload_to_native",
]

PathLike = str | Path
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


# --- loading: public API ------------------------------------------------------------------------------------


def load_native(path: PathLike) -> Accelerator | Network | tuple[MappingSpec, ...]:
    """Load any native file; its `kind:` key (accelerator, workload or mapping) selects what is returned."""
    file = os.fspath(path)
    data = read_yaml(path)
    kind = data.get("kind") if isinstance(data, dict) else None
    accepted = ", ".join(sc.FILE_MODELS)
    if kind == "accelerator":
        return accelerator_from_native(data, file=file)
    if kind == "workload":
        return workload_from_native(data, file=file)
    if kind == "mapping":
        return mapping_from_native(data, file=file)
    rule = "a native file is a mapping whose `kind` key names its content"
    raise InputError.one(rule, key_path="kind", value=kind, accepted=accepted, file=file)


def load_native_accelerator(path: PathLike) -> Accelerator:
    return accelerator_from_native(read_yaml(path), file=os.fspath(path))


def load_native_workload(path: PathLike) -> Network:
    return workload_from_native(read_yaml(path), file=os.fspath(path))


def load_native_mapping(path: PathLike) -> tuple[MappingSpec, ...]:
    return mapping_from_native(read_yaml(path), file=os.fspath(path))


def accelerator_from_native(data: object, *, file: str = "") -> Accelerator:
    """Build an `Accelerator` from parsed native YAML data (`file` only names the source in errors)."""
    doc = _validated(sc.AcceleratorFile, data, file)
    cores: list[Core] = []
    problems: list[Problem] = []
    for i, core_doc in enumerate(doc.cores):
        try:
            cores.append(_core(core_doc, doc.name, i))
        except InputError as exc:
            names = [m.name for m in core_doc.memories]
            problems.extend(_relocated(p, _accel_path(p.key_path, names)).under(f"cores[{i}]") for p in exc.problems)
    if problems:
        raise InputError(problems).in_file(file)
    return _checked(file, lambda: Accelerator(name=doc.name, cores=tuple(cores)))


def workload_from_native(data: object, *, file: str = "") -> Network:
    """Build a `Network` from parsed native YAML data; edges come from the layers' `sources`."""
    doc = _validated(sc.WorkloadFile, data, file)
    layers: list[Layer] = []
    problems = _source_problems(doc)
    for i, layer_doc in enumerate(doc.layers):
        try:
            layers.append(_layer(layer_doc))
        except InputError as exc:
            problems.extend(
                _relocated(p, _layer_path(p.key_path, layer_doc)).under(f"layers[{i}]") for p in exc.problems
            )
    if problems:
        raise InputError(problems).in_file(file)
    edges = tuple(dict.fromkeys((src, lay.id) for lay in layers for _, src in lay.sources))
    try:
        return Network(name=doc.name, layers=tuple(layers), edges=edges)
    except InputError as exc:
        raise InputError(_relocated(p, _network_path(p.key_path)) for p in exc.problems).in_file(file) from None


def mapping_from_native(data: object, *, file: str = "") -> tuple[MappingSpec, ...]:
    """Build the mapping entries of a native mapping file, in file order."""
    doc = _validated(sc.MappingFile, data, file)
    return tuple(_mapping_spec(entry) for entry in doc.entries)


# --- pydantic errors → problems -----------------------------------------------------------------------------


def _validated(model: type[M], data: object, file: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(_problem(err, model, file) for err in exc.errors(include_url=False)) from None


def _problem(err: ErrorDetails, model: type[BaseModel], file: str) -> Problem:
    loc, rule = tuple(err["loc"]), err["msg"]
    if loc and loc[-1] == "[key]":  # pydantic marks a bad mapping key with a pseudo location
        loc, rule = loc[:-1], f"invalid key: {rule}"
    rule = rule.removeprefix("Value error, ")
    # The input of a missing key or of a whole-object rule is the enclosing object: not worth repeating.
    value = None if err["type"] in ("missing", "value_error") else err["input"]
    return Problem(rule=rule, key_path=_dotted(loc), value=value, accepted=_accepted(err, model), file=file)


def _dotted(loc: Iterable[int | str]) -> str:
    path = ""
    for part in loc:
        name = str(part) or '""'  # an empty key still shows where it is
        path += f"[{part}]" if isinstance(part, int) else (f".{name}" if path else name)
    return path


_ACCEPTED_BY_TYPE = {
    "int_type": "integers",
    "float_type": "numbers",
    "bool_type": "true, false",
    "string_type": "strings",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "tuple_type": "a list",
}


def _accepted(err: ErrorDetails, model: type[BaseModel]) -> str:
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    kind = err["type"]
    if kind == "extra_forbidden":
        return ", ".join(_model_at(model, tuple(err["loc"])[:-1]).model_fields)
    if "expected" in ctx:
        return str(ctx["expected"])
    for key, text in (
        ("ge", ">= {}"),
        ("gt", "> {}"),
        ("le", "<= {}"),
        ("lt", "< {}"),
        ("min_length", "at least {} item(s)"),
        ("max_length", "at most {} item(s)"),
        ("pattern", "matching {}"),
    ):
        if key in ctx:
            return text.format(ctx[key])
    return _ACCEPTED_BY_TYPE.get(kind, "")


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel]:
    """The schema model found at `loc` (list indices and mapping keys are stepped over)."""
    for part in loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        inner = _model_in(field.annotation) if field is not None else None
        if inner is not None:
            model = inner
    return model


def _model_in(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


# --- core problems → native key paths -----------------------------------------------------------------------


def _relocated(problem: Problem, key_path: str) -> Problem:
    return replace(problem, key_path=key_path)


def _checked(file: str, build: Callable[[], T]) -> T:
    try:
        return build()
    except InputError as exc:
        raise exc.in_file(file) from None


# The core objects name their fields as ZigZag's files do; these are the native names.
_ACCEL_KEYS = {
    "operational_array": "pe_array",
    "dimensions": "dims",
    "unit_energy": "mac_energy_pj",
    "unit_area": "mac_area_mm2",
    "systolic_dimensions": "systolic_dims",
    "size": "size_bits",
    "r_cost": "read_energy_pj",
    "w_cost": "write_energy_pj",
    "area": "area_mm2",
    "served_dimensions": "served_dims",
    "bandwidth_min": "bandwidth_min_bits_per_cycle",
    "bandwidth_max": "bandwidth_max_bits_per_cycle",
    "allocation": "serves",
}
_IMC_KEYS = {
    "operational_array.input_precision[0]": "imc.act_bits",
    "operational_array.input_precision[1]": "imc.weight_bits",
    "operational_array.bit_serial_precision": "imc.bit_serial_bits",
    "operational_array.adc_resolution": "imc.adc_bits",
}


def _accel_path(path: str, memory_names: list[str]) -> str:
    """A core-object key path (``memories.sram.ports[0].bandwidth_min``) in native terms, within one core."""
    if path in _IMC_KEYS:
        return _IMC_KEYS[path]
    if path == "memories.cells.size" and "cells" not in memory_names:
        return "imc.cells_size_bits"
    out: list[str] = []
    for token in re.findall(r"\[\d+\]|[^.\[\]]+", path):
        if out and out[-1] == "memories" and token in memory_names:
            out.append(f"[{memory_names.index(token)}]")
        else:
            out.append(token if token.startswith("[") else _ACCEL_KEYS.get(token, token))
    return "".join(t if t.startswith("[") or i == 0 else f".{t}" for i, t in enumerate(out))


def _layer_path(path: str, doc: sc.LayerSchema) -> str:
    """A layer's key path (``loop_sizes[2]``, ``operand_precision.W``) in native terms."""
    dims = list(doc.dims)
    found = re.fullmatch(r"loop_(?:sizes|dims)\[(\d+)\]", path)
    if found:
        return f"dims.{dims[int(found.group(1))]}" if int(found.group(1)) < len(dims) else "dims"
    head, _, rest = path.partition(".")
    if head == "operand_precision":
        return "precision." + {"W": "w_bits", "I": "i_bits", "O": "o_partial_bits"}.get(rest, "o_final_bits")
    renamed = {
        "loop_dims": "dims",
        "loop_sizes": "dims",
        "dimension_relations": "relations",
        "equation": "operands" if doc.operands is not None else "equation",
    }.get(head, head)
    return f"{renamed}.{rest}" if rest else renamed


def _network_path(path: str) -> str:
    if path.startswith("["):
        return f"layers{path}"
    return "layers" if path in ("edges", "operand_source") else path


# --- schema → core objects ----------------------------------------------------------------------------------


def _zero_if_none(value: float | None) -> float:
    """Costs left out (auto_cost) are 0 until the memory technology model fills them in."""
    return 0.0 if value is None else value


def _port(doc: sc.PortSchema) -> Port:
    return Port(
        name=doc.name,
        type=PortType(doc.type),
        bandwidth_min_bits=doc.bandwidth_min_bits_per_cycle,
        bandwidth_max_bits=doc.bandwidth_max_bits_per_cycle,
        allocation=tuple((MemOperand(op), Direction(d)) for op, d in doc.serves),
    )


def _memory(doc: sc.MemorySchema) -> Memory:
    return Memory(
        name=doc.name,
        size_bits=doc.size_bits,
        read_energy_pj=_zero_if_none(doc.read_energy_pj),
        write_energy_pj=_zero_if_none(doc.write_energy_pj),
        area_mm2=_zero_if_none(doc.area_mm2),
        latency_cycles=doc.latency_cycles,
        mem_type=doc.mem_type,
        auto_cost=doc.auto_cost,
        operands=tuple(MemOperand(op) for op in doc.operands),
        ports=tuple(_port(p) for p in doc.ports),
        served_dims=tuple(doc.served_dims),
        force_double_buffering=doc.force_double_buffering,
    )


def _pe_array(doc: sc.PEArraySchema) -> PEArray:
    return PEArray(
        dims=tuple(doc.dims),
        sizes=tuple(doc.sizes),
        mac_energy_pj=doc.mac_energy_pj,
        mac_area=doc.mac_area_mm2,
        systolic_dims=tuple(doc.systolic_dims),
    )


def _imc(doc: sc.ImcSchema, memories: tuple[Memory, ...]) -> ImcParams:
    """IMC parameters; the cell group's size, area and auto_cost come from the `cells` memory unless given."""
    cells = next((m for m in memories if m.name == "cells"), None)
    size = doc.cells_size_bits if doc.cells_size_bits is not None else (cells.size_bits if cells else None)
    if size is None:
        raise InputError.one(
            "an IMC core needs a memory named `cells` or an explicit cells_size_bits",
            key_path="imc.cells_size_bits",
            accepted="a positive integer",
        )
    area = doc.cells_area_mm2 if doc.cells_area_mm2 is not None else (cells.area_mm2 if cells else 0.0)
    auto = doc.auto_cost if doc.auto_cost is not None else (cells.auto_cost if cells else False)
    return ImcParams(
        kind=ImcKind(doc.kind),
        act_bits=doc.act_bits,
        weight_bits=doc.weight_bits,
        bit_serial_bits=doc.bit_serial_bits,
        adc_bits=doc.adc_bits,
        cells_size_bits=size,
        cells_area=area,
        auto_cost=auto,
    )


def _core(doc: sc.CoreSchema, accelerator_name: str, index: int) -> Core:
    memories = tuple(_memory(m) for m in doc.memories)
    return Core(
        name=doc.name or accelerator_name,
        id=index if doc.id is None else doc.id,
        pe_array=_pe_array(doc.pe_array),
        memories=memories,
        imc=None if doc.imc is None else _imc(doc.imc, memories),
    )


_EQUATION = re.compile(r"^\s*O((?:\[\w+\])+)\s*\+?=\s*([A-Za-z])((?:\[\w*\])+)\s*[*+]\s*([A-Za-z])((?:\[\w*\])+)\s*$")


def _equation_operands(equation: str) -> tuple[tuple[Operand, tuple[str, ...]], ...]:
    """Operands and their indices from a ZigZag-style equation, e.g. ``O[k][ox]+=W[k][c]*I[c][ox]``."""
    found = _EQUATION.fullmatch(equation)
    letters = (found.group(2), found.group(4)) if found else ()
    if found is None or sorted(letters) != ["I", "W"]:
        raise InputError.one(
            "the equation must read O[..] += W[..] * I[..] (inputs in either order, + or *)",
            key_path="equation",
            value=equation,
            accepted="e.g. O[k][ox]+=W[k][c]*I[c][ox]",
        )

    def indices(text: str) -> tuple[str, ...]:
        return tuple(i.upper() for i in re.findall(r"\[(\w*)\]", text) if i)

    return (
        (Operand.O, indices(found.group(1))),
        (Operand(found.group(2)), indices(found.group(3))),
        (Operand(found.group(4)), indices(found.group(5))),
    )


def _layer_kind(operator_type: str) -> LayerKind:
    """A default kind from an ONNX/ZigZag operator name."""
    op = operator_type.lower()
    if "conv" in op:
        return LayerKind.CONV
    if op in ("gemm", "matmul", "linear"):
        return LayerKind.GEMM
    if "pool" in op or op == "max":
        return LayerKind.POOLING
    if op in ("add", "mul", "sub", "div"):
        return LayerKind.ELEMENTWISE
    return LayerKind.OTHER


def _layer(doc: sc.LayerSchema) -> Layer:
    if doc.operands is not None:
        operand_dims = tuple((Operand(op), tuple(i.upper() for i in idx)) for op, idx in doc.operands.items())
    else:
        operand_dims = _equation_operands(doc.equation or "")
    precision = Precision(
        w_bits=doc.precision.w_bits,
        i_bits=doc.precision.i_bits,
        o_partial_bits=doc.precision.o_partial_bits,
        o_final_bits=doc.precision.o_final_bits,
    )
    relations = tuple(
        DimRelation(derived=d.upper(), terms=tuple((t.upper(), c) for t, c in terms.items()))
        for d, terms in doc.relations.items()
    )
    return Layer(
        id=doc.id,
        name=doc.name or f"Layer{doc.id}",
        operator_type=doc.operator_type,
        kind=LayerKind(doc.kind) if doc.kind else _layer_kind(doc.operator_type),
        dims=tuple(d.upper() for d in doc.dims),
        sizes=tuple(doc.dims.values()),
        operand_dims=operand_dims,
        relations=relations,
        pr_sizes=tuple((d.upper(), s) for d, s in doc.pr_sizes.items()),
        padding=tuple((d.upper(), b, e) for d, (b, e) in doc.padding.items()),
        precision=precision,
        constant_operands=tuple(Operand(op) for op in doc.constant_operands),
        sources=tuple((Operand(op), src) for op, src in doc.sources.items()),
        equation=doc.equation or "",
    )


def _source_problems(doc: sc.WorkloadFile) -> list[Problem]:
    """Sources must name layers of the file (checked here to point at the exact key)."""
    ids = [lay.id for lay in doc.layers]
    return [
        Problem(
            rule="a source must be the id of a layer in this file",
            key_path=f"layers[{i}].sources.{op}",
            value=src,
            accepted=", ".join(map(str, ids)),
        )
        for i, lay in enumerate(doc.layers)
        for op, src in lay.sources.items()
        if src not in ids
    ]


def _mapping_spec(doc: sc.MappingEntrySchema) -> MappingSpec:
    unrolling = tuple((oa, tuple((d.upper(), f) for d, f in pairs.items())) for oa, pairs in doc.spatial.items())
    hints = tuple((oa, tuple(d.upper() for d in dims)) for oa, dims in doc.hints.items())
    ordering = tuple((d.upper(), None if s == "*" else s) for d, s in doc.temporal_ordering)
    links = doc.operand_links
    return MappingSpec(
        name=doc.name,
        spatial=SpatialMapping(unrolling=unrolling, hints=hints),
        temporal_ordering=ordering,
        operand_links=(
            (Operand.O, MemOperand(links.O)),
            (Operand.W, MemOperand(links.W)),
            (Operand.I, MemOperand(links.I)),
        ),
    )


# --- core objects → native documents ------------------------------------------------------------------------


class _Flow(dict[str, Any]):
    """A mapping written on one line (`{K: 64, C: 3}`)."""


def _port_doc(port: Port) -> dict[str, Any]:
    return {
        "name": port.name,
        "type": str(port.type),
        "bandwidth_min_bits_per_cycle": port.bandwidth_min_bits,
        "bandwidth_max_bits_per_cycle": port.bandwidth_max_bits,
        "serves": [[str(op), str(d)] for op, d in port.allocation],
    }


def _memory_doc(mem: Memory) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "name": mem.name,
        "size_bits": mem.size_bits,
        "read_energy_pj": mem.read_energy_pj,
        "write_energy_pj": mem.write_energy_pj,
        "area_mm2": mem.area_mm2,
    }
    optional = {
        "latency_cycles": (mem.latency_cycles, 1),
        "mem_type": (mem.mem_type, "sram"),
        "auto_cost": (mem.auto_cost, False),
    }
    doc.update({k: v for k, (v, default) in optional.items() if v != default})
    doc.update(operands=[str(op) for op in mem.operands], served_dims=list(mem.served_dims))
    if mem.force_double_buffering:
        doc["force_double_buffering"] = True
    doc["ports"] = [_port_doc(p) for p in mem.ports]
    return doc


def _pe_array_doc(arr: PEArray) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "dims": list(arr.dims),
        "sizes": list(arr.sizes),
        "mac_energy_pj": arr.mac_energy_pj,
        "mac_area_mm2": arr.mac_area,
    }
    if arr.systolic_dims:
        doc["systolic_dims"] = list(arr.systolic_dims)
    return doc


def _imc_doc(imc: ImcParams, memories: tuple[Memory, ...]) -> dict[str, Any]:
    """IMC parameters; cell-group fields only where they differ from the `cells` memory they default to."""
    doc: dict[str, Any] = {
        "kind": str(imc.kind),
        "act_bits": imc.act_bits,
        "weight_bits": imc.weight_bits,
        "bit_serial_bits": imc.bit_serial_bits,
        "adc_bits": imc.adc_bits,
    }
    cells = next((m for m in memories if m.name == "cells"), None)
    derived = (cells.size_bits, cells.area_mm2, cells.auto_cost) if cells else (None, 0.0, False)
    given = (imc.cells_size_bits, imc.cells_area, imc.auto_cost)
    for key, value, default in zip(("cells_size_bits", "cells_area_mm2", "auto_cost"), given, derived, strict=True):
        if value != default:
            doc[key] = value
    return doc


def _core_doc(core: Core, accelerator_name: str, index: int) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if core.name != accelerator_name:
        doc["name"] = core.name
    if core.id != index:
        doc["id"] = core.id
    doc["pe_array"] = _pe_array_doc(core.pe_array)
    if core.imc is not None:
        doc["imc"] = _imc_doc(core.imc, core.memories)
    doc["memories"] = [_memory_doc(m) for m in core.memories]
    return doc


def accelerator_to_native(acc: Accelerator) -> dict[str, Any]:
    """The native document of an accelerator (plain dicts and lists; defaults left out)."""
    return {
        "kind": "accelerator",
        "name": acc.name,
        "cores": [_core_doc(c, acc.name, i) for i, c in enumerate(acc.cores)],
    }


def _layer_doc(layer: Layer) -> dict[str, Any]:
    p = layer.precision
    doc: dict[str, Any] = {
        "id": layer.id,
        "name": layer.name,
        "operator_type": layer.operator_type,
        "kind": str(layer.kind),
        "dims": _Flow(zip(layer.dims, layer.sizes, strict=True)),
    }
    if layer.equation:
        doc["equation"] = layer.equation
    else:
        doc["operands"] = {str(op): [i.lower() for i in idx] for op, idx in layer.operand_dims}
    if layer.relations:
        doc["relations"] = {r.derived: _Flow(r.terms) for r in layer.relations}
    doc["precision"] = _Flow(
        w_bits=p.w_bits, i_bits=p.i_bits, o_partial_bits=p.o_partial_bits, o_final_bits=p.o_final_bits
    )
    optional = {
        "constant_operands": [str(op) for op in layer.constant_operands],
        "sources": _Flow((str(op), src) for op, src in layer.sources),
        "pr_sizes": _Flow(layer.pr_sizes),
        "padding": {d: [b, e] for d, b, e in layer.padding},
    }
    doc.update({k: v for k, v in optional.items() if v})
    return doc


def workload_to_native(network: Network) -> dict[str, Any]:
    """The native document of a network. Its edges are not written: loading rebuilds them from `sources`."""
    return {"kind": "workload", "name": network.name, "layers": [_layer_doc(lay) for lay in network.layers]}


def _entry_doc(spec: MappingSpec) -> dict[str, Any]:
    doc: dict[str, Any] = {"name": spec.name}
    if spec.spatial.unrolling:
        doc["spatial"] = {oa: _Flow(pairs) for oa, pairs in spec.spatial.unrolling}
    if spec.spatial.hints:
        doc["hints"] = {oa: list(dims) for oa, dims in spec.spatial.hints}
    if spec.temporal_ordering:
        doc["temporal_ordering"] = [[d, "*" if s is None else s] for d, s in spec.temporal_ordering]
    links = {str(op): str(mem) for op, mem in spec.operand_links}
    if links != {"O": "O", "W": "I2", "I": "I1"}:
        doc["operand_links"] = _Flow(links)
    return doc


def mapping_to_native(specs: Iterable[MappingSpec]) -> dict[str, Any]:
    return {"kind": "mapping", "entries": [_entry_doc(s) for s in specs]}


# --- YAML text ----------------------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block style for structure, one-line lists of scalars (`operands: [I1, O]`), no anchors/aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Indent list items under their key: PyYAML's default aligns them with it, which reads poorly.
        super().increase_indent(flow, False)


def _is_flat(items: Iterable[object]) -> bool:
    return all(not isinstance(x, dict | list) or (isinstance(x, list) and _is_flat(x)) for x in items)


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=_is_flat(data))


def _represent_flow(dumper: yaml.SafeDumper, data: Mapping[str, Any]) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(_Flow, _represent_flow)


def _dump(doc: dict[str, Any]) -> str:
    return yaml.dump(doc, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=110, allow_unicode=True)


def dump_native_accelerator(acc: Accelerator) -> str:
    """Native YAML text of `acc`; loading it gives back an equal `Accelerator`."""
    return _dump(accelerator_to_native(acc))


def dump_native_workload(network: Network) -> str:
    """Native YAML text of `network` (edges are rebuilt from the layers' sources on loading)."""
    return _dump(workload_to_native(network))


def dump_native_mapping(specs: Iterable[MappingSpec]) -> str:
    return _dump(mapping_to_native(specs))
