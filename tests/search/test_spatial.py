"""Spatial mapping generation.

ZigZag mode (`zigzag_spatial_mappings`) against ZigZag 3.9.1's own ``SpatialMappingGeneratorStage``: every bundled
hardware + mapping pair of ZigZag's test suite on every layer of resnet18.yaml and gemm_layer.yaml, with and
without mixing; seeded random cases built to hit every branch (partial, oversized and foreign-dim user mappings,
odd hints, shrunken memories and bandwidths that trigger the bandwidth and capacity limits); hand-made cases pinning
each quirk (with ZigZag's own answer checked when it is installed). Enumeration mode (`enumerate_spatial_mappings`):
legality, no duplicates, order, completeness against brute force, and ZigZag's picks included.

ZigZag's order is deterministic within a Python version (its dim hashes are SHA-512 based); no non-deterministic
ties were found, so every comparison is of ordered lists.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zigzag_opt import library
from zigzag_opt.errors import InfeasibleError, InputError
from zigzag_opt.hardware import Core
from zigzag_opt.io.zigzag_compat import load_zigzag_accelerator, load_zigzag_mapping, load_zigzag_workload
from zigzag_opt.mapping import MappingSpec, SpatialMapping, select_spec
from zigzag_opt.search.spatial import (
    _divisors,
    _set_order,
    enumerate_spatial_mappings,
    performance_indicator,
    utilisation,
    zigzag_max_unrolling,
    zigzag_name_hash,
    zigzag_spatial_mappings,
)
from zigzag_opt.workload import Layer

WORKLOADS = Path(__file__).resolve().parents[1] / "data" / "zigzag_workloads"
RESNET18 = WORKLOADS / "resnet18.yaml"
GEMM = WORKLOADS / "gemm_layer.yaml"

# (hardware, mapping) pairs of ZigZag's tests/main (the *_mixed and IMC ones run with mixing in ZigZag's API).
PAIRS = [
    ("tpu_like", "tpu_like"),
    ("tpu_like", "tpu_like_mixed"),
    ("edge_tpu_like", "edge_tpu_like"),
    ("edge_tpu_like", "edge_tpu_like_mixed"),
    ("ascend_like", "ascend_like"),
    ("ascend_like", "ascend_like_mixed"),
    ("meta_prototype", "meta_prototype_like"),
    ("meta_prototype", "meta_prototype_like_mixed"),
    ("tesla_npu_like", "tesla_npu_like"),
    ("tesla_npu_like", "tesla_npu_like_mixed"),
    ("gemm_l1", "gemm_l1"),
    ("gemm_l1_l3", "gemm_l1_l3"),
    ("aimc", "default_imc"),
    ("dimc", "default_imc"),
]


def _zigzag() -> Any:
    """The ZigZag-side helpers, or skip."""
    pytest.importorskip("zigzag")
    from zigzag_opt.testing import zigzag_spatial

    return zigzag_spatial


def _ours(
    layer: Layer, core: Core, specs: tuple[MappingSpec, ...], *, nb: int = 3, mix: bool = False, clip: bool = True
) -> list[Any]:
    spec = select_spec(specs, layer)
    assert spec is not None
    return [
        m.unrolling
        for m in zigzag_spatial_mappings(layer, core, spec, nb_mappings=nb, enable_mix=mix, limit_to_capacity=clip)
    ]


# ======================================================================================================
# ZigZag mode: differential against ZigZag itself
# ======================================================================================================


@pytest.mark.parametrize("mix", [False, True], ids=["plain", "mixed"])
@pytest.mark.parametrize(("hardware", "mapping"), PAIRS, ids=[f"{h}+{m}" for h, m in PAIRS])
def test_bundled_pairs_match_zigzag(hardware: str, mapping: str, mix: bool) -> None:
    zs = _zigzag()
    import zigzag

    inputs = Path(zigzag.__file__).parent / "inputs"
    core = load_zigzag_accelerator(inputs / "hardware" / f"{hardware}.yaml").core
    specs = load_zigzag_mapping(inputs / "mapping" / f"{mapping}.yaml")
    for path in (RESNET18, GEMM):
        raw = yaml.safe_load(path.read_text())
        for layer_data, layer in zip(raw, load_zigzag_workload(path).layers, strict=True):
            expected = zs.zigzag_spatial_mappings(hardware, layer_data, mapping, nb_mappings=3, enable_mix=mix)
            assert _ours(layer, core, specs, mix=mix) == expected, (path.name, layer.name)


def _random_case_matches(seed: int) -> bool:
    """Our answer for seeded random case `seed` equals ZigZag's (an error on both sides counts as equal); False
    when our loaders reject the case's files."""
    zs = _zigzag()
    case = zs.random_spatial_case(np.random.default_rng(seed))
    try:
        core = load_zigzag_accelerator(case.accelerator).core
        layer = load_zigzag_workload([case.layer]).layers[0]
        specs = load_zigzag_mapping(case.mapping)
    except InputError:
        return False
    try:
        expected: Any = case.zigzag()
    except (AssertionError, ZeroDivisionError) as exc:  # "No valid SpatialMappings found"; 0-wide bandwidth
        expected = type(exc)
    try:
        ours: Any = _ours(layer, core, specs, nb=case.nb_mappings, mix=case.enable_mix)
    except InfeasibleError:
        ours = expected if isinstance(expected, type) else InfeasibleError
    assert ours == expected, (seed, case)
    return True


def test_random_cases_match_zigzag() -> None:
    checked = sum(_random_case_matches(seed) for seed in range(150))
    assert checked >= 140


@pytest.mark.slow
def test_random_cases_match_zigzag_many() -> None:
    checked = sum(_random_case_matches(seed) for seed in range(150, 3150))
    assert checked >= 2900


# ======================================================================================================
# ZigZag mode: each quirk on a hand-made case (expected values are ZigZag's; re-checked when it is installed)
# ======================================================================================================


def _port(name: str, kind: str, bw: int, allocation: list[str]) -> dict[str, Any]:
    return {"name": name, "type": kind, "bandwidth_min": bw, "bandwidth_max": bw, "allocation": allocation}


def _memory(size: int, operands: list[str], served: list[str], ports: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "size": size,
        "r_cost": 1.0,
        "w_cost": 1.0,
        "area": 0,
        "latency": 1,
        "operands": operands,
        "ports": ports,
        "served_dimensions": served,
    }


def _demo_accelerator(weight_bits: int, weight_bandwidth: int = 64) -> dict[str, Any]:
    """An 8x8 array whose innermost weight memory serves both array dims (so its capacity and bandwidth limit the
    weight-relevant unrollings K and C); the other innermost memories serve nothing."""
    dram_alloc = ["I1, fh", "I1, tl", "I2, fh", "I2, tl", "O, fh", "O, tl", "O, fl", "O, th"]
    return {
        "name": "demo",
        "operational_array": {"unit_energy": 0.04, "unit_area": 1, "dimensions": ["D1", "D2"], "sizes": [8, 8]},
        "memories": {
            "rf_w": _memory(
                weight_bits,
                ["I2"],
                ["D1", "D2"],
                [
                    _port("r_port_1", "read", weight_bandwidth, ["I2, tl"]),
                    _port("w_port_1", "write", weight_bandwidth, ["I2, fh"]),
                ],
            ),
            "rf_o": _memory(
                16,
                ["O"],
                [],
                [_port("r_port_1", "read", 16, ["O, tl", "O, th"]), _port("w_port_1", "write", 16, ["O, fh", "O, fl"])],
            ),
            "rf_i": _memory(
                8, ["I1"], [], [_port("r_port_1", "read", 8, ["I1, tl"]), _port("w_port_1", "write", 8, ["I1, fh"])]
            ),
            "dram": _memory(
                10**10, ["I1", "I2", "O"], ["D1", "D2"], [_port("rw_port_1", "read_write", 64, dram_alloc)]
            ),
        },
    }


MATMUL = {
    "id": 0,
    "name": "mm",
    "operator_type": "Gemm",
    "equation": "O[b][k]+=W[k][c]*I[b][c]",
    "dimension_relations": [],
    "loop_dims": ["B", "K", "C"],
    "loop_sizes": [1, 8, 8],
    "operand_precision": {"W": 8, "I": 8, "O": 16, "O_final": 8},
    "operand_source": {"I": 0, "W": 0},
}

D = tuple[tuple[str, tuple[tuple[str, int], ...]], ...]


def _two(d1: tuple[tuple[str, int], ...], d2: tuple[tuple[str, int], ...]) -> D:
    return (("D1", d1), ("D2", d2))


QUIRKS: list[tuple[str, dict[str, Any], dict[str, Any], int, list[D]]] = [
    (
        # Capacity 16 weights. Picks (K8,C8) (K8,C4) (K4,C8) (K4,C4) (K8,C2) share the K8/C8 candidates: clipping the
        # first to K4·C4 turns K8 into K4 in the last one too, though K8·C2 = 16 would fit on its own.
        "shared candidates",
        _demo_accelerator(128),
        {"name": "default", "spatial_mapping_hint": {"D1": ["K"], "D2": ["C"]}},
        5,
        [_two((("K", 4),), (("C", 4),))] * 4 + [_two((("K", 4),), (("C", 2),))],
    ),
    (
        # Capacity 8 weights: K4·C4 shrinks [4,4] -> [2,3]; new factors looked up by old value: both become 3.
        "capacity lookup by value",
        _demo_accelerator(64),
        {"name": "default", "spatial_mapping": {"D1": ["K, 4"], "D2": ["C, 4"]}},
        3,
        [_two((("K", 3),), (("C", 3),))],
    ),
    (
        # D1 holds K4·C4 = 16 > 8: the first of the set {K, C} (K, by ZigZag's hash) is deleted, not the first listed.
        "array-dim reduction in set order",
        _demo_accelerator(10**6),
        {"name": "default", "spatial_mapping": {"D1": ["C, 4", "K, 4"], "D2": ["K, 4"]}},
        3,
        [_two((("C", 4),), (("K", 4),))],
    ),
    (
        # K totals 64 > 8: K is deleted from the first array dim of the set {D1, D2} (D1).
        "layer-dim reduction in set order",
        _demo_accelerator(10**6),
        {"name": "default", "spatial_mapping": {"D1": ["K, 8"], "D2": ["K, 8"]}},
        3,
        [_two((), (("K", 8),))],
    ),
    (
        # D2 fixed empty, D1 to fill, nothing hinted: every layer dim, divisors largest first, ties by position.
        "partial mapping, default hints",
        _demo_accelerator(10**6),
        {"name": "default", "spatial_mapping": {"D2": ["B, 1"]}},
        4,
        [
            (("D2", (("B", 1),)), ("D1", (("K", 8),))),
            (("D2", (("B", 1),)), ("D1", (("C", 8),))),
            (("D2", (("B", 1),)), ("D1", (("K", 4),))),
            (("D2", (("B", 1),)), ("D1", (("C", 4),))),
        ],
    ),
]


@pytest.mark.parametrize(("name", "accelerator", "entry", "nb", "expected"), QUIRKS, ids=[q[0] for q in QUIRKS])
def test_quirk(name: str, accelerator: dict[str, Any], entry: dict[str, Any], nb: int, expected: list[D]) -> None:
    core = load_zigzag_accelerator(accelerator).core
    layer = load_zigzag_workload([MATMUL]).layers[0]
    assert _ours(layer, core, load_zigzag_mapping([entry]), nb=nb) == expected
    try:
        zs = _zigzag()
    except pytest.skip.Exception:
        return
    assert zs.zigzag_spatial_mappings(accelerator, MATMUL, [entry], nb_mappings=nb) == expected


def test_without_sharing_the_last_pick_would_keep_k8() -> None:
    """The shared-candidate quirk matters: ranked before clipping, the fifth pick is K8·C2."""
    core = load_zigzag_accelerator(_demo_accelerator(128)).core
    layer = load_zigzag_workload([MATMUL]).layers[0]
    specs = load_zigzag_mapping([{"name": "default", "spatial_mapping_hint": {"D1": ["K"], "D2": ["C"]}}])
    assert _ours(layer, core, specs, nb=5, clip=False)[4] == _two((("K", 8),), (("C", 2),))


def test_bandwidth_below_precision_leaves_no_candidate() -> None:
    """A 4-bit weight port for 8-bit weights caps K and C at 0 (and B: a dim of size 1 is never "irrelevant" in
    ZigZag): no candidate, as ZigZag's assertion."""
    accelerator = _demo_accelerator(128, weight_bandwidth=4)
    entry = {"name": "default", "spatial_mapping_hint": {"D1": ["K"], "D2": ["C"]}}
    core = load_zigzag_accelerator(accelerator).core
    layer = load_zigzag_workload([MATMUL]).layers[0]
    assert zigzag_max_unrolling(layer, core) == {"D1": {"B": 0, "K": 0, "C": 0}, "D2": {"B": 0, "K": 0, "C": 0}}
    with pytest.raises(InfeasibleError):
        _ours(layer, core, load_zigzag_mapping([entry]))
    try:
        zs = _zigzag()
    except pytest.skip.Exception:
        return
    with pytest.raises(AssertionError, match="No valid SpatialMappings"):
        zs.zigzag_spatial_mappings(accelerator, MATMUL, [entry])


def test_only_in_degree_zero_memories_limit_bandwidth() -> None:
    """edge_tpu_like: rf_1B (weights, D3 D4, 8 b/cc) and rf_2B (outputs, D2, 16 b/cc) cap the unrollings of the
    dims relevant to their operand at 1. sram_2MB is innermost for I1 but also holds O above rf_2B, so it is not
    an inner memory: even narrowed to 8 b/cc it caps nothing."""
    core = library.load_accelerator("edge_tpu_like").core
    layer = load_zigzag_workload(RESNET18).layers[2]  # 3x3 conv, K = C = 64, OX = OY = 56
    caps = zigzag_max_unrolling(layer, core)
    assert caps["D1"] == {"B": 1, "K": 8, "C": 8, "OY": 8, "OX": 8, "FY": 3, "FX": 3}
    assert caps["D2"] == {"B": 1, "K": 1, "C": 8, "OY": 1, "OX": 1, "FY": 3, "FX": 3}
    assert caps["D3"] == {"B": 1, "K": 1, "C": 1, "OY": 4, "OX": 4, "FY": 1, "FX": 1}
    sram = core.memory("sram_2MB")
    ports = tuple(dataclasses.replace(p, bandwidth_min_bits=8, bandwidth_max_bits=8) for p in sram.ports)
    narrow = dataclasses.replace(sram, ports=ports)
    narrowed = dataclasses.replace(core, memories=tuple(narrow if m is sram else m for m in core.memories))
    assert zigzag_max_unrolling(layer, narrowed) == caps


def test_user_mapping_reduced_to_the_layer() -> None:
    """tpu_like's entry for resnet18's first layer: C32 on D1 is cut to the layer's 3; a complete mapping is
    returned as the single candidate."""
    core = library.load_accelerator("tpu_like").core
    layer = load_zigzag_workload(RESNET18).layers[0]
    assert _ours(layer, core, library.load_mapping("tpu_like")) == [_two((("C", 3),), (("K", 32),))]


def test_pinned_bundled_ranking() -> None:
    """tesla_npu_like_mixed on a 56x56 conv: OY and OX tie; ZigZag's hash order puts OY first."""
    core = library.load_accelerator("tesla_npu_like").core
    layer = load_zigzag_workload(RESNET18).layers[2]
    assert _ours(layer, core, library.load_mapping("tesla_npu_like_mixed"), mix=True) == [
        (("D1", (("K", 32),)), ("D2", (("OY", 32),)), ("D3", (("OX", 4),))),
        (("D1", (("K", 32),)), ("D2", (("OX", 32),)), ("D3", (("OY", 4),))),
        (("D1", (("K", 32),)), ("D2", (("OY", 2), ("OX", 16))), ("D3", (("OY", 4),))),
    ]


def test_input_errors() -> None:
    core = library.load_accelerator("tpu_like").core
    layer = load_zigzag_workload(RESNET18).layers[2]
    spec = MappingSpec(name="default", spatial=SpatialMapping.of({"D3": {"K": 4}}))
    with pytest.raises(InputError, match="array dimension the core does not have"):
        zigzag_spatial_mappings(layer, core, spec)
    with pytest.raises(InputError, match="nb_mappings"):
        zigzag_spatial_mappings(layer, core, MappingSpec(name="default"), nb_mappings=0)
    with pytest.raises(InputError, match="max_candidates"):
        enumerate_spatial_mappings(layer, core, max_candidates=0)


NAMES = ["K", "C", "OX", "OY", "FX", "FY", "B", "G", "D0", "D1", "D2", "IX", "Z"]


def test_dim_hashes_and_set_order_equal_zigzags() -> None:
    zs = _zigzag()
    from zigzag.datatypes import LayerDim, OADimension

    for name in NAMES:
        assert hash(zigzag_name_hash("LayerDim", name)) == zs.zigzag_dim_hash("LayerDim", name)
    for name in ("D1", "D2", "D3", "D4"):
        assert hash(zigzag_name_hash("OADimension", name)) == zs.zigzag_dim_hash("OADimension", name)
    rng = np.random.default_rng(0)
    for _ in range(200):
        names = [NAMES[i] for i in rng.permutation(len(NAMES))[: int(rng.integers(1, len(NAMES)))]]
        assert _set_order("LayerDim", tuple(names)) == tuple(str(d) for d in {LayerDim(n) for n in names})
        oa = [f"D{i}" for i in rng.permutation(4) + 1][: int(rng.integers(1, 5))]
        assert _set_order("OADimension", tuple(oa)) == tuple(str(d) for d in {OADimension(n) for n in oa})


# ======================================================================================================
# Helpers
# ======================================================================================================


def test_utilisation_and_indicator() -> None:
    core = library.load_accelerator("tpu_like").core
    sm = SpatialMapping.of({"D1": {"K": 16}, "D2": {"C": 4, "FX": 2}})
    assert utilisation(sm, core) == 128 / 1024
    assert performance_indicator(sm) == 128 + 128 / 16 - 1
    assert performance_indicator(SpatialMapping()) == 1.0


# ======================================================================================================
# Enumeration mode
# ======================================================================================================


def _layer(k: int, c: int, ox: int, fx: int) -> Layer:
    data = {
        "id": 0,
        "name": "conv",
        "operator_type": "Conv",
        "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]",
        "dimension_relations": ["ix=1*ox+1*fx", "iy=1*oy+1*fy"],
        "loop_dims": ["B", "K", "C", "OY", "OX", "FY", "FX"],
        "loop_sizes": [1, k, c, ox, ox, fx, fx],
        "operand_precision": {"W": 8, "I": 8, "O": 16, "O_final": 8},
        "operand_source": {"I": 0, "W": 0},
    }
    return load_zigzag_workload([data]).layers[0]


def _core(name: str, sizes: Sequence[int]) -> Core:
    core = library.load_accelerator(name).core
    return dataclasses.replace(core, pe_array=dataclasses.replace(core.pe_array, sizes=tuple(sizes)))


def _allowed(hints: Mapping[str, Sequence[str]], layer: Layer, oa: str) -> set[str]:
    names = hints.get(oa)
    if names is None or not any(n in layer.dims for n in names):
        return set(layer.dims)
    return set(names)


def _check_legal(result: list[SpatialMapping], layer: Layer, core: Core, hints: Mapping[str, Sequence[str]]) -> None:
    caps = zigzag_max_unrolling(layer, core)
    for sm in result:
        assert sm.oa_dims == core.pe_array.dims
        for oa, pairs in sm.unrolling:
            assert math.prod(f for _, f in pairs) <= core.pe_array.size(oa)
            assert len({d for d, _ in pairs}) == len(pairs)
            for dim, factor in pairs:
                assert 2 <= factor <= caps[oa][dim]
                assert dim in _allowed(hints, layer, oa)
        for dim in layer.dims:
            assert sm.total(dim) <= layer.size(dim)
    assert len({sm.unrolling for sm in result}) == len(result)
    macs = [sm.utilised_macs for sm in result]
    assert macs == sorted(macs, reverse=True)


def _canonical(unrolling: Any, layer: Layer, core: Core) -> Any:
    """ZigZag's pick in enumeration form: array dims in the core's order, factor-1 entries dropped, layer dims in
    the layer's order."""
    per_oa = dict(unrolling)
    return tuple(
        (oa, tuple(sorted(((d, f) for d, f in per_oa.get(oa, ()) if f != 1), key=lambda p: layer.dims.index(p[0]))))
        for oa in core.pe_array.dims
    )


HINT_DIMS = ["K", "C", "OX", "OY", "FX", "FY", "G"]
CORES = ["tpu_like", "edge_tpu_like", "meta_prototype", "tesla_npu_like", "eyeriss_like", "gemm_l1"]


@st.composite
def _problems(draw: st.DrawFn) -> tuple[Layer, Core, dict[str, list[str]]]:
    name = draw(st.sampled_from(CORES))
    ndims = len(library.load_accelerator(name).core.pe_array.dims)
    sizes = draw(st.lists(st.sampled_from([1, 2, 3, 4, 6, 8]), min_size=ndims, max_size=ndims))
    layer = _layer(
        draw(st.sampled_from([1, 2, 4, 6, 8])),
        draw(st.sampled_from([1, 3, 4, 8])),
        draw(st.sampled_from([1, 3, 5, 7, 8])),
        draw(st.sampled_from([1, 3])),
    )
    core = _core(name, sizes)
    oa_names = [*core.pe_array.dims, "D4"]
    hints = draw(
        st.dictionaries(st.sampled_from(oa_names), st.lists(st.sampled_from(HINT_DIMS), min_size=1, max_size=3))
    )
    return layer, core, hints


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_problems(), st.booleans())
def test_enumeration_legal_unique_ordered_and_contains_zigzags_picks(
    problem: tuple[Layer, Core, dict[str, list[str]]], mix: bool
) -> None:
    layer, core, hints = problem
    result = enumerate_spatial_mappings(layer, core, hints=hints)
    _check_legal(result, layer, core, hints)
    assert result[-1].utilised_macs == 1
    assert enumerate_spatial_mappings(layer, core, hints=hints, max_candidates=7) == result[:7]
    spec = MappingSpec(name="default", spatial=SpatialMapping(hints=tuple((oa, tuple(d)) for oa, d in hints.items())))
    picks = zigzag_spatial_mappings(layer, core, spec, nb_mappings=6, enable_mix=mix, limit_to_capacity=False)
    found = {sm.unrolling for sm in result}
    for pick in picks:
        assert _canonical(pick.unrolling, layer, core) in found


def _factor_rule(size: int, cap: int) -> list[int]:
    """The documented rule, restated: divisors of the layer dim up to the cap, and divisors of the cap."""
    return sorted({f for f in range(2, cap + 1) if size % f == 0 or cap % f == 0})


@pytest.mark.parametrize(
    ("name", "sizes", "shape"),
    [
        ("tpu_like", (4, 6), (6, 4, 3, 3)),
        ("edge_tpu_like", (4, 2, 3, 2), (4, 2, 3, 3)),
        ("tesla_npu_like", (8, 4, 2), (8, 1, 7, 1)),
        ("gemm_l1", (4, 4, 4), (4, 8, 2, 1)),
    ],
)
def test_enumeration_is_complete_on_small_problems(name: str, sizes: tuple[int, ...], shape: tuple[int, ...]) -> None:
    """Brute force over every (array dim, layer dim) factor in {1} ∪ the factor rule equals the enumeration."""
    layer, core = _layer(*shape), _core(name, sizes)
    caps = zigzag_max_unrolling(layer, core)
    cells = [(oa, d) for oa in core.pe_array.dims for d in layer.dims]
    choices = [[1, *_factor_rule(layer.size(d), caps[oa][d])] for oa, d in cells]
    expected = set()
    for factors in itertools.product(*choices):
        chosen = dict(zip(cells, factors, strict=True))
        per_oa = {oa: tuple((d, chosen[oa, d]) for d in layer.dims if chosen[oa, d] > 1) for oa in core.pe_array.dims}
        if any(math.prod(f for _, f in p) > core.pe_array.size(oa) for oa, p in per_oa.items()):
            continue
        if any(math.prod(chosen[oa, d] for oa in core.pe_array.dims) > layer.size(d) for d in layer.dims):
            continue
        expected.add(tuple(per_oa.items()))
    result = enumerate_spatial_mappings(layer, core)
    assert {sm.unrolling for sm in result} == expected
    assert len(result) == len(expected)


def test_enumeration_finds_better_than_zigzag_when_hints_are_loose() -> None:
    """On tpu_like a 3-channel first layer leaves ZigZag's fixed K32/C32 at 96 of 1024 MACs; the enumeration
    finds full-array unrollings."""
    core = library.load_accelerator("tpu_like").core
    layer = load_zigzag_workload(RESNET18).layers[0]
    best = enumerate_spatial_mappings(layer, core, max_candidates=3)
    assert [utilisation(sm, core) for sm in best] == [1.0, 1.0, 1.0]
    assert enumerate_spatial_mappings(layer, core, max_candidates=3, limit_bandwidth=False) == best


def test_enumeration_hints_forms_and_non_divisible_factors() -> None:
    core = _core("tpu_like", (5, 4))
    layer = _layer(8, 3, 7, 3)
    as_mapping = enumerate_spatial_mappings(layer, core, hints={"D1": ["K"], "D2": ["Z"]})
    as_pairs = enumerate_spatial_mappings(layer, core, hints=(("D1", ("K",)), ("D2", ("Z",))))
    assert as_mapping == as_pairs
    assert {dict(sm.on("D1")).get("K") for sm in as_mapping} == {None, 2, 4, 5}  # 5 fits, does not divide 8
    assert {d for sm in as_mapping for d, _ in sm.on("D2")} == {"K", "C", "OX", "OY", "FX", "FY"}  # hint dropped
    assert all(math.prod(f for _, f in sm.on("D1")) <= 5 for sm in as_mapping)


def test_divisors() -> None:
    assert _divisors(0) == []
    assert _divisors(1) == [1]
    assert _divisors(36) == [1, 2, 3, 4, 6, 9, 12, 18, 36]
    assert all(_divisors(n) == [d for d in range(1, n + 1) if n % d == 0] for n in range(1, 200))
