"""The IMC macro model (`cost.imc`): closed forms, ZigZag's own `ImcArray` and IMC cost model, its deliberate
deviations where ZigZag crashes, the validity rules, the integration into the cost model and its monotonicity."""

from __future__ import annotations

import copy
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zigzag_opt.cost import compile_problem, core_area, core_area_breakdown, evaluate_mappings, evaluate_one
from zigzag_opt.cost import imc as imc_model
from zigzag_opt.errors import InputError
from zigzag_opt.hardware.imc import ImcKind, ImcParams, imc_array_problems, imc_problems
from zigzag_opt.hardware.pe_array import PEArray
from zigzag_opt.library import load_accelerator
from zigzag_opt.mapping.spatial import SpatialMapping
from zigzag_opt.mapping.temporal import TemporalMapping
from zigzag_opt.workload.layer import DimRelation, Layer, LayerKind, Operand, Precision

REL = 1e-6
AIMC = ImcParams(kind=ImcKind.ANALOG, act_bits=8, weight_bits=8, bit_serial_bits=2, adc_bits=8, cells_size_bits=8)
DIMC = ImcParams(kind=ImcKind.DIGITAL, act_bits=8, weight_bits=8, bit_serial_bits=1, adc_bits=0, cells_size_bits=8)
ARRAY = PEArray(dims=("D1", "D2"), sizes=(128, 128), mac_energy_pj=0.0)
LATENCY_FIELDS = (
    "ideal_cycle",
    "ideal_temporal_cycle",
    "stall_slack_comb",
    "data_onloading",
    "data_offloading",
    "latency_total0",
    "latency_total1",
    "latency_total2",
)


def _close(ours: float, theirs: float) -> bool:
    return bool(ours == pytest.approx(theirs, rel=REL, abs=1e-12))


def _array(wl: int, bl: int, banks: int = 1) -> PEArray:
    dims: tuple[str, ...] = ("D1", "D2")
    sizes: tuple[int, ...] = (wl, bl)
    if banks > 1:
        dims, sizes = (*dims, "D3"), (*sizes, banks)
    return PEArray(dims=dims, sizes=sizes, mac_energy_pj=0.0)


def _conv(k: int = 16, c: int = 16, ox: int = 8, oy: int = 8, fx: int = 3, fy: int = 3, b: int = 1) -> Layer:
    return Layer(
        id=0,
        name="conv",
        kind=LayerKind.CONV,
        operator_type="Conv",
        dims=("B", "K", "C", "OY", "OX", "FY", "FX"),
        sizes=(b, k, c, oy, ox, fy, fx),
        operand_dims=(
            (Operand.O, ("B", "K", "OY", "OX")),
            (Operand.W, ("K", "C", "FY", "FX")),
            (Operand.I, ("B", "C", "IY", "IX")),
        ),
        relations=(
            DimRelation(derived="IX", terms=(("OX", 1), ("FX", 1))),
            DimRelation(derived="IY", terms=(("OY", 1), ("FY", 1))),
        ),
        precision=Precision(w_bits=8, i_bits=8, o_partial_bits=16, o_final_bits=8),
        constant_operands=(Operand.W,),
    )


# --------------------------------------------------------------------------------------------------------------
# Closed forms (reference §4.3) and ZigZag's own ImcArray
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "tclk", "area"),
    [("dimc", 3.75708, 0.8018113023999999), ("aimc", 14.07244, 2.2878123152749223)],
)
def test_bundled_tclk_and_area_match_the_closed_forms(name: str, tclk: float, area: float) -> None:
    core = load_accelerator(name).core
    assert core.imc is not None
    assert imc_model.tclk(core.imc, core.pe_array) == pytest.approx(tclk, rel=REL)
    assert imc_model.area(core.imc, core.pe_array) == pytest.approx(area, rel=REL)
    assert core_area(core) == pytest.approx(area, rel=REL)  # the bundled memories have no area


def test_closed_form_components() -> None:
    """The reference's per-component numbers (§4.3)."""
    d_t, d_a = imc_model.tclk_breakdown(DIMC, ARRAY), imc_model.area_breakdown(DIMC, ARRAY)
    assert (d_t["adders_regular"], d_t["accumulators"], d_t["mults"]) == pytest.approx((2.82976, 0.87952, 0.0478))
    assert (d_a["mults"], d_a["adders_regular"], d_a["accumulators"]) == pytest.approx(
        (0.080478, 0.696388, 0.024945), abs=1e-6
    )
    a_t, a_a = imc_model.tclk_breakdown(AIMC, ARRAY), imc_model.area_breakdown(AIMC, ARRAY)
    assert (a_t["adcs"], a_t["adders_pv"], a_t["accumulators"]) == pytest.approx((11.80672, 1.3384, 0.87952))
    assert (a_a["adcs"], a_a["adders_pv"], a_a["accumulators"]) == pytest.approx(
        (2.13471, 0.046589, 0.026030), abs=1e-5
    )


@pytest.mark.parametrize("name", ["aimc", "dimc"])
def test_against_zigzags_imc_array_from_its_installed_yaml(name: str) -> None:
    zigzag = pytest.importorskip("zigzag")
    from zigzag_opt.io.zigzag_compat import load_zigzag_accelerator
    from zigzag_opt.testing.zigzag_oracle import load_accelerator as zigzag_accelerator

    path = Path(zigzag.__file__).parent / "inputs" / "hardware" / f"{name}.yaml"
    core = load_zigzag_accelerator(path).core
    theirs = zigzag_accelerator(path).operational_array
    assert core.imc is not None
    assert imc_model.tclk(core.imc, core.pe_array) == pytest.approx(theirs.tclk, rel=REL)
    assert imc_model.area(core.imc, core.pe_array) == pytest.approx(theirs.area, rel=REL)
    for ours, zz in (
        (imc_model.tclk_breakdown(core.imc, core.pe_array), theirs.tclk_breakdown),
        (imc_model.area_breakdown(core.imc, core.pe_array), theirs.area_breakdown),
        (imc_model.peak_cycle_energy_breakdown(core.imc, core.pe_array), theirs.get_peak_energy_single_cycle()),
    ):
        assert set(ours) == set(zz)
        assert all(_close(ours[k], zz[k]) for k in ours), (ours, zz)
    peak = imc_model.peak_performance(core.imc, core.pe_array)
    assert (peak.tops, peak.tops_per_w, peak.tops_per_mm2) == pytest.approx(
        (theirs.tops_peak, theirs.topsw_peak, theirs.topsmm2_peak), rel=REL
    )
    assert core_area(core) == pytest.approx(theirs.area, rel=REL)


# --------------------------------------------------------------------------------------------------------------
# Differential: ZigZag's IMC cost model on random (layer, IMC parameters, mapping) triples
# --------------------------------------------------------------------------------------------------------------


def _compare_triple(triple: Any) -> list[str]:
    from zigzag_opt.testing.random_imc import convert_imc_triple
    from zigzag_opt.testing.zigzag_oracle import result_from_cme

    cme = triple.cme()
    oracle = result_from_cme(cme)
    c = convert_imc_triple(triple)
    assert c.core.imc is not None
    prob = compile_problem(c.layer, c.core, c.spatial, c.links)
    res = evaluate_mappings(prob, [c.temporal])
    report = evaluate_one(c.layer, c.core, c.spatial, c.temporal, c.links)
    ours: dict[str, float] = {
        "energy_total": float(res.energy[0]),
        "mac_energy": float(res.mac_energy),
        "mem_energy": float(res.mem_energy[0]),
        "ideal_cycle": prob.ideal_cycle,
        "ideal_temporal_cycle": float(res.parts.ideal_temporal[0]),
        "stall_slack_comb": float(res.parts.stall_slack[0]),
        "data_onloading": float(res.parts.onloading[0]),
        "data_offloading": float(res.parts.offloading[0]),
        "latency_total0": float(res.parts.total0[0]),
        "latency_total1": float(res.parts.total1[0]),
        "latency_total2": float(res.parts.total2[0]),
        "tclk": imc_model.tclk(c.core.imc, c.core.pe_array),
        "area_total": core_area(c.core),
        "report.energy": report.energy_pj,
        "report.area": report.area_mm2,
        "report.tclk": report.tclk_ns or 0.0,
    }
    theirs: dict[str, float] = {
        "energy_total": oracle.energy_total,
        "mac_energy": oracle.mac_energy,
        "mem_energy": oracle.mem_energy,
        **{k: float(getattr(oracle, k)) for k in LATENCY_FIELDS},
        "tclk": cme.tclk,
        "area_total": cme.area_total,
        "report.energy": oracle.energy_total,
        "report.area": cme.area_total,
        "report.tclk": cme.tclk,
    }
    assert prob.imc_energy_breakdown_pj is not None
    for prefix, mine, zz in (
        ("energy.", prob.imc_energy_breakdown_pj, cme.mac_energy_breakdown),
        ("tclk.", imc_model.tclk_breakdown(c.core.imc, c.core.pe_array), cme.tclk_breakdown),
        ("area.", imc_model.area_breakdown(c.core.imc, c.core.pe_array), cme.imc_area_breakdown),
        ("report.imc_energy.", report.imc_energy_breakdown_pj, cme.mac_energy_breakdown),
    ):
        ours.update({prefix + k: v for k, v in mine.items()})
        theirs.update({prefix + k: float(v) for k, v in zz.items()})
    bad = [f"{k}: ours {ours[k]!r} zigzag {theirs.get(k)!r}" for k in ours if not _close(ours[k], theirs[k])]
    if not bool(res.valid[0]):
        bad.append("our evaluation marks a legal triple invalid")
    return bad


def _check(seed: int, n: int, **kwargs: Any) -> None:
    pytest.importorskip("zigzag")
    from zigzag_opt.testing.random_imc import random_imc_triples

    failures = []
    for i, triple in enumerate(random_imc_triples(seed, n, **kwargs)):
        bad = _compare_triple(triple)
        if bad:
            oa = triple.accelerator["operational_array"]
            failures.append(f"triple {i} ({oa}, {triple.layer['name']}, {triple.spatial}): {bad[:4]}")
    assert not failures, f"{len(failures)} mismatches against ZigZag:\n" + "\n".join(failures[:10])


@pytest.mark.parametrize("seed", range(4))
def test_against_zigzag_imc_cost_model(seed: int) -> None:
    """4 × 40 = 160 seeded random IMC triples (analog and digital, 2-D and banked arrays, diagonal mappings)."""
    _check(seed, 40)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(100, 110))
def test_against_zigzag_imc_cost_model_sweep(seed: int) -> None:
    """`make test-all`: 10 × 150 = 1500 more."""
    _check(seed, 150)


def test_random_imc_triples_are_deterministic_and_varied() -> None:
    pytest.importorskip("zigzag")
    from zigzag_opt.testing.random_imc import convert_imc_triple, random_imc_triples

    first = list(random_imc_triples(11, 60))
    assert first == list(random_imc_triples(11, 60))
    kinds, diagonal, banks, partial = set(), 0, 0, 0
    for t in first:
        c = convert_imc_triple(t)
        assert c.core.imc is not None
        kinds.add(c.core.imc.kind)
        m = imc_model.mapped_array(c.layer, c.spatial, c.core.pe_array)
        s = imc_model.structure(c.core.imc, c.core.pe_array)
        diagonal += m.diagonal
        banks += s.banks > 1
        partial += 1 < m.rows_total < s.bl_size
    assert kinds == {ImcKind.ANALOG, ImcKind.DIGITAL}
    assert diagonal and banks and partial


# --------------------------------------------------------------------------------------------------------------
# Deliberate deviations where ZigZag crashes (docs/deviations.md)
# --------------------------------------------------------------------------------------------------------------


def test_precharge_with_group_depth_above_one() -> None:
    """ZigZag raises on cells holding two weights; every other number of ours equals ZigZag's (its precharge term
    switched off), and our precharge is one precharge of every used cell group per macro activation."""
    pytest.importorskip("zigzag")
    from zigzag_opt.testing.random_imc import convert_imc_triple, random_imc_triples

    triples = list(random_imc_triples(21, 6, group_depth=2))
    with pytest.raises(AttributeError, match="data_elem_move_count"):
        problem = triples[0].problem()
        problem.cme(problem.temporal_mapping(triples[0].temporal))
    for triple in triples:
        assert not _compare_triple_except_precharge(triple)
        c = convert_imc_triple(triple)
        assert c.core.imc is not None and c.core.imc.group_depth == 2
        m = imc_model.mapped_array(c.layer, c.spatial, c.core.pe_array)
        tech = imc_model.TECH_28NM
        per_group = (tech.wl_cap + tech.bl_cap * 2) * tech.vdd**2 * c.core.imc.weight_bits
        expected = per_group * m.cols * m.rows_total * m.activations
        prob = compile_problem(c.layer, c.core, c.spatial, c.links)
        assert prob.imc_energy_breakdown_pj is not None
        assert prob.imc_energy_breakdown_pj["local_bl_precharging"] == pytest.approx(expected, rel=1e-12)
        assert expected > 0
        zz_energy = triple.evaluate().mac_energy
        assert prob.mac_energy_total_pj == pytest.approx(zz_energy + expected, rel=REL)


def _compare_triple_except_precharge(triple: Any) -> list[str]:
    """`_compare_triple` with our precharge removed from the totals (ZigZag's is switched off)."""
    from zigzag_opt.testing.random_imc import convert_imc_triple

    c = convert_imc_triple(triple)
    assert c.core.imc is not None
    no_precharge = replace(c.core.imc, cells_size_bits=c.core.imc.weight_bits)
    energy = imc_model.layer_energy_breakdown(c.core.imc, c.core.pe_array, c.layer, c.spatial)
    same = imc_model.layer_energy_breakdown(no_precharge, c.core.pe_array, c.layer, c.spatial)
    assert {k: v for k, v in energy.items() if k != "local_bl_precharging"} == {
        k: v for k, v in same.items() if k != "local_bl_precharging"
    }
    cme = triple.cme()
    bad = [
        f"{k}: ours {same[k]} zigzag {cme.mac_energy_breakdown[k]}"
        for k in same
        if not _close(same[k], cme.mac_energy_breakdown[k])
    ]
    prob = compile_problem(c.layer, c.core, c.spatial, c.links)
    res = evaluate_mappings(prob, [c.temporal])
    if not _close(float(res.energy[0]) - energy["local_bl_precharging"], cme.energy_total):
        bad.append(f"energy: ours {float(res.energy[0])} - precharge, zigzag {cme.energy_total}")
    if not _close(float(res.latency[0]), cme.latency_total2):
        bad.append(f"latency: ours {float(res.latency[0])} zigzag {cme.latency_total2}")
    return bad


def _diagonal_case(spatial: dict[str, dict[str, int]], layer: dict[str, Any]) -> Any:
    from zigzag_opt.testing.random_imc import ImcTriple
    from zigzag_opt.testing.zigzag_oracle import accelerator_data, prepare

    acc = copy.deepcopy(accelerator_data("aimc"))
    acc["memories"]["rf_1B"]["size"] = 128
    for port in acc["memories"]["rf_1B"]["ports"]:
        port["bandwidth_min"] = port["bandwidth_max"] = 64
    problem = prepare(acc, layer, spatial)
    assert problem.user_spatial_mapping() == spatial
    loops = list(problem.temporal_loops().items())
    levels = {op: len(names) for op, names in problem.memory_levels().items()}
    empty: list[tuple[str, int]] = []
    temporal = {op: [list(empty) for _ in range(n - 1)] + [loops] for op, n in levels.items()}
    return ImcTriple(accelerator=acc, layer=layer, spatial=spatial, temporal=temporal)


_CONV = {
    "id": 0,
    "name": "conv",
    "operator_type": "Conv",
    "equation": "O[b][k][oy][ox]+=W[k][c][fy][fx]*I[b][c][iy][ix]",
    "dimension_relations": ["ix=1*ox+1*fx", "iy=1*oy+1*fy"],
    "loop_dims": ["B", "K", "C", "OY", "OX", "FY", "FX"],
    "loop_sizes": [1, 8, 4, 4, 4, 3, 3],
    "operand_precision": {"W": 8, "I": 8, "O": 16, "O_final": 8},
    "operand_source": {"I": 0, "W": 0},
}
_GEMM = {
    "id": 0,
    "name": "gemm",
    "operator_type": "Gemm",
    "equation": "O[d0][d1]+=I[d0][d2]*W[d2][d1]",
    "dimension_relations": [],
    "loop_dims": ["D0", "D1", "D2"],
    "loop_sizes": [8, 8, 8],
    "operand_precision": {"W": 8, "I": 8, "O": 16, "O_final": 8},
    "operand_source": {"I": 0, "W": 0},
}


@pytest.mark.parametrize(
    ("layer", "spatial", "error", "rows"),
    [
        # OX on the wordline, one dim on the bitline: ZigZag indexes past a one-element list.
        (_CONV, {"D1": {"K": 4, "OX": 4}, "D2": {"FX": 3}}, IndexError, 3 + 4 - 1),
        # GEMM: D0 is weight-irrelevant but has no partner in an input relation: ZigZag raises KeyError.
        (_GEMM, {"D1": {"D1": 4, "D0": 2}, "D2": {"D2": 8}}, KeyError, 8),
    ],
)
def test_diagonal_mappings_zigzag_cannot_evaluate(
    layer: dict[str, Any], spatial: dict[str, dict[str, int]], error: type[Exception], rows: int
) -> None:
    """Where ZigZag's diagonal-row count crashes, ours applies the formula of its mixed case; the rest of the
    cost model is ZigZag's (checked with the rows ZigZag would use without the diagonal rule)."""
    pytest.importorskip("zigzag")
    from zigzag_opt.testing.random_imc import convert_imc_triple

    triple = _diagonal_case(spatial, layer)
    with pytest.raises(error):
        triple.cme()
    c = convert_imc_triple(triple)
    m = imc_model.mapped_array(c.layer, c.spatial, c.core.pe_array)
    assert m.diagonal and m.rows_total == rows and m.rows_adder == math.prod(spatial["D2"].values())


def test_zigzag_pairs_bitline_dims_in_set_order() -> None:
    """ZigZag's quirk, reproduced: under a mixed diagonal mapping it pairs the bitline dims in the iteration order
    of a set with the factors in mapping order. {FY: 2, FX: 3} with OX4 on the wordline: ZigZag iterates FX, FY,
    so FX gets 2 (+3 diagonal rows) and FY gets 3: 5 * 3 = 15 rows, not (3 + 3) * 2 = 12."""
    pytest.importorskip("zigzag")
    from zigzag_opt.testing.random_imc import convert_imc_triple

    assert imc_model.zigzag_set_order(["FY", "FX"]) == ["FX", "FY"]
    triple = _diagonal_case({"D1": {"K": 4, "OX": 4}, "D2": {"FY": 2, "FX": 3}}, _CONV)
    assert not _compare_triple(triple)
    c = convert_imc_triple(triple)
    assert imc_model.mapped_array(c.layer, c.spatial, c.core.pe_array).rows_total == 15


# --------------------------------------------------------------------------------------------------------------
# Validity rules
# --------------------------------------------------------------------------------------------------------------


def test_digital_bitline_must_be_a_power_of_two() -> None:
    arr = _array(128, 96)
    (problem,) = imc_array_problems(DIMC, arr.dims, arr.sizes)
    assert problem.key_path == "operational_array.sizes[1]" and problem.value == 96
    with pytest.raises(InputError, match="power of two"):
        imc_model.area(DIMC, arr)
    with pytest.raises(InputError, match="power of two"):
        imc_model.tclk(DIMC, arr)
    assert not imc_array_problems(AIMC, arr.dims, arr.sizes)  # the analog bitline has no adder tree
    assert imc_model.area(AIMC, arr) > 0


def test_imc_array_needs_two_dims() -> None:
    (problem,) = imc_array_problems(AIMC, ("D1",), (128,))
    assert "wordline and a bitline" in problem.rule


def test_cells_must_hold_a_weight() -> None:
    problems = imc_problems(replace(AIMC, cells_size_bits=4))
    assert [p.key_path for p in problems] == ["memories.cells.size"]
    assert "at least one weight" in problems[0].rule
    (multiple,) = imc_problems(replace(AIMC, cells_size_bits=12))
    assert multiple.accepted == "multiples of 8"
    assert not imc_problems(replace(AIMC, cells_size_bits=16))


def test_cacti_cell_area_is_unsupported() -> None:
    with pytest.raises(InputError, match="CACTI"):
        imc_model.area(replace(AIMC, auto_cost=True), ARRAY)


# --------------------------------------------------------------------------------------------------------------
# Integration and worked numbers
# --------------------------------------------------------------------------------------------------------------


def test_report_carries_the_imc_numbers() -> None:
    core = load_accelerator("dimc").core
    assert core.imc is not None
    layer = _conv()
    spatial = SpatialMapping.of({"D1": {"K": 16}, "D2": {"C": 16, "FX": 3}})
    prob = compile_problem(layer, core, spatial)
    assert prob.imc_energy_breakdown_pj is not None and prob.imc_energy_pj is not None
    assert prob.mac_energy_total_pj == pytest.approx(sum(prob.imc_energy_breakdown_pj.values()))
    temporal_loops = [(d, s) for d, s in prob.temporal_sizes.items() if s > 1]
    empty: list[tuple[str, int]] = []
    levels = {t.op: [list(empty) for _ in range(t.n_levels - 1)] + [temporal_loops] for t in prob.operands}
    report = evaluate_one(layer, core, spatial, TemporalMapping.from_levels(levels))
    assert report.mac_energy_pj == pytest.approx(prob.imc_energy_pj)
    assert report.tclk_ns == pytest.approx(3.75708)
    assert report.area_breakdown_mm2["pe_array"] == pytest.approx(0.8018113023999999)
    assert report.imc_area_breakdown_mm2 == imc_model.area_breakdown(core.imc, core.pe_array)
    d = report.to_dict()
    assert d["tclk_ns"] == report.tclk_ns
    assert d["imc"]["energy_breakdown_pj"] == prob.imc_energy_breakdown_pj
    assert set(d["imc"]["tclk_breakdown_ns"]) == set(imc_model.IMC_COMPONENTS)
    assert "IMC" in report.explain()
    digital = load_accelerator("tpu_like").core
    assert core_area_breakdown(digital)["pe_array"] == digital.pe_array.area


def test_dimc_energy_by_hand() -> None:
    """DIMC 128×128, bsp 1, K16 on the wordline and C16·FX3 = 48 rows: mults toggle the whole macro; the adder
    tree's 48 active inputs of 128 walk 64 (48 < 64: half 8 + 6), 32 (48 > 32: full 32·9 − 14 + 13, 16 left),
    16 (== 16: full 16·9 − 13, half 8 + 4)."""
    layer = _conv()
    m = imc_model.mapped_array(layer, SpatialMapping.of({"D1": {"K": 16}, "D2": {"C": 16, "FX": 3}}), ARRAY)
    assert (m.cols, m.rows_total, m.activations) == (16, 48, layer.mac_count / (16 * 48))
    t = imc_model.TECH_28NM
    full = (32 * 9 - 14 + 13) + (16 * 9 - 13)
    half = (8 + 6) + (8 + 4)
    tree = imc_model.regular_adder_tree_energy(8, 48, 128)
    assert tree == pytest.approx(full * t.fa_energy + half * t.fa_half_energy)
    e = imc_model.layer_energy_breakdown(DIMC, ARRAY, layer, SpatialMapping.of({"D1": {"K": 16}, "D2": {"C": 16}}))
    f = 8 * layer.mac_count / 256
    assert e["mults"] == pytest.approx(t.mult_energy * 8 * 128 * 128 * f)
    assert e["adders_regular"] == pytest.approx(imc_model.regular_adder_tree_energy(8, 16, 128) * 16 * f)
    assert e["accumulators"] == pytest.approx((t.fa_energy + t.dff_energy) * (8 + 7 + 8) * 16 * f)
    assert e["adcs"] == e["dacs"] == e["analog_bl_addition"] == e["local_bl_precharging"] == 0.0


@pytest.mark.parametrize("n", [1, 2, 3, 5, 64, 100, 127, 128, 200])
def test_adder_tree_walk_bounds(n: int) -> None:
    """The walk never exceeds the full tree and grows with the active inputs."""
    t = imc_model.TECH_28NM
    full = (128 * 9 - (8 + 7 + 1)) * t.fa_energy
    e = imc_model.regular_adder_tree_energy(8, n, 128)
    assert 0 < e <= full + 1e-15
    assert imc_model.regular_adder_tree_energy(8, 0, 128) == 0.0
    if n < 128:
        assert imc_model.regular_adder_tree_energy(8, n + 1, 128) >= e


# --------------------------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------------------------

_bits = st.sampled_from([1, 2, 4, 8, 16])
_pow2 = st.sampled_from([2, 4, 8, 16, 32, 64, 128, 256, 512])


@st.composite
def _imc(draw: st.DrawFn, kind: ImcKind | None = None) -> ImcParams:
    k = draw(st.sampled_from(list(ImcKind))) if kind is None else kind
    act, wp = draw(_bits), draw(_bits)
    bsp = draw(st.sampled_from([b for b in (1, 2, 4, 8, 16) if b <= act]))
    adc = draw(st.integers(1, 12)) if k is ImcKind.ANALOG else 0
    return ImcParams(
        kind=k,
        act_bits=act,
        weight_bits=wp,
        bit_serial_bits=bsp,
        adc_bits=adc,
        cells_size_bits=wp * draw(st.sampled_from([1, 2, 4])),
        cells_area=draw(st.sampled_from([0.0, 1e-6])),
    )


@settings(max_examples=150, deadline=None)
@given(_imc(), _pow2, _pow2, st.integers(1, 4), st.integers(1, 3))
def test_area_and_tclk_monotone_in_rows_and_columns(imc: ImcParams, wl: int, bl: int, banks: int, k: int) -> None:
    """More columns: more area, the same clock; more rows: no less area, no shorter clock."""
    base = _array(wl, bl, banks)
    wider, taller = _array(wl * 2**k, bl, banks), _array(wl, bl * 2**k, banks)
    assert imc_model.area(imc, wider) > imc_model.area(imc, base)
    assert imc_model.tclk(imc, wider) == pytest.approx(imc_model.tclk(imc, base), rel=1e-12)
    assert imc_model.area(imc, taller) >= imc_model.area(imc, base)
    assert imc_model.tclk(imc, taller) > imc_model.tclk(imc, base)
    assert imc_model.area(imc, _array(wl, bl, banks + 1)) > imc_model.area(imc, base)


@settings(max_examples=150, deadline=None)
@given(_imc(ImcKind.ANALOG), _pow2, _pow2, st.integers(1, 4))
def test_area_and_tclk_monotone_in_adc_resolution(imc: ImcParams, wl: int, bl: int, more: int) -> None:
    arr = _array(wl, bl)
    finer = replace(imc, adc_bits=imc.adc_bits + more)
    assert imc_model.area(finer, arr) > imc_model.area(imc, arr)
    assert imc_model.tclk(finer, arr) > imc_model.tclk(imc, arr)
    adc_area = [imc_model.adc_cost(b, bl)[0] for b in range(0, 16)]
    assert adc_area == sorted(adc_area)


@settings(max_examples=150, deadline=None)
@given(
    _imc(),
    st.sampled_from([16, 32, 64, 128]),
    st.sampled_from([16, 32, 64, 128]),
    st.sampled_from([1, 2, 4]),
    st.integers(2, 5),
    st.sampled_from(["B", "OY"]),
    st.booleans(),
)
def test_energy_scales_with_the_mac_count(
    imc: ImcParams, wl: int, bl: int, kf: int, scale: int, dim: str, diagonal: bool
) -> None:
    """For a fixed spatial mapping, multiplying a dim that is not unrolled multiplies every energy term."""
    arr = _array(wl, bl)
    wl_map = {"K": min(wl // 2, 16), "OX": 2} if diagonal else {"K": min(wl, 16)}
    spatial = SpatialMapping.of({"D1": wl_map, "D2": {"C": min(bl // 4, 16), "FX": kf}})
    sizes = {"k": 16, "c": 16, "ox": 4, "oy": 4, "fx": 4, "fy": 3, "b": 1}
    base = imc_model.layer_energy_breakdown(imc, arr, _conv(**sizes), spatial)
    sizes[dim.lower()] *= scale
    scaled = imc_model.layer_energy_breakdown(imc, arr, _conv(**sizes), spatial)
    assert base.keys() == scaled.keys()
    for key in base:
        assert scaled[key] == pytest.approx(base[key] * scale, rel=1e-12)
    assert sum(base.values()) > 0
    assert (base["local_bl_precharging"] > 0) == (imc.group_depth > 1)


def test_imc_mapping_rules_are_enforced() -> None:
    """Wordline (D1) unrolls output-relevant dims, bitline (D2) output-irrelevant ones; others are refused."""
    from zigzag_opt.cost import compile_problem
    from zigzag_opt.errors import InputError
    from zigzag_opt.library import load_accelerator
    from zigzag_opt.mapping import SpatialMapping
    from zigzag_opt.testing.factories import conv_layer

    core = load_accelerator("dimc").core
    layer = conv_layer(64, 64, 8, 8, 3, 3)
    compile_problem(layer, core, SpatialMapping.of({"D1": {"K": 64}, "D2": {"C": 32, "FX": 3}}))
    with pytest.raises(InputError) as err:
        compile_problem(layer, core, SpatialMapping.of({"D1": {"C": 64}, "D2": {"K": 64}}))
    message = str(err.value)
    assert "wordline" in message and "bitline" in message and "spatial_mapping.D1.C" in message
