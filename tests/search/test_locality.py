"""Inter-layer data locality (`plan_data_locality`) against ZigZag 3.9.1's own stages.

ZigZag's side is built as its API builds it, without the mapping search: the workload by ``WorkloadParserStage``
(with the mapping file, which gives each layer its operand links), the accelerator by ``AcceleratorParserStage``,
then ``SearchInterLayerDataLocalityStage``'s planning (``update_top_mem_level``) and, per layer,
``ExploitInterLayerDataLocalityStage``'s rebuilt accelerator. Compared per layer: the target levels, the sizes the
plan used, and the rebuilt hierarchy (memories, the operands each holds in order, and each remaining port with the
(operand, direction) pairs it carries, in order).
"""

from __future__ import annotations

import copy
import dataclasses
import importlib
import math
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from zigzag_opt.errors import InputError
from zigzag_opt.hardware import Core
from zigzag_opt.io.zigzag_compat import load_zigzag_accelerator, load_zigzag_mapping, load_zigzag_workload
from zigzag_opt.search.locality import core_for_layer, plan_data_locality, plan_levels

pytest.importorskip("zigzag")

DATA = Path(__file__).parents[1] / "data" / "zigzag_workloads"
RESNET18 = DATA / "resnet18.yaml"
PAIRS = [
    ("tpu_like", "tpu_like"),
    ("edge_tpu_like", "edge_tpu_like"),
    ("ascend_like", "ascend_like"),
    ("meta_prototype", "meta_prototype_like"),
    ("tesla_npu_like", "tesla_npu_like"),
]
Hierarchy = list[tuple[str, tuple[str, ...], tuple[tuple[str, tuple[tuple[str, str], ...]], ...]]]


def _zz(module: str) -> Any:
    return importlib.import_module(module)


def _inputs(kind: str, name: str | Path) -> Path:
    """A file bundled with ZigZag by name, or a given path."""
    if isinstance(name, Path):
        return name
    return Path(_zz("zigzag").__file__).parent / "inputs" / kind / f"{name}.yaml"


def _read(path: Path) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = _zz("zigzag.utils").open_yaml(str(path))
    return data


# --------------------------------------------------------------------------------------------------------------
# ZigZag's side
# --------------------------------------------------------------------------------------------------------------


def _leaf_class() -> Any:
    stage = _zz("zigzag.stages.stage").Stage

    class Leaf(stage):  # type: ignore[misc,valid-type]
        """Never run: only there so that the stages under test can be constructed."""

        def is_leaf(self) -> bool:
            return True

        def run(self) -> Any:
            yield from ()

    return Leaf


def _zigzag_hierarchy(accelerator: Any) -> Hierarchy:
    return [
        (
            m.name,
            tuple(str(op) for op in m.operands),
            tuple((p.name, tuple((str(op), d.name) for op, _, d in p.served_op_lv_dir)) for p in m.ports),
        )
        for m in accelerator.memory_hierarchy.mem_level_list
    ]


def zigzag_plan(
    workload: list[dict[str, Any]], hardware: str | Path, mapping: str, *, from_top: bool = False
) -> dict[str, Any]:
    """ZigZag's levels, sizes and per-layer rebuilt hierarchies for a workload (list of layer dicts)."""
    leaf = _leaf_class()
    parser = _zz("zigzag.stages.parser.workload_parser").WorkloadParserStage
    acc_parser = _zz("zigzag.stages.parser.accelerator_parser").AcceleratorParserStage
    stages = _zz("zigzag.stages.exploit_data_locality_stages")
    accelerator = acc_parser.parse_accelerator(str(_inputs("hardware", hardware)))
    mapping_path = str(_inputs("mapping", mapping))
    dnn = parser([leaf], workload=copy.deepcopy(workload), mapping=mapping_path).parse_workload()
    search = stages.SearchInterLayerDataLocalityStage([leaf], accelerator=accelerator, workload=dnn)
    search.update_top_mem_level()
    if from_top:
        search.update_mem_level_for_loading_data()
    hierarchies: dict[int, Hierarchy] = {}
    for layer in dnn.topological_sort():
        exploit = stages.ExploitInterLayerDataLocalityStage(
            [leaf],
            accelerator=accelerator,
            layer=layer,
            mem_update_list=search.mem_update_list,
            mem_update_weight=search.mem_update_weight,
        )
        hierarchies[layer.id] = _zigzag_hierarchy(exploit.generate_accelerator_with_removing_unused_memory())
    return {
        "levels": {lid: {str(op): lv for op, lv in d.items()} for lid, d in search.mem_update_list.items()},
        "weight_level": search.mem_update_weight,
        "weight_bits": search.weight_size_entire_workload,
        "io_bits": {lid: {str(op): b for op, b in d[0].items()} for lid, d in search.each_layer_io_data_size.items()},
        "hierarchies": hierarchies,
    }


# --------------------------------------------------------------------------------------------------------------
# Ours
# --------------------------------------------------------------------------------------------------------------


def _our_hierarchy(core: Core) -> Hierarchy:
    return [
        (
            m.name,
            tuple(str(op) for op in m.operands),
            tuple((port.name, tuple((str(op), d.name) for op, d in pairs)) for port, pairs in m.carried()),
        )
        for m in core.memories
    ]


def our_plan(
    workload: list[dict[str, Any]], hardware: str | Path, mapping: str, *, from_top: bool = False
) -> dict[str, Any]:
    network = load_zigzag_workload(copy.deepcopy(workload))
    core = load_zigzag_accelerator(_inputs("hardware", hardware)).core
    specs = load_zigzag_mapping(_inputs("mapping", mapping))
    plan = plan_levels(network, core, specs, workload_data_always_from_top_mem=from_top)
    cores = plan_data_locality(network, core, specs, workload_data_always_from_top_mem=from_top)
    return {
        "levels": {
            e.layer_id: {str(e.roles.act): e.act_level, str(e.roles.output): e.output_level} for e in plan.layers
        },
        "weight_level": plan.weight_level,
        "weight_bits": plan.network_weight_bits,
        "io_bits": {
            e.layer_id: {str(e.roles.act): e.act_bits, str(e.roles.output): e.output_bits} for e in plan.layers
        },
        "hierarchies": {lid: _our_hierarchy(c) for lid, c in cores.items()},
    }


def assert_same_plan(
    workload: list[dict[str, Any]], hardware: str | Path, mapping: str, *, from_top: bool = False
) -> None:
    expected = zigzag_plan(workload, hardware, mapping, from_top=from_top)
    got = our_plan(workload, hardware, mapping, from_top=from_top)
    for key in ("weight_bits", "io_bits", "levels", "weight_level"):
        assert got[key] == expected[key], key
    assert got["hierarchies"].keys() == expected["hierarchies"].keys()
    for lid, hierarchy in expected["hierarchies"].items():
        assert got["hierarchies"][lid] == hierarchy, f"layer {lid}"


# --------------------------------------------------------------------------------------------------------------
# Workload variants
# --------------------------------------------------------------------------------------------------------------

_SPATIAL = ("OY", "OX")
_CHANNELS = ("K", "C", "G")


def shrunk(
    workload: list[dict[str, Any]], spatial: int, channels: int, *, pool_weights: int = 0
) -> list[dict[str, Any]]:
    """Every layer with its OY/OX divided by `spatial` and K/C/G by `channels` (rounded up), so that more of
    the network fits on chip; pooling weights at `pool_weights` bits."""
    out = copy.deepcopy(workload)
    for layer in out:
        sizes = []
        for dim, size in zip(layer["loop_dims"], layer["loop_sizes"], strict=True):
            factor = spatial if dim in _SPATIAL else channels if dim in _CHANNELS else 1
            sizes.append(max(1, math.ceil(size / factor)))
        layer["loop_sizes"] = sizes
        if layer["operator_type"] == "Pooling":
            layer["operand_precision"]["W"] = pool_weights
    return out


def jittered(workload: list[dict[str, Any]], seed: int) -> list[dict[str, Any]]:
    """Each layer shrunk by its own random factors (seeded): layer sizes unrelated to their neighbours'."""
    rng = random.Random(seed)
    out = []
    for layer in workload:
        spatial, channels = rng.choice([1, 2, 4, 8]), rng.choice([1, 2, 4, 8, 16, 32])
        out.extend(shrunk([layer], spatial, channels, pool_weights=rng.choice([0, 8])))
    return out


def padded(workload: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Convolutions with a 3x3 kernel get a 1-pixel padding (and a given input extent for IX)."""
    out = copy.deepcopy(workload)
    for layer in out:
        sizes = dict(zip(layer["loop_dims"], layer["loop_sizes"], strict=True))
        if layer["operator_type"] == "Conv" and sizes.get("FX") == 3:
            layer["pr_loop_dims"] = ["IX", "IY"]
            layer["pr_loop_sizes"] = [sizes["OX"], sizes["OY"] + 2]
            layer["padding"] = [[1, 1], [1, 1]]
    return out


def single_sink_prefixes(workload: list[dict[str, Any]]) -> list[int]:
    """Lengths k for which the first k layers form a network with one output (ZigZag needs that)."""
    found = []
    for k in range(1, len(workload) + 1):
        ids = {layer["id"] for layer in workload[:k]}
        used = {src for layer in workload[:k] for src in layer["operand_source"].values() if src != layer["id"]}
        if len(ids - used) == 1:
            found.append(k)
    return found


# --------------------------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("hardware", "mapping"), PAIRS)
def test_resnet18_matches_zigzag(hardware: str, mapping: str) -> None:
    assert_same_plan(_read(RESNET18), hardware, mapping)


@pytest.mark.parametrize(("hardware", "mapping"), PAIRS)
@pytest.mark.parametrize(("spatial", "channels", "pool_weights"), [(4, 4, 0), (8, 16, 8), (2, 32, 0)])
def test_shrunk_resnet18_matches_zigzag(
    hardware: str, mapping: str, spatial: int, channels: int, pool_weights: int
) -> None:
    """Smaller layers: outputs and (all of) the network's weights come to fit on chip."""
    assert_same_plan(shrunk(_read(RESNET18), spatial, channels, pool_weights=pool_weights), hardware, mapping)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    ("hardware", "mapping"), [*PAIRS, ("aimc", "default_imc"), ("dimc", "default_imc"), ("eyeriss_like", "default")]
)
def test_jittered_resnet18_matches_zigzag(hardware: str, mapping: str, seed: int) -> None:
    assert_same_plan(jittered(_read(RESNET18), seed), hardware, mapping)


def test_weights_can_stay_on_chip() -> None:
    """A case where the network's weights fit below DRAM, in a memory serving all array dims."""
    workload = shrunk(_read(RESNET18), 8, 16)
    core = load_zigzag_accelerator(_inputs("hardware", "ascend_like")).core
    plan = plan_levels(load_zigzag_workload(workload), core, load_zigzag_mapping(_inputs("mapping", "ascend_like")))
    assert plan.weight_level < len(core.memories) - 1
    assert set(core.memories[plan.weight_level].served_dims) == set(core.pe_array.dims)


@pytest.mark.parametrize(("hardware", "mapping"), PAIRS[:2])
def test_padded_resnet18_matches_zigzag(hardware: str, mapping: str) -> None:
    assert_same_plan(padded(shrunk(_read(RESNET18), 4, 4)), hardware, mapping)


@pytest.mark.parametrize(("hardware", "mapping"), PAIRS[1:3])
def test_from_top_memory_option_matches_zigzag(hardware: str, mapping: str) -> None:
    assert_same_plan(shrunk(_read(RESNET18), 8, 8), hardware, mapping, from_top=True)


@pytest.mark.parametrize("k", [1, 2, 4, 5, 10])
def test_prefix_networks_match_zigzag(k: int) -> None:
    workload = _read(RESNET18)
    assert k in single_sink_prefixes(workload)
    assert_same_plan(shrunk(workload[:k], 4, 2), "edge_tpu_like", "edge_tpu_like")


@pytest.mark.parametrize(
    ("hardware", "mapping"), [("aimc", "default_imc"), ("dimc", "default_imc"), ("eyeriss_like", "default")]
)
def test_other_hardware_matches_zigzag(hardware: str, mapping: str) -> None:
    assert_same_plan(shrunk(_read(RESNET18), 4, 8), hardware, mapping)


def test_single_layer_with_two_constant_operands_matches_zigzag() -> None:
    assert_same_plan(_read(DATA / "gemm_layer.yaml"), "tpu_like", "tpu_like")


def _tpu_with_shared_sram(tmp_path: Path, served: list[str]) -> Path:
    """tpu_like whose 2 MB SRAM also holds the weights (operands listed as O, I2, I1), serving `served` dims."""
    data: dict[str, Any] = _zz("zigzag.utils").open_yaml(str(_inputs("hardware", "tpu_like")))
    sram = data["memories"]["sram_2MB"]
    sram["operands"] = ["O", "I2", "I1"]
    sram["ports"][0]["allocation"] = ["I2, tl", *sram["ports"][0]["allocation"]]
    sram["ports"][1]["allocation"] = [*sram["ports"][1]["allocation"], "I2, fh"]
    sram["served_dimensions"] = served
    path = tmp_path / "tpu_shared.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.parametrize("served", [["D1", "D2"], ["D2"]])
def test_adder_layers_lower_the_weight_level_without_weights_fitting(tmp_path: Path, served: list[str]) -> None:
    """Quirk: an Add layer holding its output and input in a memory that also holds the weight operand counts
    only its own data, yet lowers the network-wide weight level — if that memory serves all array dims."""
    hardware = _tpu_with_shared_sram(tmp_path, served)
    assert_same_plan(_read(RESNET18), hardware, "tpu_like")
    network = load_zigzag_workload(_read(RESNET18))
    core = load_zigzag_accelerator(hardware).core
    plan = plan_levels(network, core, load_zigzag_mapping(_inputs("mapping", "tpu_like")))
    sram = core.memories.index(core.memory("sram_2MB"))
    assert plan.network_weight_bits > core.memory("sram_2MB").size_bits
    assert plan.weight_level == (sram if served == ["D1", "D2"] else len(core.memories) - 1)


def test_rebuilt_memory_lists_operands_as_activation_weight_output(tmp_path: Path) -> None:
    hardware = _tpu_with_shared_sram(tmp_path, ["D1", "D2"])
    core = load_zigzag_accelerator(hardware).core
    cores = plan_data_locality(
        load_zigzag_workload(_read(RESNET18)), core, load_zigzag_mapping(_inputs("mapping", "tpu_like"))
    )
    assert [str(op) for op in core.memory("sram_2MB").operands] == ["O", "I2", "I1"]
    assert [str(op) for op in cores[0].memory("sram_2MB").operands] == ["I1", "I2", "O"]


def test_rebuilt_memory_keeps_only_remaining_ports() -> None:
    """tpu_like's DRAM keeps only the weight allocations of its shared port when I1 and O stay on chip."""
    workload = shrunk(_read(RESNET18), 8, 8)
    network = load_zigzag_workload(workload)
    core = load_zigzag_accelerator(_inputs("hardware", "tpu_like")).core
    cores = plan_data_locality(network, core, load_zigzag_mapping(_inputs("mapping", "tpu_like")))
    assert [str(op) for op in core.memory("dram").operands] == ["I1", "I2", "O"]
    dram = cores[30].memory("dram")  # the last layer: its input and output stay on chip
    assert [str(op) for op in dram.operands] == ["I2"]
    assert [op for port in dram.ports for op, _ in port.allocation] == ["I2", "I2"]
    assert cores[30].name == core.name + "-removing-nouse-mem"


def test_several_network_outputs_are_all_treated_as_last_layers() -> None:
    """ZigZag crashes on a second network output; we plan it like the last layer."""
    workload = shrunk(_read(RESNET18), 4, 4)[:11]
    assert 11 not in single_sink_prefixes(_read(RESNET18))
    network = load_zigzag_workload(workload)
    core = load_zigzag_accelerator(_inputs("hardware", "edge_tpu_like")).core
    specs = load_zigzag_mapping(_inputs("mapping", "edge_tpu_like"))
    cores = plan_data_locality(network, core, specs)
    assert set(cores) == {layer["id"] for layer in workload}
    plan = plan_levels(network, core, specs)
    for sink in (9, 10):
        entry = plan.levels(sink)
        assert core_for_layer(core, entry) == cores[sink]


def test_no_memory_for_the_output_is_an_input_error() -> None:
    """No memory holds both the output and the next activation and fits them: ZigZag's planning asserts."""
    core = load_zigzag_accelerator(_inputs("hardware", "tpu_like")).core
    mems = []
    for m in core.memories:
        if m.name == "sram_2MB":
            m = dataclasses.replace(m, size_bits=8)
        if m.name == "dram":
            ports = tuple(
                dataclasses.replace(p, allocation=tuple(a for a in p.allocation if a[0] != "O")) for p in m.ports
            )
            m = dataclasses.replace(m, operands=tuple(o for o in m.operands if o != "O"), ports=ports)
        mems.append(m)
    small = dataclasses.replace(core, memories=tuple(mems))
    network = load_zigzag_workload(_read(RESNET18)[:3])
    with pytest.raises(InputError, match="memory level"):
        plan_levels(network, small, load_zigzag_mapping(_inputs("mapping", "tpu_like")))
