"""The ZigZag-compatible loader against ZigZag 3.9.1's own parser, file by file, field by field.

ZigZag's bundled hardware and mapping files are read from the installed `zigzag` package; the two YAML workloads
(not shipped in the wheel) from `tests/data/zigzag_workloads/`. Malformed inputs must give one `InputError` that
names the file, the key path and the rule.
"""

from __future__ import annotations

import copy
import importlib.util
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from zigzag_opt.errors import InputError
from zigzag_opt.hardware import Accelerator, Direction, MemOperand, Memory
from zigzag_opt.io.zigzag_compat import (
    detect_zigzag_kind,
    load_zigzag_accelerator,
    load_zigzag_mapping,
    load_zigzag_workload,
)
from zigzag_opt.mapping import DEFAULT_LINKS, MappingSpec
from zigzag_opt.workload import Layer, LayerKind, Network, Operand, Relevance


def _zigzag_inputs() -> Path | None:
    """ZigZag's bundled inputs, located without importing zigzag (it is an optional dependency)."""
    spec = importlib.util.find_spec("zigzag")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "inputs"


ZZ_INPUTS = _zigzag_inputs()
HARDWARE = sorted((ZZ_INPUTS / "hardware").glob("*.yaml")) if ZZ_INPUTS else []
MAPPINGS = sorted((ZZ_INPUTS / "mapping").glob("*.yaml")) if ZZ_INPUTS else []
WORKLOADS = sorted((Path(__file__).parents[1] / "data" / "zigzag_workloads").glob("*.yaml"))
needs_zigzag = pytest.mark.skipif(ZZ_INPUTS is None, reason="zigzag-dse is not installed")


def _ids(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


@needs_zigzag
def test_all_bundled_inputs_are_found() -> None:
    assert len(HARDWARE) >= 11
    assert len(MAPPINGS) >= 14
    assert _ids(WORKLOADS) == ["gemm_layer.yaml", "resnet18.yaml"]


# ======================================================================================================
# ZigZag's side, built the way its parser stages build it
# ======================================================================================================


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def zz_accelerator(path: Path) -> tuple[Any, dict[str, Any]]:
    """ZigZag's accelerator and the normalised data it was built from (with the defaults filled in)."""
    from zigzag.parser.accelerator_factory import AcceleratorFactory
    from zigzag.parser.accelerator_validator import AcceleratorValidator

    validator = AcceleratorValidator(_read(path))
    data = validator.normalized_data
    assert validator.validate()
    return AcceleratorFactory(data).create(), data


def zz_mapping_data(path: Path) -> list[dict[str, Any]]:
    from zigzag.parser.mapping_validator import MappingValidator

    validator = MappingValidator(_read(path))
    data: list[dict[str, Any]] = validator.normalized_data
    assert validator.validate()
    return data


def zz_workload(path: Path) -> Any:
    from zigzag.parser.workload_factory import WorkloadFactory
    from zigzag.parser.workload_validator import WorkloadValidator

    assert ZZ_INPUTS is not None
    validator = WorkloadValidator(_read(path))
    data = validator.normalized_data
    assert validator.validate()
    return WorkloadFactory(data, zz_mapping_data(ZZ_INPUTS / "mapping" / "default.yaml")).create()


def _names(items: Any) -> set[str]:
    return {str(x) for x in items}


# ======================================================================================================
# Accelerators
# ======================================================================================================


@needs_zigzag
@pytest.mark.parametrize("path", HARDWARE, ids=_ids(HARDWARE))
def test_accelerator_matches_zigzag(path: Path) -> None:
    ours = load_zigzag_accelerator(path)
    theirs, normalised = zz_accelerator(path)
    assert ours.name == theirs.name
    assert len(ours.cores) == 1
    _compare_array(ours, theirs.operational_array)
    hierarchy = theirs.memory_hierarchy
    assert [m.name for m in ours.core.memories] == [lvl.name for lvl in hierarchy.mem_level_list]
    for mem, level in zip(ours.core.memories, hierarchy.mem_level_list, strict=True):
        _compare_memory(ours, mem, level)
        # ZigZag's MemoryInstance does not keep these two; its normalised input does.
        assert mem.mem_type == normalised["memories"][mem.name]["mem_type"]
        assert mem.auto_cost == normalised["memories"][mem.name]["auto_cost_extraction"]
    for op in MemOperand:
        expected = [lvl.name for lvl in hierarchy.get_memory_levels(_zz_mem_op(op))]
        assert [m.name for m in ours.core.levels(op)] == expected, op


def _zz_mem_op(op: MemOperand) -> Any:
    from zigzag.datatypes import MemoryOperand

    return MemoryOperand(op.value)


def _compare_array(ours: Accelerator, array: Any) -> None:
    pe = ours.core.pe_array
    assert {str(d): s for d, s in array.dimension_sizes.items()} == dict(zip(pe.dims, pe.sizes, strict=True))
    assert list(pe.dims) == [str(d) for d in array.dimension_sizes]
    assert set(pe.systolic_dims) == _names(array.systolic_dimensions)
    imc = ours.core.imc
    if imc is None:
        assert pe.mac_energy_pj == array.unit.energy_cost
        assert pe.mac_area == array.unit.area
        assert not hasattr(array, "is_aimc")
        return
    assert imc.is_analog == array.is_aimc
    assert (imc.act_bits, imc.weight_bits) == (array.activation_precision, array.weight_precision)
    assert imc.bit_serial_bits == array.bit_serial_precision
    assert imc.adc_bits == array.adc_resolution
    assert imc.cells_size_bits == array.cells_size
    assert imc.cells_area == array.cells_area
    assert imc.auto_cost == array.auto_cost_extraction


def _compare_memory(ours: Accelerator, mem: Memory, level: Any) -> None:
    from zigzag.hardware.architecture.memory_port import DataDirection

    inst = level.memory_instance
    assert mem.size_bits == inst.size
    assert (mem.read_energy_pj, mem.write_energy_pj, mem.area_mm2) == (inst.r_cost, inst.w_cost, inst.area)
    assert mem.latency_cycles == inst.latency
    assert mem.force_double_buffering == inst.force_double_buffering
    assert [str(o) for o in mem.operands] == [str(o) for o in level.operands]
    assert set(mem.served_dims) == _names(level.served_dimensions)
    assert ours.core.instances(mem) == level.unroll_count
    for op, lvl in level.mem_level_of_operands.items():
        assert ours.core.levels(MemOperand(str(op))).index(mem) == lvl
    # Every declared port, then the (operand, direction) pairs each one serves and the bandwidths they imply.
    declared = [(p.name, str(p.type), p.bw_min, p.bw_max) for p in inst.ports]
    assert [(p.name, str(p.type), p.bandwidth_min_bits, p.bandwidth_max_bits) for p in mem.ports] == declared
    theirs = {p.name: {(str(op), Direction[d.name]) for op, _, d in p.served_op_lv_dir} for p in level.ports}
    served = {p.name: {(str(op), d) for op, d in p.allocation} for p in mem.ports if p.allocation}
    assert served == theirs
    for op in mem.operands:
        for zz_dir in DataDirection:
            port = mem.port_for(op, Direction[zz_dir.name])
            zz_op = _zz_mem_op(op)
            assert (port.bandwidth_min_bits if port else None) == level.get_min_bandwidth(zz_op, zz_dir)
            assert (port.bandwidth_max_bits if port else None) == level.get_max_bandwidth(zz_op, zz_dir)


@needs_zigzag
def test_duplicated_ports_key_keeps_the_last() -> None:
    """tpu_like.yaml lists `ports:` twice under sram_2MB; as in PyYAML the second (the real ports) wins."""
    sram = load_zigzag_accelerator(HARDWARE[_ids(HARDWARE).index("tpu_like.yaml")]).core.memory("sram_2MB")
    assert [p.name for p in sram.ports] == ["r_port_1", "w_port_1"]


@needs_zigzag
def test_shared_operand_direction_goes_to_the_last_port() -> None:
    """generic_array_cacti's sram_32MB lists 'O, tl' on two read ports; ZigZag keeps the last, so do we."""
    sram = load_zigzag_accelerator(HARDWARE[_ids(HARDWARE).index("generic_array_cacti.yaml")]).core.memory("sram_32MB")
    port = sram.port_for(MemOperand.O, Direction.RD_OUT_TO_LOW)
    assert port is not None and port.name == "r_port_2"
    assert sram.port_for(MemOperand.I1, Direction.RD_OUT_TO_LOW) is sram.ports[0]


# ======================================================================================================
# Workloads
# ======================================================================================================


@needs_zigzag
@pytest.mark.parametrize("path", WORKLOADS, ids=_ids(WORKLOADS))
def test_workload_matches_zigzag(path: Path) -> None:
    ours = load_zigzag_workload(path)
    theirs = zz_workload(path)
    assert [layer.id for layer in ours.layers] == [node.id for node in theirs.layer_node_list]
    for layer, node in zip(ours.layers, theirs.layer_node_list, strict=True):
        _compare_layer(layer, node)
    assert [layer.equation for layer in ours.layers] == [entry["equation"] for entry in _read(path)]
    assert set(ours.edges) == {(a.id, b.id) for a, b in theirs.edges()}


def _compare_layer(layer: Layer, node: Any) -> None:
    assert (layer.name, layer.operator_type) == (node.name, node.type)
    assert dict(zip(layer.dims, layer.sizes, strict=True)) == {str(d): s for d, s in node.layer_dim_sizes.items()}
    precision = {str(op): bits for op, bits in node.operand_precision.data.items()}
    p = layer.precision
    assert precision == {"W": p.w_bits, "I": p.i_bits, "O": p.o_partial_bits, "O_final": p.o_final_bits}
    relations = [(str(r.dim_1), ((str(r.dim_2), r.coef_2), (str(r.dim_3), r.coef_3))) for r in node.dimension_relations]
    assert [(r.derived, r.terms) for r in layer.relations] == relations
    assert [str(o) for o in layer.constant_operands] == [str(o) for o in node.constant_operands]
    assert {str(o): s for o, s in layer.sources} == {str(o): s for o, s in node.input_operand_source.items()}
    assert {d: (b, e) for d, b, e in layer.padding} == {str(d): v for d, v in node.padding.data.items()}
    assert {str(d): layer.pr_total(str(d)) for d in node.pr_layer_dim_sizes.layer_dims} == {
        str(d): s for d, s in node.pr_layer_dim_sizes.items()
    }
    assert [str(o) for o in layer.operands()] == [str(o) for o in node.equation.get_contained_operands()]
    for op in layer.operands():
        zz_op = next(o for o in node.layer_operands if str(o) == op.value)
        assert list(layer.indices(op)) == [str(d) for d in node.equation.get_r_layer_dims(zz_op)]
        _compare_relevance(layer, op, node.loop_relevancy_info, zz_op)
        assert layer.tensor_elements(op) == node.operand_size_elem[zz_op]
    assert layer.mac_count == node.total_mac_count


def _compare_relevance(layer: Layer, op: Operand, info: Any, zz_op: Any) -> None:
    """ZigZag's r/ir/pr dims of an operand, over the loops of size > 1 (size-1 loops never matter)."""
    big = [d for d in layer.dims if layer.size(d) != 1]
    ours = {kind: {d for d in big if layer.relevance(op, d) is kind} for kind in Relevance}
    pr = {str(d) for pair in info.get_pr_layer_dims(zz_op).values() for d in pair}
    assert ours[Relevance.RELEVANT] == {str(d) for d in info.get_r_layer_dims(zz_op)} & set(big)
    assert ours[Relevance.IRRELEVANT] == {str(d) for d in info.get_ir_layer_dims(zz_op)} & set(big)
    assert ours[Relevance.PARTIAL] == pr & set(big)


def test_resnet18_details() -> None:
    net = load_zigzag_workload(WORKLOADS[_ids(WORKLOADS).index("resnet18.yaml")])
    assert len(net.layers) == 31
    first = net.layer(0)
    assert first.name == "example_name_of_layer0" and first.kind is LayerKind.CONV
    assert set(first.constant_operands) == {Operand.W, Operand.I} and first.sources == ()
    assert net.layer(1).name == "Layer1" and net.layer(1).kind is LayerKind.POOLING
    assert net.layer(1).precision.w_bits == 0
    add = net.layer(4)
    assert add.kind is LayerKind.ELEMENTWISE and add.constant_operands == ()
    assert dict(add.sources) == {Operand.W: 1, Operand.I: 3}
    assert net.predecessors(4) == (1, 3)
    assert net.name == "resnet18"


def test_gemm_layer_operand_order() -> None:
    (layer,) = load_zigzag_workload(WORKLOADS[_ids(WORKLOADS).index("gemm_layer.yaml")]).layers
    assert layer.operands() == (Operand.O, Operand.I, Operand.W)
    assert layer.indices(Operand.W) == ("D2", "D1")
    assert layer.kind is LayerKind.GEMM and layer.name == "Layer0"


# ======================================================================================================
# Mappings
# ======================================================================================================


@needs_zigzag
@pytest.mark.parametrize("path", MAPPINGS, ids=_ids(MAPPINGS))
def test_mapping_matches_zigzag(path: Path) -> None:
    from zigzag.parser.mapping_factory import MappingFactory

    specs = load_zigzag_mapping(path)
    data = zz_mapping_data(path)
    assert [s.name for s in specs] == [entry["name"] for entry in data]
    for spec in specs:
        factory = MappingFactory(spec.name, spec.name, data)
        _compare_spec(spec, factory)


def _compare_spec(spec: MappingSpec, factory: Any) -> None:
    unrolling = {
        str(oa): {str(d): f for d, f in single.items()} for oa, single in factory.create_spatial_mapping().data.items()
    }
    assert {oa: dict(pairs) for oa, pairs in spec.spatial.unrolling} == unrolling
    assert [oa for oa, _ in spec.spatial.unrolling] == list(unrolling)
    hints = {str(oa): _names(dims) for oa, dims in factory.create_spatial_mapping_hint().data.items()}
    assert {oa: set(dims) for oa, dims in spec.spatial.hints} == hints
    links = {str(op): str(mem) for op, mem in factory.create_memory_operand_links().data.items()}
    assert {str(op): str(mem) for op, mem in spec.operand_links} == links
    ordering = [(str(d), f) for d, f in factory.create_temporal_ordering().data]
    assert list(spec.temporal_ordering) == ordering


def test_mapping_details() -> None:
    if ZZ_INPUTS is None:
        pytest.skip("zigzag-dse is not installed")
    tpu = {s.name: s for s in load_zigzag_mapping(ZZ_INPUTS / "mapping" / "tpu_like.yaml")}
    layer0 = tpu["example_name_of_layer0"]
    assert layer0.temporal_ordering == (("OX", 112), ("OY", 112), ("FX", 7), ("FY", 7), ("K", 2))
    assert layer0.spatial.on("D1") == (("C", 32),) and layer0.operand_links == DEFAULT_LINKS
    (gemm,) = load_zigzag_mapping(ZZ_INPUTS / "mapping" / "gemm_l1.yaml")
    assert gemm.temporal_ordering == (("D1", None), ("D2", None), ("D0", None))
    mixed = {s.name: s for s in load_zigzag_mapping(ZZ_INPUTS / "mapping" / "tpu_like_mixed.yaml")}
    assert mixed["default"].spatial.on("D2") == (("C", 2), ("FX", 3), ("FY", 3))
    assert mixed["default"].spatial.hint("D2") == ("C", "FX", "FY")
    imc = {s.name: s for s in load_zigzag_mapping(ZZ_INPUTS / "mapping" / "default_imc.yaml")}
    assert imc["default"].spatial.unrolling == () and imc["Add"].spatial.hint("D1") == ("G",)


def test_temporal_marker_and_lower_case_dims() -> None:
    data = [{"name": "default", "temporal_ordering": [["k", 2], ["*", "*"], ["c", "*"]]}]
    (spec,) = load_zigzag_mapping(data)
    assert spec.temporal_ordering == (("K", 2), ("*", None), ("C", None))


# ======================================================================================================
# Kind detection
# ======================================================================================================


@needs_zigzag
@pytest.mark.parametrize(("paths", "kind"), [(HARDWARE, "accelerator"), (MAPPINGS, "mapping"), (WORKLOADS, "workload")])
def test_detect_kind(paths: list[Path], kind: str) -> None:
    for path in paths:
        assert detect_zigzag_kind(_read(path)) == kind, path.name


@pytest.mark.parametrize("data", [None, 3, "text", [], [1, 2], {"a": 1}, [{"id": 0}]])
def test_detect_kind_unknown(data: object) -> None:
    assert detect_zigzag_kind(data) is None


# ======================================================================================================
# Malformed inputs: one InputError naming the file, the key path and the rule
# ======================================================================================================


def _tpu_like() -> dict[str, Any]:
    if ZZ_INPUTS is None:
        pytest.skip("zigzag-dse is not installed")
    data: dict[str, Any] = _read(ZZ_INPUTS / "hardware" / "tpu_like.yaml")
    return data


def _write(tmp_path: Path, data: object, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _problems(exc: pytest.ExceptionInfo[InputError]) -> dict[str, str]:
    """key path → rule of every problem."""
    return {p.key_path: p.rule for p in exc.value.problems}


def _assert_reported(exc: pytest.ExceptionInfo[InputError], file: Path, key_path: str, rule: str) -> None:
    message = str(exc.value)
    assert file.name in message and key_path in message and rule in message, message
    assert any(p.key_path == key_path and rule in p.rule for p in exc.value.problems), message
    assert all(p.file == str(file) for p in exc.value.problems)


def test_unknown_key(tmp_path: Path) -> None:
    data = _tpu_like()
    data["memories"]["dram"]["colour"] = "blue"
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as exc:
        load_zigzag_accelerator(path)
    _assert_reported(exc, path, "memories.dram.colour", "unknown key")


def test_wrong_type(tmp_path: Path) -> None:
    data = _tpu_like()
    data["memories"]["sram_2MB"]["ports"][0]["bandwidth_min"] = "64"
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as exc:
        load_zigzag_accelerator(path)
    _assert_reported(exc, path, "memories.sram_2MB.ports[0].bandwidth_min", "must be an integer")


def test_bad_allocation_string(tmp_path: Path) -> None:
    data = _tpu_like()
    data["memories"]["sram_2MB"]["ports"][1]["allocation"][2] = "O fl"
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as exc:
        load_zigzag_accelerator(path)
    _assert_reported(exc, path, "memories.sram_2MB.ports[1].allocation[2]", "must match the pattern")
    assert "'I1, tl'" in exc.value.problems[0].accepted


def test_served_dimension_not_in_array(tmp_path: Path) -> None:
    data = _tpu_like()
    data["memories"]["dram"]["served_dimensions"] = ["D1", "D3"]
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as exc:
        load_zigzag_accelerator(path)
    _assert_reported(exc, path, "memories.dram.served_dimensions", "served dimension")
    assert exc.value.problems[0].value == "D3"


def test_memory_operand_missing(tmp_path: Path) -> None:
    """No memory holds the weights (I2): ZigZag would fail later; the core reports it."""
    data = _tpu_like()
    del data["memories"]["rf_128B"]
    dram = data["memories"]["dram"]
    dram["operands"] = ["I1", "O"]
    dram["ports"][0]["allocation"] = [a for a in dram["ports"][0]["allocation"] if not a.startswith("I2")]
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as exc:
        load_zigzag_accelerator(path)
    _assert_reported(exc, path, "memories", "operand I2 is served by no memory")


def test_allocation_of_an_operand_not_held(tmp_path: Path) -> None:
    data = _tpu_like()
    data["memories"]["rf_128B"]["ports"][0]["allocation"].append("I1, tl")
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as exc:
        load_zigzag_accelerator(path)
    _assert_reported(exc, path, "memories.rf_128B.ports[0].allocation[1]", "does not hold")


def test_port_direction_and_bandwidth_rules(tmp_path: Path) -> None:
    data = _tpu_like()
    port = data["memories"]["sram_2MB"]["ports"][0]
    port["allocation"].append("I1, fh")  # a read port cannot write
    port["bandwidth_min"] = 4096  # above bandwidth_max
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as exc:
        load_zigzag_accelerator(path)
    problems = _problems(exc)
    assert "read port" in problems["memories.sram_2MB.ports[0].allocation[3]"]
    assert "must not exceed" in problems["memories.sram_2MB.ports[0].bandwidth_min"]


def test_all_problems_at_once(tmp_path: Path) -> None:
    data = _tpu_like()
    data["extra"] = 1
    del data["memories"]["dram"]["latency"]
    data["memories"]["rf_2B"]["ports"][0]["name"] = "port_one"
    data["memories"]["rf_2B"]["size"] = -16
    data["operational_array"]["sizes"] = [32, 0]
    data["operational_array"]["unit_energy"] = "cheap"
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as exc:
        load_zigzag_accelerator(path)
    problems = _problems(exc)
    assert problems["extra"] == "unknown key"
    assert problems["memories.dram.latency"] == "required key is missing"
    assert problems["memories.rf_2B.ports[0].name"].startswith("must match the pattern")
    assert problems["memories.rf_2B.size"] == "must be >= 1"
    assert problems["operational_array.sizes[1]"] == "must be >= 1"
    assert problems["operational_array.unit_energy"] == "must be a number"
    assert str(exc.value).startswith(f"{len(exc.value.problems)} problems:")


def test_non_finite_cost() -> None:
    data = _tpu_like()
    data["memories"]["dram"]["w_cost"] = math.inf
    with pytest.raises(InputError) as exc:
        load_zigzag_accelerator(data, file="tpu.yaml")
    assert _problems(exc)["memories.dram.w_cost"] == "must be a finite number"


def test_unknown_key_does_not_hide_other_rules() -> None:
    """An unknown key is reported, yet the memory is still built and its own rules still checked."""
    data = _tpu_like()
    data["memories"]["dram"]["colour"] = "blue"
    data["memories"]["dram"]["served_dimensions"] = ["D1", "D3"]
    with pytest.raises(InputError) as exc:
        load_zigzag_accelerator(data, file="tpu.yaml")
    assert _problems(exc) == {
        "memories.dram.colour": "unknown key",
        "memories.dram.served_dimensions": "a served dimension must be a dimension of the operational array",
    }


def test_costs_required_without_cacti(tmp_path: Path) -> None:
    data = _tpu_like()
    del data["memories"]["dram"]["r_cost"]
    data["memories"]["rf_2B"]["area"] = None
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as exc:
        load_zigzag_accelerator(path)
    problems = _problems(exc)
    assert "auto_cost_extraction" in problems["memories.dram.r_cost"]
    assert "auto_cost_extraction" in problems["memories.rf_2B.area"]


def test_auto_cost_extraction_leaves_costs_to_cacti() -> None:
    data = _tpu_like()
    dram = data["memories"]["dram"]
    for key in ("r_cost", "w_cost", "area"):
        del dram[key]
    dram["auto_cost_extraction"] = True
    mem = load_zigzag_accelerator(data).core.memory("dram")
    assert mem.auto_cost and mem.read_energy_pj == 0.0


def test_imc_rules(tmp_path: Path) -> None:
    if ZZ_INPUTS is None:
        pytest.skip("zigzag-dse is not installed")
    data = _read(ZZ_INPUTS / "hardware" / "dimc.yaml")
    data["operational_array"]["adc_resolution"] = 4
    data["memories"]["cells"]["served_dimensions"] = ["D1"]
    path = _write(tmp_path, data)
    with pytest.raises(InputError) as exc:
        load_zigzag_accelerator(path)
    problems = _problems(exc)
    assert "adc_resolution must be 0" in problems["operational_array.adc_resolution"]
    assert "serve no array dimension" in problems["memories.cells.served_dimensions"]
    del data["memories"]["cells"]
    with pytest.raises(InputError) as exc:
        load_zigzag_accelerator(data, file="dimc_no_cells.yaml")
    assert "needs a memory named 'cells'" in _problems(exc)["memories"]


def test_imc_settings_on_a_regular_array() -> None:
    data = _tpu_like()
    data["operational_array"]["bit_serial_precision"] = 2
    with pytest.raises(InputError) as exc:
        load_zigzag_accelerator(data, file="tpu.yaml")
    assert "is_imc is not true" in _problems(exc)["operational_array.bit_serial_precision"]


def test_not_a_mapping_and_bad_yaml(tmp_path: Path) -> None:
    with pytest.raises(InputError) as exc:
        load_zigzag_accelerator(_write(tmp_path, [1, 2]))
    assert "must be a mapping" in str(exc.value)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nmemories: [\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.yaml: YAML syntax error at line 3"):
        load_zigzag_accelerator(bad)
    with pytest.raises(InputError, match="file not found"):
        load_zigzag_accelerator(tmp_path / "missing.yaml")


# --- malformed workloads --------------------------------------------------------------------------------


def _gemm() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = _read(WORKLOADS[_ids(WORKLOADS).index("gemm_layer.yaml")])
    return data


def test_workload_problems(tmp_path: Path) -> None:
    data = _gemm()
    second = copy.deepcopy(data[0])
    second.update(id=1, loop_sizes=[128, "x", -3], operand_source={"I": 7, "W": 1}, stride=2)
    data.append(second)
    path = _write(tmp_path, data, "net.yaml")
    with pytest.raises(InputError) as exc:
        load_zigzag_workload(path)
    problems = _problems(exc)
    assert problems["[1].loop_sizes[1]"] == "must be an integer"
    assert problems["[1].stride"] == "unknown key"
    _assert_reported(exc, path, "[1].stride", "unknown key")


def test_workload_semantic_problems_are_placed(tmp_path: Path) -> None:
    """Problems found by `Layer` itself land under the layer's index, in this file."""
    data = _gemm()
    data[0]["equation"] = "O[d0][d1]+=I[d0][d2]*W[d2][d9]"
    data[0]["operand_precision"]["W"] = -8
    path = _write(tmp_path, data, "net.yaml")
    with pytest.raises(InputError) as exc:
        load_zigzag_workload(path)
    _assert_reported(exc, path, "[0].equation", "neither a loop dim nor a derived dim")
    _assert_reported(exc, path, "[0].operand_precision.W", ">= 0")


def test_negative_loop_size(tmp_path: Path) -> None:
    data = _gemm()
    data[0]["loop_sizes"] = [128, 128, -3]
    path = _write(tmp_path, data, "net.yaml")
    with pytest.raises(InputError) as exc:
        load_zigzag_workload(path)
    _assert_reported(exc, path, "[0].loop_sizes[2]", "must be >= 1")


def test_workload_source_must_exist(tmp_path: Path) -> None:
    data = _gemm()
    data[0]["operand_source"] = {"I": 7, "W": 0}
    path = _write(tmp_path, data, "net.yaml")
    with pytest.raises(InputError) as exc:
        load_zigzag_workload(path)
    _assert_reported(exc, path, "[0].operand_source.I", "does not exist")


def test_workload_equation_and_relation_problems() -> None:
    data = _gemm()
    data[0]["equation"] = "O[d0][d1]+=A[d0][d2]*B[d2][d1]"
    data[0]["dimension_relations"] = ["ix=s*ox+fx"]
    del data[0]["operand_precision"]["W"]
    data[0]["operator_type"] = "Softmax"
    with pytest.raises(InputError) as exc:
        load_zigzag_workload(data, file="gemm.yaml")
    problems = _problems(exc)
    assert "named W and I" in problems["[0].equation"]
    assert problems["[0].dimension_relations[0]"] == "not a dimension relation"
    assert problems["[0].operand_precision.W"] == "required key is missing"
    assert problems["[0].operator_type"] == "value not allowed"
    assert all(p.file == "gemm.yaml" for p in exc.value.problems)


def test_workload_padding_needs_pr_dims() -> None:
    data = _read(WORKLOADS[_ids(WORKLOADS).index("resnet18.yaml")])[:1]
    data[0]["padding"] = [[3, 3], [3, 3]]
    with pytest.raises(InputError) as exc:
        load_zigzag_workload(data)
    assert "one entry per pr_loop_dims" in _problems(exc)["[0].padding"]
    data[0].update(pr_loop_dims=["ix", "iy"], pr_loop_sizes=[224, 224])
    (layer,) = load_zigzag_workload(data).layers
    assert layer.padding == (("IX", 3, 3), ("IY", 3, 3))
    assert layer.pr_total("IX") == 224


def test_workload_duplicate_ids() -> None:
    data = _gemm()
    data.append(copy.deepcopy(data[0]))
    with pytest.raises(InputError) as exc:
        load_zigzag_workload(data)
    assert "unique" in _problems(exc)["[1].id"]


def test_workload_cycle() -> None:
    data = _gemm()
    second = copy.deepcopy(data[0])
    second["id"] = 1
    second["operand_source"] = {"I": 0, "W": 1}
    data[0]["operand_source"] = {"I": 1, "W": 0}
    data.append(second)
    with pytest.raises(InputError) as exc:
        load_zigzag_workload(data, file="loop.yaml")
    assert "acyclic" in _problems(exc)["operand_source"]


def test_workload_top_level() -> None:
    with pytest.raises(InputError, match="must be a list"):
        load_zigzag_workload({"id": 0})  # type: ignore[arg-type]
    with pytest.raises(InputError, match="at least one layer"):
        load_zigzag_workload([])


# --- malformed mappings ---------------------------------------------------------------------------------


def test_mapping_problems(tmp_path: Path) -> None:
    data = [
        {
            "name": "default",
            "spatial_mapping": {"D1": ["K,32"], "D5": ["C, 2"], "D2": ["C, 2", "C, 4"]},
            "memory_operand_links": {"O": "O", "W": "I1", "I": "I1"},
            "temporal_ordering": [["K", 0], ["C"], ["*", 4], ["FX", "all"]],
        },
        {"name": "Add", "colour": "red"},
    ]
    path = _write(tmp_path, data, "map.yaml")
    with pytest.raises(InputError) as exc:
        load_zigzag_mapping(path)
    problems = _problems(exc)
    assert problems["[0].spatial_mapping.D1[0]"].startswith("must match the pattern")
    assert problems["[0].spatial_mapping.D5"] == "unknown key"
    assert "at most once" in problems["[0].spatial_mapping.D2[1]"]
    assert "different memory operand" in problems["[0].memory_operand_links"]
    assert problems["[0].temporal_ordering[0][1]"] == "must be >= 1"
    assert "[dim, size] pair" in problems["[0].temporal_ordering[1]"]
    assert "'*' marker" in problems["[0].temporal_ordering[2]"]
    assert "integer or '*'" in problems["[0].temporal_ordering[3][1]"]
    assert problems["[1].colour"] == "unknown key"
    _assert_reported(exc, path, "[0].memory_operand_links", "different memory operand")


def test_mapping_needs_default() -> None:
    with pytest.raises(InputError) as exc:
        load_zigzag_mapping([{"name": "Conv"}], file="m.yaml")
    assert "named 'default'" in str(exc.value) and "m.yaml" in str(exc.value)


def test_mapping_links_must_be_memory_operands() -> None:
    with pytest.raises(InputError) as exc:
        load_zigzag_mapping([{"name": "default", "memory_operand_links": {"O": "O", "W": "W", "I": "I1"}}])
    assert _problems(exc)["[0].memory_operand_links.W"] == "value not allowed"


# ======================================================================================================
# Robustness: mutated inputs give an InputError or a valid object, never another exception
# ======================================================================================================

_JUNK: list[object] = [None, -1, 0, 1.5, True, "x", "D9", "I1, tl", [], ["K, 2"], {}, {"a": 1}, [[1, 2]], math.nan]


def _paths(data: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*prefix, i))
    return out


def _mutate(data: Any, path: tuple[object, ...], junk: object) -> Any:
    if not path:
        return copy.deepcopy(junk)
    data = copy.deepcopy(data)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = copy.deepcopy(junk)
    return data


def _robust(loader: Any, data: object) -> None:
    for path in _paths(data)[:: max(1, len(_paths(data)) // 150)]:
        for junk in _JUNK:
            try:
                loader(_mutate(data, path, junk))
            except InputError as exc:
                assert exc.problems and all(p.rule for p in exc.problems)


@needs_zigzag
def test_mutated_accelerators_never_crash() -> None:
    assert ZZ_INPUTS is not None
    for name in ("tpu_like.yaml", "aimc.yaml"):
        _robust(load_zigzag_accelerator, _read(ZZ_INPUTS / "hardware" / name))


@needs_zigzag
def test_mutated_mappings_never_crash() -> None:
    assert ZZ_INPUTS is not None
    _robust(load_zigzag_mapping, _read(ZZ_INPUTS / "mapping" / "tpu_like_mixed.yaml"))
    _robust(load_zigzag_mapping, _read(ZZ_INPUTS / "mapping" / "gemm_l1.yaml"))


def test_mutated_workloads_never_crash() -> None:
    data = _read(WORKLOADS[_ids(WORKLOADS).index("resnet18.yaml")])[:5]
    _robust(load_zigzag_workload, data)
    _robust(load_zigzag_workload, _gemm())


def test_loaded_objects_are_hashable() -> None:
    nets: list[Network] = [load_zigzag_workload(p) for p in WORKLOADS]
    assert len({hash(n) for n in nets}) == 2
