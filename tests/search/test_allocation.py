"""`allocate_zigzag` against ZigZag 3.9.1's own LOMA MemoryAllocator.

Differential: on seeded random legal triples, the complete ordering of each triple is allocated by ZigZag (through
the oracle) and by us; the per-operand per-level loops must be identical (before and after ZigZag's stationary
merge-down), orderings ZigZag rejects must be rejected with the matching error, and the full evaluation (energy,
latency components) of our allocation must equal ZigZag's at rel 1e-6.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

import numpy as np
import pytest

from zigzag_opt.errors import MappingError
from zigzag_opt.hardware import MemOperand
from zigzag_opt.mapping import SpatialMapping
from zigzag_opt.search.allocation import (
    AllocationError,
    MemoryHierarchyTooSmallError,
    MemoryTooSmallError,
    allocate_zigzag,
    complete_ordering,
    try_allocate_zigzag,
)
from zigzag_opt.workload import Operand

pytest.importorskip("zigzag")

from zigzag_opt.cost import evaluate_one, evaluate_reference
from zigzag_opt.io.zigzag_compat import load_zigzag_accelerator, load_zigzag_workload
from zigzag_opt.testing.convert import convert_triple
from zigzag_opt.testing.random_triples import Triple, random_triple, random_triples
from zigzag_opt.testing.worked_cases import worked_case
from zigzag_opt.testing.zigzag_oracle import OracleProblem, accelerator_data, prepare

REL = 1e-6
SEEDS = (301, 302)
PER_SEED = 50  # 2 x 50 = 100 random orderings
EXCEPTIONS = {
    "MemoryTooSmallException": MemoryTooSmallError,
    "MemoryHierarchyTooSmallException": MemoryHierarchyTooSmallError,
}

Levels = dict[str, list[list[tuple[str, float]]]]


def _zigzag_allocation(problem: OracleProblem, ordering: list[tuple[str, int]]) -> Levels | str:
    """ZigZag's allocation (pre merge-down), or the name of the exception its allocator raised."""
    try:
        tm = problem.allocate(ordering)
    except Exception as exc:  # ZigZag's allocator exceptions derive from Exception only
        name = type(exc).__name__
        if name not in EXCEPTIONS:
            raise
        return name
    return {str(op): [[(str(d), float(s)) for d, s in lv] for lv in lvls] for op, lvls in tm.mapping_dic_origin.items()}


def _check_triple(triple: Triple) -> list[str]:
    """Every disagreement between ZigZag and us on one triple's ordering (empty when none)."""
    objs = convert_triple(triple)
    problem = prepare(triple.accelerator, triple.layer, triple.spatial, links=triple.links)
    theirs = _zigzag_allocation(problem, triple.ordering)
    tag = f"{triple.accelerator}/{triple.layer['name']} {triple.ordering}"
    if isinstance(theirs, str):
        with pytest.raises(EXCEPTIONS[theirs]):
            allocate_zigzag(objs.layer, objs.core, objs.spatial, triple.ordering, objs.links)
        return []
    ours = allocate_zigzag(objs.layer, objs.core, objs.spatial, triple.ordering, objs.links)
    mine = {str(op): [[(d, float(s)) for d, s in lv] for lv in ours.levels_of(op)] for op in objs.layer.operands()}
    if mine != theirs:
        return [f"{tag}: allocation ours {mine} zigzag {theirs}"]
    oracle = problem.evaluate_ordering(triple.ordering)
    ref = evaluate_reference(objs.layer, objs.core, objs.spatial, ours, objs.links)
    stationary = {
        str(op): [[(d, float(s)) for d, s in lv] for lv in lvls] for op, lvls in ref.stationary_levels.items()
    }
    oracle_stationary = {
        op: [[(d, float(s)) for d, s in lv] for lv in lvls] for op, lvls in oracle.stationary_levels.items()
    }
    bad = [] if stationary == oracle_stationary else [f"{tag}: stationary ours {stationary} zigzag {oracle_stationary}"]
    report = evaluate_one(objs.layer, objs.core, objs.spatial, ours, objs.links)
    pairs = {
        "energy": (report.energy_pj, oracle.energy_total),
        "latency": (report.latency_cycles, oracle.latency_total2),
        "stall_slack": (report.latency["stall_slack"], oracle.stall_slack_comb),
        "onloading": (report.latency["data_onloading"], oracle.data_onloading),
        "offloading": (report.latency["data_offloading"], oracle.data_offloading),
    }
    for key, (a, b) in pairs.items():
        if a != pytest.approx(b, rel=REL, abs=1e-9):
            bad.append(f"{tag}: {key} ours {a} zigzag {b}")
    return bad


@pytest.mark.parametrize("seed", SEEDS)
def test_allocation_equals_zigzag_on_random_orderings(seed: int) -> None:
    failures = [msg for triple in random_triples(seed, PER_SEED) for msg in _check_triple(triple)]
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures[:10])


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(400, 410))
def test_allocation_equals_zigzag_full_sweep(seed: int) -> None:
    failures = [msg for triple in random_triples(seed, 100) for msg in _check_triple(triple)]
    assert not failures, f"{len(failures)} mismatches:\n" + "\n".join(failures[:10])


def test_force_double_buffering_doubles_partial_slices() -> None:
    """ZigZag's `force_double_buffering` branch: a slice that leaves loops unallocated counts twice its size."""
    rng = np.random.default_rng(17)
    checked = 0
    for _ in range(25):
        triple = random_triple(rng, ["tpu_like", "edge_tpu_like", "ascend_like", "tesla_npu_like"])
        data: dict[str, Any] = copy.deepcopy(accelerator_data(triple.accelerator))
        for memory in data["memories"].values():
            memory["force_double_buffering"] = memory["size"] >= 8192  # not the tiny output registers
        problem = OracleProblem(data, triple.layer, triple.spatial, links=triple.links)
        theirs = _zigzag_allocation(problem, triple.ordering)
        core = load_zigzag_accelerator(data, file=triple.accelerator).core
        layer = load_zigzag_workload([triple.layer], file="triple").layers[0]
        spatial = SpatialMapping.of(triple.spatial)
        if isinstance(theirs, str):
            with pytest.raises(EXCEPTIONS[theirs]):
                allocate_zigzag(layer, core, spatial, triple.ordering)
            continue
        ours = allocate_zigzag(layer, core, spatial, triple.ordering)
        assert {str(op): [[(d, float(s)) for d, s in lv] for lv in ours.levels_of(op)] for op in layer.operands()} == (
            theirs
        )
        checked += 1
    assert checked >= 10


# ---- worked cases and small facts --------------------------------------------------------------------------------


def _worked(name: str) -> tuple[Any, Any, SpatialMapping, list[tuple[str, int]]]:
    case = worked_case(name)
    spec = case.accelerator_spec()
    data = spec if isinstance(spec, dict) else accelerator_data(spec)
    core = load_zigzag_accelerator(data, file=case.accelerator).core
    layer = load_zigzag_workload([case.layer], file=case.name).layers[0]
    return layer, core, SpatialMapping.of(case.spatial), case.ordering


def test_worked_case_a_allocation() -> None:
    layer, core, spatial, ordering = _worked("A")
    tm = allocate_zigzag(layer, core, spatial, ordering)
    assert tm.loops == tuple(ordering)
    # O: rf_2B holds FX FY (one psum), sram holds the rest; W fits its register file; I the sram
    assert tm.cuts_of(Operand.O) == (2, 5, 5)
    assert tm.cuts_of(Operand.W) == (5, 5)
    assert tm.cuts_of(Operand.I) == (5, 5)


def test_worked_case_c_moves_loops_to_dram() -> None:
    """The reference's case C: a 60 000-bit sram pushes K2 (for O) and C2 K2 (for I) up to the DRAM."""
    layer, core, spatial, ordering = _worked("C")
    tm = allocate_zigzag(layer, core, spatial, ordering)
    assert [lv for lv in tm.levels_of(Operand.O)][1:] == [(("OX", 8), ("OY", 8), ("C", 2)), (("K", 2),)]
    assert tm.levels_of(Operand.I)[-1] == (("C", 2), ("K", 2))


def test_memory_too_small_and_try_allocate() -> None:
    layer, core, spatial, ordering = _worked("A")
    sram = core.memory("sram_2MB")
    shrunk = dataclasses.replace(
        core, memories=tuple(dataclasses.replace(m, size_bits=64) if m is sram else m for m in core.memories)
    )
    with pytest.raises(MemoryTooSmallError) as info:
        allocate_zigzag(layer, shrunk, spatial, ordering)
    assert isinstance(info.value, AllocationError) and isinstance(info.value, MappingError)
    assert info.value.memory == "sram_2MB"
    assert try_allocate_zigzag(layer, shrunk, spatial, ordering) is None
    assert try_allocate_zigzag(layer, core, spatial, ordering) is not None


def test_top_memory_too_small_as_zigzag() -> None:
    """tpu_like with I1 topped at a 40 000-bit sram: I cannot take its last loops C2 K2; ZigZag raises too."""
    case = worked_case("C")
    data: dict[str, Any] = copy.deepcopy(accelerator_data("tpu_like"))
    data["memories"]["sram_2MB"]["size"] = 40_000
    dram = data["memories"]["dram"]
    dram["operands"] = ["I2", "O"]
    for port in dram["ports"]:
        port["allocation"] = [a for a in port["allocation"] if not a.startswith("I1")]
    assert _zigzag_allocation(OracleProblem(data, case.layer, case.spatial), case.ordering) == (
        "MemoryHierarchyTooSmallException"
    )
    core = load_zigzag_accelerator(data, file="tpu_like_small").core
    layer = load_zigzag_workload([case.layer], file=case.name).layers[0]
    with pytest.raises(MemoryHierarchyTooSmallError) as info:
        allocate_zigzag(layer, core, SpatialMapping.of(case.spatial), case.ordering)
    assert (info.value.memory, info.value.operand) == ("sram_2MB", Operand.I)


def test_complete_ordering() -> None:
    layer, core, spatial, ordering = _worked("A")
    assert complete_ordering(layer, core, spatial, ordering) == tuple(ordering)
    with_ones = [("B", 1), *ordering[:2], ("Q", 5), *ordering[2:]]
    assert complete_ordering(layer, core, spatial, with_ones) == (("B", 1), *ordering)  # unknown dims dropped
    split = [*ordering[:-1], ("K", 1), ("K", 2)]
    assert complete_ordering(layer, core, spatial, split) == tuple(split)
    assert complete_ordering(layer, core, spatial, [*ordering[:-1], ("K", None)]) is None
    assert complete_ordering(layer, core, spatial, ordering[:-1]) is None
    assert complete_ordering(layer, core, spatial, [*ordering, ("C", 2)]) is None


def test_shared_memory_operand_order_breaks_ties() -> None:
    """The memory's operand order decides the enumeration order, hence which of equal-cost combinations wins."""
    layer, core, spatial, ordering = _worked("B")
    tm = allocate_zigzag(layer, core, spatial, ordering)
    sram = core.memory("sram_2MB")
    assert sram.operands == (MemOperand.I1, MemOperand.O)
    assert tm.cuts_of(Operand.I)[0] == len(ordering)


# ---- the user spatial mapping as ZigZag reduces it ----------------------------------------------------------------


def test_zigzag_set_order_hashes_match_zigzag() -> None:
    """The stand-in keys hash like ZigZag's LayerDim / OADimension, so sets of them iterate alike."""
    import pickle

    datatypes = pytest.importorskip("zigzag.datatypes")
    from zigzag_opt.mapping.zigzag_order import LAYER_DIM, OA_DIM, _class_pickle, zigzag_set_order

    assert _class_pickle("zigzag.datatypes", "LayerDim") == pickle.dumps(datatypes.LayerDim)
    assert _class_pickle("zigzag.datatypes", "OADimension") == pickle.dumps(datatypes.OADimension)
    names = ("K", "C", "OY", "OX", "FY", "FX", "B", "G", "D0", "D1", "D2")
    assert list(zigzag_set_order(LAYER_DIM, names)) == [str(d) for d in {datatypes.LayerDim(n) for n in names}]
    oa = ("D1", "D2", "D3", "D4")
    assert list(zigzag_set_order(OA_DIM, oa)) == [str(d) for d in {datatypes.OADimension(n) for n in oa}]


def _random_spatial(rng: np.random.Generator, layer: Any, dims: tuple[str, ...]) -> dict[str, dict[str, int]]:
    spatial: dict[str, dict[str, int]] = {}
    for oa in dims:
        chosen = rng.choice(layer.dims, size=int(rng.integers(0, 3)), replace=False)
        spatial[oa] = {str(d): int(rng.integers(1, 80)) for d in chosen}
    return spatial


@pytest.mark.parametrize("seed", [11, 12])
def test_reduce_user_spatial_equals_zigzag(seed: int) -> None:
    """Random user spatial mappings (often over the array, layer, bandwidth and capacity limits) on random layers
    and accelerators: ZigZag's SpatialMappingGeneratorStage keeps exactly what `reduce_user_spatial` keeps."""
    from zigzag_opt.search.allocation import reduce_user_spatial
    from zigzag_opt.testing.random_triples import DIGITAL_ACCELERATORS, random_layer

    rng = np.random.default_rng(seed)
    compared = 0
    for _ in range(60):
        name = DIGITAL_ACCELERATORS[int(rng.integers(len(DIGITAL_ACCELERATORS)))]
        core = load_zigzag_accelerator(accelerator_data(name), file=name).core
        layer_data = random_layer(rng)
        layer = load_zigzag_workload([layer_data], file="random").layers[0]
        spatial = _random_spatial(rng, layer, core.pe_array.dims)
        ours = reduce_user_spatial(layer, core, SpatialMapping.of(spatial))
        if any(f < 1 for _, pairs in ours.unrolling for _, f in pairs):
            continue  # ZigZag limits an unrolling to 0 here and then fails (fixed_mapping reports it)
        theirs = prepare(name, layer_data, spatial).user_spatial_mapping()
        assert {oa: dict(pairs) for oa, pairs in ours.unrolling if pairs} == theirs, (name, spatial)
        compared += 1
    assert compared >= 50


def test_fixed_mapping_of_tpu_like_example() -> None:
    """ZigZag's tpu_like example entry: C32 is reduced to the layer's C3; the ordering is complete."""
    from zigzag_opt.library import load_accelerator, load_mapping
    from zigzag_opt.mapping import select_spec
    from zigzag_opt.search.allocation import fixed_mapping

    core = load_accelerator("tpu_like").core
    layer = load_zigzag_workload([dict(_RESNET_L0)], file="resnet18").layers[0]
    spec = select_spec(load_mapping("tpu_like"), layer)
    assert spec is not None and spec.name == "example_name_of_layer0"
    fixed = fixed_mapping(layer, core, spec)
    assert fixed.spatial.unrolling == (("D1", (("C", 3),)), ("D2", (("K", 32),)))
    assert fixed.temporal.cuts_of(Operand.O) == (0, 5, 5)


def test_fixed_mapping_needs_search() -> None:
    from zigzag_opt.library import load_accelerator
    from zigzag_opt.mapping import MappingSpec
    from zigzag_opt.search.allocation import SearchNeededError, fixed_mapping

    core = load_accelerator("tpu_like").core
    layer = load_zigzag_workload([dict(_RESNET_L0)], file="resnet18").layers[0]
    half = MappingSpec(name="default", spatial=SpatialMapping.of({"D1": {"K": 32}}))
    with pytest.raises(SearchNeededError, match="no spatial mapping for array dim"):
        fixed_mapping(layer, core, half)
    partial = MappingSpec(
        name="default",
        spatial=SpatialMapping.of({"D1": {"C": 32}, "D2": {"K": 32}}),
        temporal_ordering=(("OX", 112), ("OY", None)),
    )
    with pytest.raises(SearchNeededError, match="no complete temporal ordering") as info:
        fixed_mapping(layer, core, partial)
    assert "OX112 OY*" in info.value.reason and info.value.layer == layer.name


_RESNET_L0 = {
    "id": 0,
    "name": "example_name_of_layer0",
    "operator_type": "Conv",
    "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]",
    "dimension_relations": ["ix=2*ox+1*fx", "iy=2*oy+1*fy"],
    "loop_dims": ["B", "K", "C", "OY", "OX", "FY", "FX"],
    "loop_sizes": [1, 64, 3, 112, 112, 7, 7],
    "operand_precision": {"W": 8, "I": 8, "O": 16, "O_final": 8},
    "operand_source": {"I": 0, "W": 0},
}
