"""Read ZigZag 3.9.1's accelerator, workload and mapping YAML files, unchanged, into the core objects.

The accepted keys, types and defaults are those of ZigZag's validators (which reject unknown keys). Where
ZigZag would accept a file and then fail deep inside a factory (a missing ``unit_energy``, an operand
precision the equation needs, a port allocation for an operand the memory does not hold), the loader reports
the cause instead. Every problem of a file is reported at once, as one `InputError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from zigzag_opt.errors import InputError
from zigzag_opt.hardware.accelerator import Accelerator, Core
from zigzag_opt.hardware.imc import ImcKind, ImcParams, imc_problems
from zigzag_opt.hardware.memory import Direction, MemOperand, Memory, Port, PortType, memory_problems
from zigzag_opt.hardware.pe_array import PEArray, pe_array_problems
from zigzag_opt.io._checks import Checker, all_or_none, at, join
from zigzag_opt.io.yaml_io import read_yaml
from zigzag_opt.mapping.spatial import DEFAULT_LINKS, OperandLinks, SpatialMapping
from zigzag_opt.mapping.spec import MappingSpec
from zigzag_opt.workload.layer import DimRelation, Layer, LayerKind, Operand, Precision
from zigzag_opt.workload.network import Network

__all__ = [
    "ZigzagKind",
    "detect_zigzag_kind",
    "load_zigzag_accelerator",
    "load_zigzag_mapping",
    "load_zigzag_workload",
]

ZigzagKind = Literal["accelerator", "workload", "mapping"]


def _load(source: str | Path | object, file: str) -> tuple[object, str]:
    """Read `source` if it is a path; otherwise it is already-loaded YAML data."""
    if isinstance(source, str | Path):
        return read_yaml(source), file or str(source)
    return source, file


def detect_zigzag_kind(data: object) -> ZigzagKind | None:
    """Which ZigZag input a loaded YAML object is, judged by its keys; None if it is none of them."""
    if isinstance(data, dict):
        return "accelerator" if {"memories", "operational_array"} & data.keys() else None
    if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
        return None
    keys: set[object] = set().union(*(item.keys() for item in data))
    if keys & {"equation", "loop_dims", "loop_sizes", "operator_type", "operand_precision"}:
        return "workload"
    if keys & set(_MAPPING_KEYS) and "id" not in keys:
        return "mapping"
    return None


# ======================================================================================================
# Accelerator
# ======================================================================================================

_OPERAND_RE = r"I[12]|O"
_OA_DIM_RE = r"D\d"
_PORT_NAME_RE = r"r?w?_port_\d+"
_ALLOCATION_RE = r"(I[12]|O), (fh|tl|fl|th)"
_DATAFLOW_RE = r"[A-Z]+, [0-9]+"
_OA_DIM_HELP = "D1, D2, ... (D and one digit)"

_ACCELERATOR_KEYS = ("name", "memories", "operational_array", "dataflows")
_MEMORY_KEYS = (
    "size",
    "r_cost",
    "w_cost",
    "area",
    "latency",
    "mem_type",
    "auto_cost_extraction",
    "operands",
    "ports",
    "served_dimensions",
    "force_double_buffering",
)
_MEMORY_REQUIRED = ("size", "latency", "operands", "ports", "served_dimensions")
_PORT_KEYS = ("name", "type", "bandwidth_min", "bandwidth_max", "allocation")
_ARRAY_KEYS = (
    "dimensions",
    "sizes",
    "unit_energy",
    "unit_area",
    "systolic_dimensions",
    "input_precision",
    "is_imc",
    "imc_type",
    "adc_resolution",
    "bit_serial_precision",
)
_ARRAY = "operational_array"
_CELLS = "cells"


@dataclass(frozen=True, slots=True)
class _ImcSettings:
    """The IMC fields of `operational_array`; the `cells` memory completes them into `ImcParams`."""

    kind: ImcKind
    act_bits: int
    weight_bits: int
    bit_serial_bits: int
    adc_bits: int


@dataclass(frozen=True, slots=True)
class _Array:
    pe: PEArray
    imc: _ImcSettings | None


def load_zigzag_accelerator(source: str | Path | Mapping[str, object], *, file: str = "") -> Accelerator:
    """An `Accelerator` (one core) from a ZigZag hardware YAML file path or its loaded contents.

    Memories keep the file order, which ZigZag requires to be innermost first. When several ports list the
    same ``"operand, direction"``, the last one serves it, as in ZigZag. `dataflows` is validated but not
    kept: ZigZag itself never uses it.
    """
    data, file = _load(source, file)
    ck = Checker(file)
    root = ck.mapping(data, "")
    return ck.finish(_accelerator(ck, root) if root is not None else None)


def _accelerator(ck: Checker, root: dict[str, object]) -> Accelerator | None:
    start = ck.mark()
    ck.keys(root, "", allowed=_ACCELERATOR_KEYS, required=("name", "memories", "operational_array"))
    name = ck.string(root, "name", "")
    array = _operational_array(ck, root[_ARRAY]) if _ARRAY in root else None
    raw_memories = ck.mapping(root["memories"], "memories") if "memories" in root else None
    memories, memories_ok = _memories(ck, raw_memories or {})
    if "dataflows" in root:
        _dataflows(ck, root["dataflows"])
    imc = None
    if array is not None and array.imc is not None and raw_memories is not None:
        imc = _imc_params(ck, array.imc, memories, cells_listed=_CELLS in raw_memories)
    # The component rules run on the ports as written (before the last-port-wins resolution hides a
    # misallocated duplicate); only a clean file goes on to the core's hierarchy-wide rules.
    _component_checks(ck, array, memories, imc)
    if not ck.clean_since(start) or name is None or array is None or not memories_ok:
        return None
    resolved = tuple(replace(mem, ports=_last_port_wins(mem.ports)) for mem in memories)
    try:
        core = Core(name=name, pe_array=array.pe, memories=resolved, imc=imc)
    except InputError as exc:
        ck.extend(exc.problems)
        return None
    return Accelerator(name=name, cores=(core,))


def _component_checks(ck: Checker, array: _Array | None, memories: list[Memory], imc: ImcParams | None) -> None:
    """The core's rules for the array, each memory and the IMC settings, on whatever parsed."""
    if array is not None:
        ck.extend(pe_array_problems(array.pe))
    for mem in memories:
        # Without a parsed array the served dims cannot be checked; let them pass rather than guess.
        oa_dims = array.pe.dims if array is not None else mem.served_dims
        ck.extend(memory_problems(mem, oa_dims, join("memories", mem.name)))
    if imc is not None:
        ck.extend(imc_problems(imc))


# --- operational array --------------------------------------------------------------------------------


def _operational_array(ck: Checker, value: object) -> _Array | None:
    start = ck.mark()
    data = ck.mapping(value, _ARRAY)
    if data is None:
        return None
    ck.keys(data, _ARRAY, allowed=_ARRAY_KEYS, required=("dimensions", "sizes"))
    dims = ck.str_list(data, "dimensions", _ARRAY, pattern=_OA_DIM_RE, accepted=_OA_DIM_HELP)
    sizes = ck.int_list(data, "sizes", _ARRAY, minimum=1)
    systolic = ck.str_list(data, "systolic_dimensions", _ARRAY, pattern=_OA_DIM_RE, accepted=_OA_DIM_HELP, default=[])
    precision = _input_precision(ck, data)
    is_imc = ck.boolean(data, "is_imc", _ARRAY, default=False)
    energy = ck.number(data, "unit_energy", _ARRAY)
    area = ck.number(data, "unit_area", _ARRAY)
    imc = _imc_settings(ck, data, precision) if is_imc else None
    if not is_imc:
        _non_imc_rules(ck, data)
    if not ck.clean_since(start) or dims is None or sizes is None or systolic is None:
        return None
    pe = PEArray(
        dims=tuple(dims),
        sizes=tuple(sizes),
        mac_energy_pj=energy or 0.0,
        mac_area=area or 0.0,
        systolic_dims=tuple(systolic),
    )
    return _Array(pe=pe, imc=imc)


def _input_precision(ck: Checker, data: dict[str, object]) -> list[int] | None:
    precision = ck.int_list(data, "input_precision", _ARRAY, nullable=True)
    if precision is not None and len(precision) != 2:
        ck.add(
            join(_ARRAY, "input_precision"),
            "input_precision lists exactly two precisions",
            value=precision,
            accepted="[activation_bits, weight_bits]",
        )
        return None
    return precision


def _non_imc_rules(ck: Checker, data: dict[str, object]) -> None:
    """A regular MAC array needs its unit costs (ZigZag's factory reads them) and no IMC settings."""
    for key in ("unit_energy", "unit_area"):
        if key not in data:
            ck.add(join(_ARRAY, key), "required key is missing for a non-IMC array", accepted="a number")
    for key, unset in (("imc_type", None), ("adc_resolution", 0), ("bit_serial_precision", None)):
        if data.get(key, unset) not in (unset, None):
            ck.add(
                join(_ARRAY, key),
                "an IMC setting is given but is_imc is not true",
                value=data[key],
                accepted="leave it out, or set is_imc: true",
            )


def _imc_settings(ck: Checker, data: dict[str, object], precision: list[int] | None) -> _ImcSettings | None:
    start = ck.mark()
    kind = ck.string(data, "imc_type", _ARRAY, nullable=True, allowed=("analog", "digital"))
    for key in ("imc_type", "input_precision", "bit_serial_precision"):
        if data.get(key) is None:
            ck.add(join(_ARRAY, key), "required for an IMC array (is_imc: true)", accepted="a value, not null")
    bit_serial = _whole_number(ck, data, "bit_serial_precision", default=None)
    adc = _whole_number(ck, data, "adc_resolution", default=0)
    if not ck.clean_since(start) or kind is None or precision is None or bit_serial is None or adc is None:
        return None
    return _ImcSettings(
        kind=ImcKind(kind),
        act_bits=precision[0],
        weight_bits=precision[1],
        bit_serial_bits=bit_serial,
        adc_bits=adc,
    )


def _whole_number(ck: Checker, data: dict[str, object], key: str, *, default: int | None) -> int | None:
    """ZigZag types these IMC fields as floats; the model needs whole numbers of bits."""
    value = ck.number(data, key, _ARRAY, nullable=True)
    if value is None:
        return default if data.get(key) is None else None
    if not value.is_integer():
        ck.add(join(_ARRAY, key), "must be a whole number of bits", value=data[key], accepted="integers")
        return None
    return int(value)


def _imc_params(ck: Checker, settings: _ImcSettings, memories: list[Memory], *, cells_listed: bool) -> ImcParams | None:
    """Complete the IMC settings with the `cells` memory (one cell group per MAC), checked as ZigZag does."""
    cells = next((m for m in memories if m.name == _CELLS), None)
    if cells is None:
        if not cells_listed:
            ck.add(
                "memories",
                "an IMC accelerator needs a memory named 'cells'",
                value=[m.name for m in memories],
                accepted="a memory 'cells' holding the weights (I2)",
            )
        return None
    path = join("memories", _CELLS)
    if cells.operands != (MemOperand.I2,):
        ck.add(
            join(path, "operands"),
            "IMC cells hold only the weights",
            value=[str(o) for o in cells.operands],
            accepted="[I2]",
        )
    if cells.served_dims:
        ck.add(
            join(path, "served_dimensions"),
            "IMC cells are fully unrolled and serve no array dimension",
            value=list(cells.served_dims),
            accepted="[]",
        )
    return ImcParams(
        kind=settings.kind,
        act_bits=settings.act_bits,
        weight_bits=settings.weight_bits,
        bit_serial_bits=settings.bit_serial_bits,
        adc_bits=settings.adc_bits,
        cells_size_bits=cells.size_bits,
        cells_area=cells.area_mm2,
        auto_cost=cells.auto_cost,
    )


def _dataflows(ck: Checker, value: object) -> None:
    data = ck.mapping(value, "dataflows")
    if data is None:
        return
    oa_dims = ("D1", "D2", "D3", "D4")
    ck.keys(data, "dataflows", allowed=oa_dims, required=("D1",))
    for key in oa_dims:
        ck.str_list(data, key, "dataflows", pattern=_DATAFLOW_RE, accepted="'<DIM>, <factor>', e.g. 'K, 16'")


# --- memories -----------------------------------------------------------------------------------------


def _memories(ck: Checker, data: dict[str, object]) -> tuple[list[Memory], bool]:
    """The memories that parsed, in file order, and whether all of them did."""
    parsed = [_memory(ck, name, spec, join("memories", name)) for name, spec in data.items()]
    memories = [m for m in parsed if m is not None]
    return memories, len(memories) == len(parsed)


def _memory(ck: Checker, name: str, value: object, path: str) -> Memory | None:
    start = ck.mark()
    spec = ck.mapping(value, path)
    if spec is None:
        return None
    ck.keys(spec, path, allowed=_MEMORY_KEYS, required=_MEMORY_REQUIRED)
    size = ck.integer(spec, "size", path, minimum=1)
    costs = [ck.number(spec, key, path, nullable=True) for key in ("r_cost", "w_cost", "area")]
    latency = ck.integer(spec, "latency", path, minimum=0)
    mem_type = ck.string(spec, "mem_type", path, default="sram")
    auto = ck.boolean(spec, "auto_cost_extraction", path, default=False)
    double = ck.boolean(spec, "force_double_buffering", path, default=False)
    operands = ck.str_list(spec, "operands", path, pattern=_OPERAND_RE, accepted="I1, I2, O")
    served = ck.str_list(spec, "served_dimensions", path, pattern=_OA_DIM_RE, accepted=_OA_DIM_HELP)
    ports = _ports(ck, spec, path)
    _cost_rules(ck, spec, path, auto=bool(auto), size=size)
    if (
        not ck.clean_since(start)
        or size is None
        or latency is None
        or mem_type is None
        or auto is None
        or double is None
        or operands is None
        or served is None
        or ports is None
    ):
        return None
    r_cost, w_cost, area = (c or 0.0 for c in costs)
    return Memory(
        name=name,
        size_bits=size,
        read_energy_pj=r_cost,
        write_energy_pj=w_cost,
        area_mm2=area,
        latency_cycles=latency,
        mem_type=mem_type,
        auto_cost=auto,
        operands=tuple(MemOperand(o) for o in operands),
        ports=ports,
        served_dims=tuple(served),
        force_double_buffering=double,
    )


def _cost_rules(ck: Checker, spec: dict[str, object], path: str, *, auto: bool, size: int | None) -> None:
    """Costs may be left to CACTI (auto_cost_extraction), which then needs a size in whole bytes."""
    if auto:
        if size is not None and size % 8 != 0:
            ck.add(
                join(path, "size"),
                "with auto_cost_extraction the size must be a multiple of 8 bits",
                value=size,
                accepted="multiples of 8",
            )
        return
    for key in ("r_cost", "w_cost", "area"):
        if spec.get(key) is None:
            ck.add(join(path, key), "required unless auto_cost_extraction is true", accepted="a number")


def _ports(ck: Checker, spec: dict[str, object], path: str) -> tuple[Port, ...] | None:
    if "ports" not in spec:
        return None
    where = join(path, "ports")
    items = ck.sequence(spec["ports"], where)
    if items is None:
        return None
    ports = all_or_none([_port(ck, item, at(where, i)) for i, item in enumerate(items)])
    return None if ports is None else tuple(ports)


def _port(ck: Checker, value: object, path: str) -> Port | None:
    start = ck.mark()
    data = ck.mapping(value, path)
    if data is None:
        return None
    ck.keys(data, path, allowed=_PORT_KEYS, required=_PORT_KEYS)
    name = ck.string(data, "name", path, pattern=_PORT_NAME_RE, accepted="r_port_1, w_port_2, rw_port_1, ...")
    kind = ck.string(data, "type", path, allowed=[t.value for t in PortType])
    bw_min = ck.integer(data, "bandwidth_min", path, minimum=1)
    bw_max = ck.integer(data, "bandwidth_max", path, minimum=1)
    allocation = ck.str_list(
        data, "allocation", path, pattern=_ALLOCATION_RE, accepted="'<I1|I2|O>, <fh|tl|fl|th>', e.g. 'I1, tl'"
    )
    if (
        not ck.clean_since(start)
        or name is None
        or kind is None
        or bw_min is None
        or bw_max is None
        or allocation is None
    ):
        return None
    pairs = tuple((MemOperand(op), Direction(d)) for op, d in (a.split(", ") for a in allocation))
    return Port(
        name=name,
        type=PortType(kind),
        bandwidth_min_bits=bw_min,
        bandwidth_max_bits=bw_max,
        allocation=tuple(dict.fromkeys(pairs)),
    )


def _last_port_wins(ports: tuple[Port, ...]) -> tuple[Port, ...]:
    """ZigZag keeps one port per (operand, direction): the last listed. Drop the earlier claims to match."""
    owner = {pair: i for i, port in enumerate(ports) for pair in port.allocation}
    return tuple(
        replace(port, allocation=tuple(p for p in port.allocation if owner[p] == i)) for i, port in enumerate(ports)
    )


# ======================================================================================================
# Workload
# ======================================================================================================

_OPERATOR_KINDS = {
    "Conv": LayerKind.CONV,
    "Conv_downsample": LayerKind.CONV,
    "Gemm": LayerKind.GEMM,
    "Pooling": LayerKind.POOLING,
    "Pool": LayerKind.POOLING,
    "MaxPool": LayerKind.POOLING,
    "AveragePool": LayerKind.POOLING,
    "GlobalAveragePool": LayerKind.POOLING,
    "Max": LayerKind.POOLING,
    "Add": LayerKind.ELEMENTWISE,
}
_LAYER_KEYS = (
    "id",
    "name",
    "operator_type",
    "equation",
    "dimension_relations",
    "loop_dims",
    "loop_sizes",
    "operand_precision",
    "operand_source",
    "pr_loop_dims",
    "pr_loop_sizes",
    "padding",
)
_LAYER_REQUIRED = ("id", "operator_type", "equation", "loop_dims", "loop_sizes", "operand_precision")
_INDICES = r"((?:\[\w*\])+)"
_EQUATION_RE = re.compile(rf"\s*O((?:\[\w+\])+)\s*\+?\s*=\s*(\w){_INDICES}\s*[*+]\s*(\w){_INDICES}\s*")
_TERM = r"(?:(\d+)\s*\*\s*)?([A-Za-z]\w*)"
_RELATION_RE = re.compile(rf"\s*([A-Za-z]\w*)\s*=\s*{_TERM}\s*\+\s*{_TERM}\s*")
_INPUTS = (Operand.W, Operand.I)

OperandDims = tuple[tuple[Operand, tuple[str, ...]], ...]


def load_zigzag_workload(source: str | Path | Sequence[object], *, file: str = "") -> Network:
    """A `Network` from a ZigZag workload YAML (a list of layers) or its loaded contents.

    An input operand whose ``operand_source`` is the layer's own id is constant (read from memory); any
    other source adds an edge producer → layer.
    """
    data, file = _load(source, file)
    ck = Checker(file)
    items = ck.sequence(data, "")
    if items is None:
        ck.fail()
    if not items:
        ck.add("", "a workload lists at least one layer", value=[], accepted="a list of layers")
    layers = [_layer(ck, item, at("", i)) for i, item in enumerate(items)]
    _check_sources(ck, items, layers)
    if not ck.clean_since(0):
        ck.fail()
    return ck.finish(_network(ck, [layer for layer in layers if layer is not None], file))


def _network(ck: Checker, layers: list[Layer], file: str) -> Network | None:
    edges = dict.fromkeys((src, layer.id) for layer in layers for _, src in layer.sources)
    try:
        return Network(name=Path(file).stem if file else "workload", layers=tuple(layers), edges=tuple(edges))
    except InputError as exc:
        ck.extend(exc.problems)
        return None


def _check_sources(ck: Checker, items: list[object], layers: list[Layer | None]) -> None:
    ids = {item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), int)}
    for i, layer in enumerate(layers):
        for op, src in layer.sources if layer is not None else ():
            if src not in ids:
                ck.add(
                    f"[{i}].operand_source.{op}",
                    "operand_source names a layer id that does not exist",
                    value=src,
                    accepted=f"ids {sorted(ids)}, or the layer's own id for a constant operand",
                )


def _layer(ck: Checker, value: object, path: str) -> Layer | None:
    start = ck.mark()
    data = ck.mapping(value, path)
    if data is None:
        return None
    ck.keys(data, path, allowed=_LAYER_KEYS, required=_LAYER_REQUIRED)
    layer_id = ck.integer(data, "id", path)
    name = ck.string(data, "name", path, nullable=True)
    op_type = ck.string(data, "operator_type", path, allowed=tuple(_OPERATOR_KINDS))
    equation = ck.string(data, "equation", path)
    operand_dims = _equation(ck, equation, join(path, "equation")) if equation is not None else None
    relations = _relations(ck, data, path)
    dims = ck.str_list(data, "loop_dims", path)
    sizes = ck.int_list(data, "loop_sizes", path, minimum=1)
    precision = _precision(ck, data, path)
    constants, sources = _sources(ck, data, path, layer_id)
    pr_sizes, padding = _pr_info(ck, data, path)
    if (
        not ck.clean_since(start)
        or layer_id is None
        or op_type is None
        or equation is None
        or operand_dims is None
        or dims is None
        or sizes is None
        or precision is None
    ):
        return None
    loop_dims = tuple(d.upper() for d in dims)
    _derived_dims_rule(ck, relations, loop_dims, path)
    try:
        return Layer(
            id=layer_id,
            name=name if name is not None else f"Layer{layer_id}",
            kind=_OPERATOR_KINDS[op_type],
            operator_type=op_type,
            dims=loop_dims,
            sizes=tuple(sizes),
            operand_dims=operand_dims,
            relations=relations,
            pr_sizes=pr_sizes,
            padding=padding,
            precision=precision,
            constant_operands=constants,
            sources=sources,
            equation=equation,
        )
    except InputError as exc:
        ck.extend(exc.problems, path)
        return None


def _equation(ck: Checker, equation: str, path: str) -> OperandDims | None:
    """Operands in equation order (output first) with their upper-cased index names."""
    match = _EQUATION_RE.fullmatch(equation)
    if match is None:
        ck.add(
            path,
            "not a ZigZag layer equation",
            value=equation,
            accepted="O[..]...+=W[..]...*I[..]... (or '+' between the inputs), e.g. "
            "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]",
        )
        return None
    out_idx, first, first_idx, second, second_idx = match.groups()
    letters = (first, second)
    if sorted(letters) != sorted(_INPUTS):
        ck.add(
            path,
            "the two input operands must be named W and I (ZigZag's mapping links use these names)",
            value=f"{first}, {second}",
            accepted="W and I, in either order",
        )
        return None
    return (
        (Operand.O, _indices(out_idx)),
        (Operand(first), _indices(first_idx)),
        (Operand(second), _indices(second_idx)),
    )


def _indices(text: str) -> tuple[str, ...]:
    return tuple(name.upper() for name in re.findall(r"\[(\w*)\]", text) if name)


def _relations(ck: Checker, data: dict[str, object], path: str) -> tuple[DimRelation, ...]:
    """``ix=2*ox+1*fx`` → IX = 2·OX + 1·FX; a missing coefficient is 1."""
    texts = ck.str_list(data, "dimension_relations", path, default=[]) or []
    where = join(path, "dimension_relations")
    relations = []
    for i, text in enumerate(texts):
        match = _RELATION_RE.fullmatch(text)
        if match is None:
            ck.add(
                at(where, i),
                "not a dimension relation",
                value=text,
                accepted="'<dim> = [c*]<dim> + [c*]<dim>' with integer coefficients, e.g. 'ix=2*ox+1*fx'",
            )
            continue
        derived, coef_a, dim_a, coef_b, dim_b = match.groups()
        terms = ((dim_a.upper(), int(coef_a or 1)), (dim_b.upper(), int(coef_b or 1)))
        relations.append(DimRelation(derived=derived.upper(), terms=terms))
    return tuple(relations)


def _derived_dims_rule(ck: Checker, relations: tuple[DimRelation, ...], dims: tuple[str, ...], path: str) -> None:
    for rel in relations:
        if rel.derived in dims:
            ck.add(
                join(path, "loop_dims"),
                "a derived dim (left side of a dimension relation) is not a loop dim",
                value=rel.derived,
                accepted="loop dims without " + rel.derived,
            )


def _precision(ck: Checker, data: dict[str, object], path: str) -> Precision | None:
    """W and I are optional in ZigZag's schema but read for every equation operand, so required here."""
    where = join(path, "operand_precision")
    if "operand_precision" not in data:
        return None
    bits = ck.mapping(data["operand_precision"], where)
    if bits is None:
        return None
    keys = ("W", "I", "O", "O_final")
    ck.keys(bits, where, allowed=keys, required=keys)
    w, i, o, o_final = (ck.integer(bits, key, where) for key in keys)
    if w is None or i is None or o is None or o_final is None:
        return None
    return Precision(w_bits=w, i_bits=i, o_partial_bits=o, o_final_bits=o_final)


def _sources(
    ck: Checker, data: dict[str, object], path: str, layer_id: int | None
) -> tuple[tuple[Operand, ...], tuple[tuple[Operand, int], ...]]:
    """(constant operands, (operand, producer id) pairs), in file order."""
    where = join(path, "operand_source")
    raw = ck.mapping(data["operand_source"], where) if "operand_source" in data else {}
    if raw is None:
        return (), ()
    ck.keys(raw, where, allowed=[op.value for op in _INPUTS])
    constants: list[Operand] = []
    sources: list[tuple[Operand, int]] = []
    for key in raw:
        src = ck.integer(raw, key, where) if key in ("W", "I") else None
        if src is None:
            continue
        if src == layer_id:
            constants.append(Operand(key))
        else:
            sources.append((Operand(key), src))
    return tuple(constants), tuple(sources)


def _pr_info(
    ck: Checker, data: dict[str, object], path: str
) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, int, int], ...]]:
    """Given derived-dim extents and paddings, both keyed by the names in ``pr_loop_dims``."""
    dims = [d.upper() for d in ck.str_list(data, "pr_loop_dims", path, nullable=True) or []]
    sizes = ck.int_list(data, "pr_loop_sizes", path, nullable=True, minimum=1)
    pads = _padding(ck, data, path)
    for key, values in (("pr_loop_sizes", sizes), ("padding", pads)):
        if values is not None and len(values) != len(dims):
            ck.add(
                join(path, key),
                f"{key} needs one entry per pr_loop_dims entry",
                value=values,
                accepted=f"{len(dims)} entries (pr_loop_dims: {dims})",
            )
    pr_sizes = tuple(zip(dims, sizes or (), strict=False))
    padding = tuple((d, begin, end) for d, (begin, end) in zip(dims, pads or (), strict=False))
    return pr_sizes, padding


def _padding(ck: Checker, data: dict[str, object], path: str) -> list[tuple[int, int]] | None:
    where = join(path, "padding")
    if data.get("padding") is None:
        return None
    items = ck.sequence(data["padding"], where)
    if items is None:
        return None
    pads: list[tuple[int, int]] = []
    for i, item in enumerate(items):
        pair = ck.sequence(item, at(where, i))
        if pair is None:
            continue
        if len(pair) != 2:
            ck.add(at(where, i), "a padding is [begin, end]", value=pair, accepted="two integers")
            continue
        begin, end = (ck.int_value(v, at(at(where, i), j)) for j, v in enumerate(pair))
        if begin is not None and end is not None:
            pads.append((begin, end))
    return pads


# ======================================================================================================
# Mapping
# ======================================================================================================

_MAPPING_KEYS = (
    "name",
    "spatial_mapping",
    "spatial_mapping_hint",
    "memory_operand_links",
    "temporal_ordering",
)
_MAPPING_OA_DIMS = ("D1", "D2", "D3", "D4")
_UNROLL_RE = r"[A-Z]+\d*, \d+"
_HINT_RE = r"[A-Z]+\d*"
_ANY = "*"


def load_zigzag_mapping(source: str | Path | Sequence[object], *, file: str = "") -> tuple[MappingSpec, ...]:
    """The entries of a ZigZag mapping YAML, in file order. One entry must be named ``default``.

    Temporal orderings are innermost first; a ``"*"`` size becomes None and the ``["*", "*"]`` marker
    becomes ``("*", None)``.
    """
    data, file = _load(source, file)
    ck = Checker(file)
    items = ck.sequence(data, "")
    if items is None:
        ck.fail()
    specs = [_mapping_entry(ck, item, at("", i)) for i, item in enumerate(items)]
    names = [item.get("name") for item in items if isinstance(item, dict)]
    if "default" not in names:
        ck.add(
            "",
            "a mapping file needs an entry named 'default'",
            value=names,
            accepted="an entry with name: default",
        )
    result = all_or_none(specs)
    return ck.finish(tuple(result) if result is not None else None)


def _mapping_entry(ck: Checker, value: object, path: str) -> MappingSpec | None:
    start = ck.mark()
    data = ck.mapping(value, path)
    if data is None:
        return None
    ck.keys(data, path, allowed=_MAPPING_KEYS, required=("name",))
    name = ck.string(data, "name", path)
    unrolling = _unrolling(ck, data, path)
    hints = _hints(ck, data, path)
    links = _links(ck, data, path)
    ordering = _ordering(ck, data, path)
    if not ck.clean_since(start) or name is None:
        return None
    return MappingSpec(
        name=name,
        spatial=SpatialMapping(unrolling=unrolling, hints=hints),
        temporal_ordering=ordering,
        operand_links=links,
    )


def _oa_dim_lists(
    ck: Checker, data: dict[str, object], key: str, path: str, *, pattern: str, accepted: str
) -> list[tuple[str, list[str]]]:
    """The D1..D4 → list-of-strings mapping shared by spatial_mapping and spatial_mapping_hint."""
    where = join(path, key)
    raw = ck.mapping(data[key], where)
    if raw is None:
        return []
    ck.keys(raw, where, allowed=_MAPPING_OA_DIMS)
    out: list[tuple[str, list[str]]] = []
    for oa_dim in raw:
        items = ck.str_list(raw, oa_dim, where, pattern=pattern, accepted=accepted)
        if oa_dim in _MAPPING_OA_DIMS and items is not None:
            out.append((oa_dim, items))
    return out


def _unrolling(ck: Checker, data: dict[str, object], path: str) -> tuple[tuple[str, tuple[tuple[str, int], ...]], ...]:
    if data.get("spatial_mapping") is None:
        return ()
    where = join(path, "spatial_mapping")
    lists = _oa_dim_lists(
        ck, data, "spatial_mapping", path, pattern=_UNROLL_RE, accepted="'<DIM>, <factor>', e.g. 'K, 32'"
    )
    unrolling = []
    for oa_dim, items in lists:
        pairs: dict[str, int] = {}
        for i, item in enumerate(items):
            dim, factor = item.split(", ")
            if dim in pairs:
                ck.add(
                    at(join(where, oa_dim), i),
                    "a layer dim is unrolled at most once per array dim",
                    value=item,
                    accepted="one entry per layer dim",
                )
            if int(factor) < 1:
                ck.add(
                    at(join(where, oa_dim), i),
                    "an unrolling factor must be >= 1",
                    value=item,
                    accepted="factors >= 1",
                )
            pairs[dim] = int(factor)
        unrolling.append((oa_dim, tuple(pairs.items())))
    return tuple(unrolling)


def _hints(ck: Checker, data: dict[str, object], path: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if "spatial_mapping_hint" not in data:
        return ()
    lists = _oa_dim_lists(
        ck, data, "spatial_mapping_hint", path, pattern=_HINT_RE, accepted="upper-case layer dims, e.g. K"
    )
    # ZigZag keeps a set per array dim; keep the file order without repeats.
    return tuple((oa_dim, tuple(dict.fromkeys(dims))) for oa_dim, dims in lists)


def _links(ck: Checker, data: dict[str, object], path: str) -> OperandLinks:
    """Layer operand → memory operand, in the canonical O, W, I order."""
    if "memory_operand_links" not in data:
        return DEFAULT_LINKS
    where = join(path, "memory_operand_links")
    raw = ck.mapping(data["memory_operand_links"], where)
    if raw is None:
        return DEFAULT_LINKS
    layer_ops = [op for op, _ in DEFAULT_LINKS]
    ck.keys(raw, where, allowed=[op.value for op in layer_ops], required=[op.value for op in layer_ops])
    links: list[tuple[Operand, MemOperand]] = []
    for op in layer_ops:
        mem_op = ck.string(raw, op.value, where, allowed=[m.value for m in MemOperand])
        if mem_op is not None:
            links.append((op, MemOperand(mem_op)))
    mem_ops = [str(m) for _, m in links]
    if len(set(mem_ops)) != len(mem_ops):
        ck.add(
            where,
            "each layer operand links to a different memory operand",
            value={str(o): str(m) for o, m in links},
            accepted="O, W and I on distinct memory operands",
        )
    return tuple(links)


def _ordering(ck: Checker, data: dict[str, object], path: str) -> tuple[tuple[str, int | None], ...]:
    if "temporal_ordering" not in data:
        return ()
    where = join(path, "temporal_ordering")
    items = ck.sequence(data["temporal_ordering"], where)
    loops = [_ordering_loop(ck, item, at(where, i)) for i, item in enumerate(items or [])]
    return tuple(loop for loop in loops if loop is not None)


def _ordering_loop(ck: Checker, value: object, path: str) -> tuple[str, int | None] | None:
    """``[DIM, size]`` with size an integer or ``"*"``; ``["*", "*"]`` marks where outer positions start."""
    accepted = "[DIM, size] with size an integer >= 1 or '*'"
    pair = ck.sequence(value, path)
    if pair is None:
        return None
    if len(pair) != 2:
        ck.add(path, "a temporal loop is a [dim, size] pair", value=pair, accepted=accepted)
        return None
    dim = ck.str_value(pair[0], at(path, 0))
    size = pair[1]
    count: int | None = None
    if isinstance(size, str) and size != _ANY:
        ck.add(at(path, 1), "a loop size is an integer or '*'", value=size, accepted=accepted)
        return None
    if size != _ANY:
        count = ck.int_value(size, at(path, 1), minimum=1)
        if count is None:
            return None
    if dim is None:
        return None
    if dim == _ANY and count is not None:
        ck.add(path, "the '*' marker takes the size '*'", value=pair, accepted="['*', '*']")
        return None
    return dim.upper(), count
