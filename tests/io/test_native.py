"""The native YAML format: round trips, JSON Schema export, and error reports (file, key path, rule)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from zigzag_opt.io.native import (
    accelerator_from_native,
    dump_native_accelerator,
    dump_native_mapping,
    dump_native_workload,
    load_native,
    load_native_accelerator,
    load_native_mapping,
    load_native_workload,
    mapping_from_native,
    workload_from_native,
)
from zigzag_opt.io.schema import json_schema
from zigzag_opt.io.yaml_io import parse_yaml
from zigzag_opt.library import list_accelerators, list_mappings, load_accelerator, load_mapping
from zigzag_opt.workload import Operand, Relevance

# --- round trips -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list_accelerators())
def test_bundled_accelerator_round_trips(name: str, tmp_path: Path) -> None:
    acc = load_accelerator(name)
    path = tmp_path / f"{name}.yaml"
    path.write_text(dump_native_accelerator(acc), encoding="utf-8")
    assert load_native_accelerator(path) == acc
    assert load_native(path) == acc


@pytest.mark.parametrize("name", list_mappings())
def test_bundled_mapping_round_trips(name: str, tmp_path: Path) -> None:
    specs = load_mapping(name)
    path = tmp_path / f"{name}.yaml"
    path.write_text(dump_native_mapping(specs), encoding="utf-8")
    assert load_native_mapping(path) == specs
    assert load_native(path) == specs


_DIRECTIONS = {
    MemOperand.I1: (Direction.WR_IN_BY_HIGH, Direction.RD_OUT_TO_LOW),
    MemOperand.I2: (Direction.WR_IN_BY_HIGH, Direction.RD_OUT_TO_LOW),
    MemOperand.O: tuple(Direction),
}
_costs = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def _ports(draw: st.DrawFn, operands: tuple[MemOperand, ...]) -> tuple[Port, ...]:
    """One read_write port serving everything, or separate read and write ports."""
    pairs = [(op, d) for op in operands for d in _DIRECTIONS[op]]
    bw = draw(st.integers(1, 4096))
    extra = draw(st.integers(0, 4096))
    if draw(st.booleans()):
        return (
            Port(
                name="rw_port_1",
                type=PortType.READ_WRITE,
                bandwidth_min_bits=bw,
                bandwidth_max_bits=bw + extra,
                allocation=tuple(pairs),
            ),
        )
    reads = tuple(p for p in pairs if p[1].is_read)
    writes = tuple(p for p in pairs if not p[1].is_read)
    return (
        Port(
            name="r_port_1", type=PortType.READ, bandwidth_min_bits=bw, bandwidth_max_bits=bw + extra, allocation=reads
        ),
        Port(name="w_port_1", type=PortType.WRITE, bandwidth_min_bits=bw, bandwidth_max_bits=bw, allocation=writes),
    )


@st.composite
def _memory(draw: st.DrawFn, name: str, operands: tuple[MemOperand, ...], dims: tuple[str, ...]) -> Memory:
    return Memory(
        name=name,
        size_bits=draw(st.integers(1, 10**11)),
        read_energy_pj=draw(_costs),
        write_energy_pj=draw(_costs),
        area_mm2=draw(_costs),
        latency_cycles=draw(st.integers(0, 9)),
        mem_type=draw(st.sampled_from(["sram", "dram", "rf"])),
        auto_cost=draw(st.booleans()),
        operands=operands,
        ports=draw(_ports(operands)),
        served_dims=tuple(d for d in dims if draw(st.booleans())),
        force_double_buffering=draw(st.booleans()),
    )


@st.composite
def _core(draw: st.DrawFn, index: int) -> Core:
    dims = tuple(f"D{i + 1}" for i in range(draw(st.integers(1, 4))))
    pe = PEArray(
        dims=dims,
        sizes=tuple(draw(st.integers(1, 64)) for _ in dims),
        mac_energy_pj=draw(_costs),
        mac_area=draw(_costs),
        systolic_dims=tuple(d for d in dims if draw(st.booleans())),
    )
    subsets = st.lists(st.sampled_from(list(MemOperand)), min_size=1, max_size=3, unique=True)
    groups = [*draw(st.lists(subsets, max_size=4)), list(MemOperand)]  # the top level holds every operand
    memories = tuple(draw(_memory(f"mem_{i}", tuple(g), dims)) for i, g in enumerate(groups))
    imc = None
    if draw(st.booleans()):
        imc = ImcParams(
            kind=ImcKind.DIGITAL,
            act_bits=8,
            weight_bits=4,
            bit_serial_bits=draw(st.sampled_from([1, 2])),
            adc_bits=0,
            cells_size_bits=draw(st.sampled_from([4, 8, 64])),
            cells_area=draw(_costs),
            auto_cost=draw(st.booleans()),
        )
    name = draw(st.sampled_from(["acc", f"core_{index}"]))
    return Core(name=name, id=draw(st.sampled_from([index, index + 7])), pe_array=pe, memories=memories, imc=imc)


@st.composite
def _accelerators(draw: st.DrawFn) -> Accelerator:
    cores = tuple(draw(_core(i)) for i in range(draw(st.integers(1, 2))))
    return Accelerator(name="acc", cores=cores)


@settings(max_examples=60, deadline=None)
@given(_accelerators())
def test_any_accelerator_round_trips(acc: Accelerator) -> None:
    assert accelerator_from_native(parse_yaml(dump_native_accelerator(acc))) == acc


_WORKLOAD = """
kind: workload
name: tiny_net
layers:
  - id: 0
    name: conv1
    operator_type: Conv
    dims: {B: 1, K: 16, C: 3, OY: 8, OX: 8, FY: 3, FX: 3}
    operands: {O: [b, k, oy, ox], W: [k, c, fy, fx], I: [b, c, iy, ix]}
    relations: {IX: {OX: 2, FX: 1}, IY: {OY: 2, FY: 1}}
    precision: {w_bits: 8, i_bits: 8, o_partial_bits: 16, o_final_bits: 8}
    constant_operands: [W, I]
    pr_sizes: {IX: 17, IY: 17}
    padding: {IX: [1, 1], IY: [1, 1]}
  - id: 1
    operator_type: Gemm
    dims: {D0: 4, D1: 16, D2: 1024}
    equation: O[d0][d1]+=I[d0][d2]*W[d2][d1]
    precision: {w_bits: 8, i_bits: 8, o_partial_bits: 32, o_final_bits: 8}
    constant_operands: [W]
    sources: {I: 0}
"""


def test_workload_loads_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(_WORKLOAD, encoding="utf-8")
    net = load_native_workload(path)
    conv, gemm = net.layers
    assert net.edges == ((0, 1),)
    assert conv.relevance(Operand.I, "OX") is Relevance.PARTIAL
    assert conv.pr_total("IX") == 17
    assert gemm.name == "Layer1" and gemm.kind.value == "gemm"
    assert gemm.indices(Operand.W) == ("D2", "D1")
    assert workload_from_native(parse_yaml(dump_native_workload(net))) == net
    assert load_native(path) == net


def test_mapping_forms() -> None:
    data = parse_yaml("""
kind: mapping
entries:
  - name: default
    spatial: {D1: {k: 32}, D2: {C: 2, FX: 3}}
    hints: {D3: [OX]}
    temporal_ordering: [[OX, 112], ["*", "*"], [K, "*"]]
    operand_links: {W: I1, I: I2}
""")
    (spec,) = mapping_from_native(data)
    assert spec.spatial.on("D1") == (("K", 32),)
    assert spec.spatial.on("D2") == (("C", 2), ("FX", 3))
    assert spec.temporal_ordering == (("OX", 112), ("*", None), ("K", None))
    assert dict(spec.operand_links)[Operand.W] is MemOperand.I1


# --- JSON Schema ---------------------------------------------------------------------------------------------


def _objects(schema: dict[str, Any]) -> list[dict[str, Any]]:
    found = [schema] if schema.get("type") == "object" and "properties" in schema else []
    for value in schema.values():
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
        found.extend(o for child in children if isinstance(child, dict) for o in _objects(child))
    return found


@pytest.mark.parametrize("kind", ["accelerator", "workload", "mapping"])
def test_json_schema_is_json_and_closed(kind: str) -> None:
    schema = json_schema(kind)  # type: ignore[arg-type]
    assert json.loads(json.dumps(schema)) == schema
    assert schema["properties"]["kind"]["const"] == kind
    objects = _objects(schema)
    assert len(objects) >= 2
    # Every record rejects unknown keys, so an editor flags typos as the loader does.
    assert all(o.get("additionalProperties") is False for o in objects)


def test_json_schema_unknown_kind() -> None:
    with pytest.raises(InputError, match="accepted: accelerator, workload, mapping"):
        json_schema("network")  # type: ignore[arg-type]


# --- errors ----------------------------------------------------------------------------------------------


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _native_of(name: str) -> dict[str, Any]:
    from zigzag_opt.io.native import accelerator_to_native

    return accelerator_to_native(load_accelerator(name))


def _errors(tmp_path: Path, doc: dict[str, Any]) -> tuple[Problem, ...]:
    path = _write(tmp_path, json.dumps(doc))  # JSON is YAML
    with pytest.raises(InputError) as info:
        load_native_accelerator(path)
    assert all(p.file == str(path) for p in info.value.problems)
    return info.value.problems


def test_schema_errors_carry_file_key_path_rule_and_accepted(tmp_path: Path) -> None:
    doc = _native_of("tpu_like")
    mem = doc["cores"][0]["memories"][2]
    mem["size_bits"] = -5
    mem["sise_bits"] = 5
    mem["ports"][0]["type"] = "readonly"
    mem["ports"][0]["serves"][0] = ["I3", "tl"]
    del doc["cores"][0]["pe_array"]["mac_energy_pj"]
    problems = {p.key_path: p for p in _errors(tmp_path, doc)}
    assert set(problems) == {
        "cores[0].memories[2].size_bits",
        "cores[0].memories[2].sise_bits",
        "cores[0].memories[2].ports[0].type",
        "cores[0].memories[2].ports[0].serves[0][0]",
        "cores[0].pe_array.mac_energy_pj",
    }
    size = problems["cores[0].memories[2].size_bits"]
    assert size.value == -5 and size.accepted == ">= 1" and "greater than or equal to 1" in size.rule
    assert problems["cores[0].memories[2].ports[0].type"].accepted == "'read', 'write' or 'read_write'"
    assert "size_bits" in problems["cores[0].memories[2].sise_bits"].accepted
    assert problems["cores[0].memories[2].ports[0].serves[0][0]"].value == "I3"
    assert problems["cores[0].pe_array.mac_energy_pj"].rule == "Field required"


def test_core_errors_get_native_key_paths(tmp_path: Path) -> None:
    doc = _native_of("tpu_like")
    ports = doc["cores"][0]["memories"][1]["ports"]
    ports[0]["bandwidth_min_bits_per_cycle"] = 64  # above its maximum of 16
    ports[2]["type"] = "read"  # a read port carrying O, fh
    doc["cores"][0]["memories"][0]["served_dims"] = ["D9"]
    problems = {p.key_path: p for p in _errors(tmp_path, doc)}
    assert "cores[0].memories[1].ports[0].bandwidth_min_bits_per_cycle" in problems
    assert "cores[0].memories[1].ports[2].serves[0]" in problems
    served = problems["cores[0].memories[0].served_dims"]
    assert served.value == "D9" and served.accepted == "D1, D2"


def test_imc_errors_point_at_the_imc_block(tmp_path: Path) -> None:
    doc = _native_of("dimc")
    doc["cores"][0]["imc"]["adc_bits"] = 4
    doc["cores"][0]["imc"]["bit_serial_bits"] = 3
    paths = {p.key_path for p in _errors(tmp_path, doc)}
    assert paths == {"cores[0].imc.adc_bits", "cores[0].imc.bit_serial_bits"}


def test_imc_without_cells_memory_needs_explicit_cells(tmp_path: Path) -> None:
    doc = _native_of("aimc")
    doc["cores"][0]["memories"][0]["name"] = "weights"
    (problem,) = _errors(tmp_path, doc)
    assert problem.key_path == "cores[0].imc.cells_size_bits"
    doc["cores"][0]["imc"]["cells_size_bits"] = 12
    (problem,) = _errors(tmp_path, doc)
    assert problem.key_path == "cores[0].imc.cells_size_bits" and problem.accepted == "multiples of 8"
    doc["cores"][0]["imc"]["cells_size_bits"] = 16
    assert accelerator_from_native(doc).core.imc == ImcParams(
        kind=ImcKind.ANALOG, act_bits=8, weight_bits=8, bit_serial_bits=2, adc_bits=8, cells_size_bits=16
    )


def test_costs_required_unless_auto_cost(tmp_path: Path) -> None:
    doc = _native_of("gemm_l1")
    del doc["cores"][0]["memories"][1]["read_energy_pj"]
    (problem,) = _errors(tmp_path, doc)
    assert problem.key_path == "cores[0].memories[1]"
    assert problem.rule == "read_energy_pj required unless auto_cost is true"
    doc["cores"][0]["memories"][1]["auto_cost"] = True
    acc = accelerator_from_native(doc)
    assert acc.core.memories[1].read_energy_pj == 0.0


def test_workload_errors(tmp_path: Path) -> None:
    text = _WORKLOAD.replace("sources: {I: 0}", "sources: {I: 5}").replace("O[d0][d1]+=", "O[d0][d1]=X")
    text = text.replace("FX: 3}", "FX: 0}")
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_native_workload(path)
    paths = {p.key_path for p in info.value.problems}
    assert paths == {"layers[0].dims.FX"}  # shape errors come first; semantic ones wait for a clean shape
    path = _write(tmp_path, text.replace("FX: 0}", "FX: 3}"))
    with pytest.raises(InputError) as info:
        load_native_workload(path)
    paths = {p.key_path for p in info.value.problems}
    assert paths == {"layers[1].sources.I", "layers[1].equation"}


def test_layer_semantic_errors_use_native_names() -> None:
    doc = parse_yaml(_WORKLOAD)
    assert isinstance(doc, dict)
    doc["layers"][0]["operands"]["W"] = ["k", "c", "fy", "zz"]
    doc["layers"][0]["relations"]["IX"] = {"OX": 2, "QQ": 1}
    with pytest.raises(InputError) as info:
        workload_from_native(doc, file="w.yaml")
    paths = {p.key_path for p in info.value.problems}
    assert paths == {"layers[0].operands", "layers[0].relations"}


def test_one_operand_form_only() -> None:
    doc = parse_yaml(_WORKLOAD)
    assert isinstance(doc, dict)
    doc["layers"][1]["operands"] = {"O": ["d0"]}
    with pytest.raises(InputError, match="exactly one of `operands` and `equation`"):
        workload_from_native(doc)


def test_kind_dispatch(tmp_path: Path) -> None:
    path = _write(tmp_path, "name: x\ncores: []\n")
    with pytest.raises(InputError) as info:
        load_native(path)
    (problem,) = info.value.problems
    assert problem.key_path == "kind" and problem.accepted == "accelerator, workload, mapping"
    with pytest.raises(InputError) as info:
        load_native_workload(_write(tmp_path, "kind: accelerator\nname: x\n"))
    kinds = [p for p in info.value.problems if p.key_path == "kind"]
    assert kinds and kinds[0].accepted == "'workload'"


def test_yaml_syntax_error_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path, "kind: accelerator\nname: [unclosed\n")
    with pytest.raises(InputError) as info:
        load_native_accelerator(path)
    assert info.value.file == str(path) and "line" in info.value.problems[0].rule
