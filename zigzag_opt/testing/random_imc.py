"""Seeded random LEGAL (layer, IMC accelerator, mapping) triples in ZigZag's own terms, for differential tests of
the IMC macro model (`cost.imc`).

An accelerator is ZigZag's bundled ``aimc`` or ``dimc`` example with its IMC parameters redrawn: analog or digital,
array sizes (wordline, bitline and sometimes a third, bank dim), activation and weight precision, bit-serial
precision, ADC resolution, cell group size (a multiple of the weight precision: ``group_depth``) and area, and the
memory areas. The layer's operand precisions follow the macro's (W = weight bits, I = activation bits), so the
registers hold one element each as in the examples.

Spatial mappings follow the IMC structure (reference §4.1, the ``default_imc.yaml`` hints D1: K, D2: C/FX/FY):
weights are stationary in the cells; the wordline dim (the first array dim sorted by name, served by the input
register) unrolls dims relevant to both weight and output (K, G, GEMM's D1), so inputs are broadcast along it; the
bitline dim (served by the output register) unrolls weight-relevant, output-irrelevant dims (C, FX, FY, GEMM's D2),
which the adder tree or the analog bitline sums; a bank dim unrolls output-relevant dims. Sometimes a diagonal
mapping: OX/OY on the wordline next to a mixed bitline unrolling (the only diagonal form ZigZag 3.9.1 evaluates).

The temporal mapping is drawn as in `random_triples` (random ordering, random fitting memory allocation), and each
triple is one that ZigZag evaluates without error, uses unchanged and fits in every memory. ZigZag's precharge
term crashes when ``group_depth > 1``; those triples are checked with `zigzag_without_precharge`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any

import numpy as np

from zigzag_opt.hardware.memory import MemOperand
from zigzag_opt.io.zigzag_compat import load_zigzag_accelerator, load_zigzag_workload
from zigzag_opt.mapping.spatial import SpatialMapping
from zigzag_opt.mapping.temporal import TemporalMapping
from zigzag_opt.testing.convert import Converted
from zigzag_opt.testing.random_triples import (
    _fits,
    _max_unrolling,
    _pick,
    _random_allocation,
    _random_factor,
    _random_ordering,
    random_layer,
)
from zigzag_opt.testing.zigzag_oracle import (
    DEFAULT_LINKS,
    OracleProblem,
    OracleResult,
    accelerator_data,
    result_from_cme,
)
from zigzag_opt.workload.layer import Operand

__all__ = [
    "ImcTriple",
    "convert_imc_triple",
    "random_imc_accelerator",
    "random_imc_triple",
    "random_imc_triples",
    "zigzag_without_precharge",
]

Temporal = dict[str, list[list[tuple[str, int]]]]

_BITS = (2, 4, 8)
_POW2_SIZES = (4, 8, 16, 32, 64, 128, 256)
_ANY_SIZES = (*_POW2_SIZES, 12, 24, 48, 96, 100)


@dataclass(frozen=True)
class ImcTriple:
    """One legal IMC evaluation input. `accelerator`: a ZigZag hardware-YAML dict (memories innermost first);
    `layer`: a ZigZag workload-YAML layer dict; `spatial`: per OA dim the unrolled layer dims; `temporal`: per layer
    operand per memory level (innermost first) the loops, innermost first."""

    accelerator: dict[str, Any]
    layer: dict[str, Any]
    spatial: dict[str, dict[str, int]]
    temporal: Temporal
    links: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_LINKS))

    @property
    def group_depth(self) -> float:
        precision = self.accelerator["operational_array"]["input_precision"]
        return float(self.accelerator["memories"]["cells"]["size"]) / float(precision[1])

    def problem(self) -> OracleProblem:
        return OracleProblem(self.accelerator, self.layer, self.spatial, links=self.links)

    def cme(self) -> Any:
        """ZigZag's ``CostModelEvaluationForIMC`` (its precharge term disabled when group_depth > 1, where
        ZigZag's own code raises)."""
        problem = self.problem()
        if self.group_depth > 1:
            with zigzag_without_precharge():
                return problem.cme(problem.temporal_mapping(self.temporal))
        return problem.cme(problem.temporal_mapping(self.temporal))

    def evaluate(self) -> OracleResult:
        """ZigZag's numbers for this triple (see `cme`)."""
        return result_from_cme(self.cme())


@contextmanager
def zigzag_without_precharge() -> Iterator[None]:
    """Inside the block ZigZag's IMC local-bitline precharge term is 0 (``group_depth`` reported as 1).

    ZigZag 3.9.1 raises ``AttributeError`` in that term whenever cells hold more than one weight; this lets the
    differential tests compare every other number on such cores.
    """
    imc_unit: Any = import_module("zigzag.hardware.architecture.imc_unit").ImcUnit
    original = imc_unit.get_precharge_energy

    def no_precharge(self: Any, tech_param: Any, layer: Any, mapping: Any) -> tuple[float, float]:
        return 0.0, 1.0

    imc_unit.get_precharge_energy = no_precharge
    try:
        yield
    finally:
        imc_unit.get_precharge_energy = original


# --------------------------------------------------------------------------------------------------------------
# Accelerator
# --------------------------------------------------------------------------------------------------------------


def random_imc_accelerator(
    rng: np.random.Generator,
    *,
    analog: bool | None = None,
    group_depth: int = 1,
    banks: bool | None = None,
    wide_input_register: bool | None = None,
) -> dict[str, Any]:
    """A ZigZag IMC hardware dict with random macro parameters (see the module docstring).

    `analog`, `banks` (a third array dim), `wide_input_register` (an input register of 16 activations read 8 at
    a time, which lets ZigZag unroll OX/OY on the wordline: diagonal mappings): None draws them at random.
    `group_depth`: weights per cell group (ZigZag's precharge term crashes beyond 1).
    """
    is_analog = bool(rng.random() < 0.5) if analog is None else analog
    data = copy.deepcopy(accelerator_data("aimc" if is_analog else "dimc"))
    act, wp = int(_pick(rng, _BITS)), int(_pick(rng, _BITS))
    bsp = int(_pick(rng, [b for b in (1, 2, 4, 8) if b <= act]))
    wl = int(_pick(rng, _ANY_SIZES))
    bl = int(_pick(rng, _ANY_SIZES if is_analog else _POW2_SIZES))
    dims, sizes = ["D1", "D2"], [wl, bl]
    with_banks = bool(rng.random() < 0.25) if banks is None else banks
    if with_banks:
        dims.append("D3")
        sizes.append(int(_pick(rng, (2, 3, 4))))
    data["operational_array"].update(
        {
            "imc_type": "analog" if is_analog else "digital",
            "input_precision": [act, wp],
            "bit_serial_precision": bsp,
            "adc_resolution": int(rng.integers(1, 11)) if is_analog else 0,
            "dimensions": dims,
            "sizes": sizes,
        }
    )
    mems = data["memories"]
    cells = mems["cells"]
    cells["size"] = wp * group_depth
    cells["area"] = float(_pick(rng, (0.0, round(float(rng.uniform(1e-7, 2e-6)), 12))))
    for port in cells["ports"]:
        port["bandwidth_min"] = port["bandwidth_max"] = wp
    wide = bool(rng.random() < 0.3) if wide_input_register is None else wide_input_register
    rf_in = mems["rf_1B"]
    rf_in["size"] = act * 16 if wide else act
    for port in rf_in["ports"]:
        port["bandwidth_min"] = port["bandwidth_max"] = act * 8 if wide else act
    for name in ("rf_1B", "rf_2B", "sram_256KB", "dram"):
        mems[name]["area"] = round(float(rng.uniform(0.0, 0.5)), 6) if rng.random() < 0.7 else 0
    if with_banks:
        for name in ("sram_256KB", "dram"):
            mems[name]["served_dimensions"] = ["D1", "D2", "D3"]
    return data


# --------------------------------------------------------------------------------------------------------------
# Spatial mapping
# --------------------------------------------------------------------------------------------------------------


def _relevance_sets(problem: OracleProblem) -> tuple[set[str], set[str], set[str], dict[str, str]]:
    """(weight-relevant dims, output-relevant dims, weight-irrelevant dims, weight-irrelevant dim -> its partner
    in an input relation), layer dims of size 1 left out."""
    layer = problem.layer
    ops = {str(op): op for op in layer.layer_operands}
    info = layer.loop_relevancy_info
    w_r = {str(d) for d in info.get_r_layer_dims(ops["W"])}
    o_r = {str(d) for d in info.get_r_or_pr_layer_dims(ops["O"])}
    w_ir = {str(d) for d in info.get_ir_layer_dims(ops["W"])}
    partner: dict[str, str] = {}
    for a, b in info.get_pr_layer_dims(ops["I"]).values():
        if str(a) in w_ir:
            partner[str(a)] = str(b)
        elif str(b) in w_ir:
            partner[str(b)] = str(a)
    return w_r, o_r, w_ir, partner


def _unroll(
    rng: np.random.Generator,
    dims: Sequence[str],
    oa: str,
    budget: int,
    sizes: Mapping[str, int],
    used: dict[str, int],
    cap: Mapping[str, Mapping[str, int]],
) -> dict[str, int]:
    entry: dict[str, int] = {}
    for dim in dims:
        limit = min(cap[oa].get(dim, 1), budget, sizes[dim] // used[dim])
        if limit < 2:
            continue
        factor = _random_factor(rng, sizes[dim] // used[dim], limit)
        entry[dim] = factor
        used[dim] *= factor
        budget //= factor
    return entry


def _imc_spatial(rng: np.random.Generator, problem: OracleProblem) -> dict[str, dict[str, int]]:
    """A random IMC spatial mapping (module docstring): bitline first, then wordline, then banks."""
    oa_sizes = {str(d): int(s) for d, s in problem.accelerator.operational_array.dimension_sizes.items()}
    sizes = {str(d): int(s) for d, s in problem.layer.layer_dim_sizes.items()}
    cap = _max_unrolling(problem)
    w_r, o_r, w_ir, partner = _relevance_sets(problem)
    used = dict.fromkeys(sizes, 1)
    oa_order = sorted(oa_sizes)
    wl_oa, bl_oa = oa_order[0], oa_order[1]
    spatial: dict[str, dict[str, int]] = {}

    bl_cands = sorted(d for d in w_r - o_r if sizes[d] >= 2)
    n_bl = 2 if len(bl_cands) > 1 and rng.random() < 0.5 else 1
    bl_dims = [bl_cands[int(i)] for i in rng.permutation(len(bl_cands))[:n_bl]] if rng.random() < 0.9 else []
    spatial[bl_oa] = _unroll(rng, bl_dims, bl_oa, oa_sizes[bl_oa], sizes, used, cap)

    wl_cands = sorted(d for d in w_r & o_r if sizes[d] >= 2)
    wl_dims = [wl_cands[int(i)] for i in rng.permutation(len(wl_cands))[:1]] if rng.random() < 0.9 else []
    diagonal = [d for d in sorted(w_ir & o_r) if d in partner and partner[d] in spatial[bl_oa]]
    if len(spatial[bl_oa]) > 1 and diagonal and rng.random() < 0.6:
        wl_dims.append(str(_pick(rng, diagonal)))  # OX/OY next to its kernel dim: a diagonal mapping
    spatial[wl_oa] = _unroll(rng, wl_dims, wl_oa, oa_sizes[wl_oa], sizes, used, cap)

    for oa in oa_order[2:]:
        bank_cands = sorted(d for d in o_r if sizes[d] // used[d] >= 2)
        if bank_cands and rng.random() < 0.7:
            spatial[oa] = _unroll(rng, [str(_pick(rng, bank_cands))], oa, oa_sizes[oa], sizes, used, cap)
    return {oa: entry for oa, entry in spatial.items() if entry}


# --------------------------------------------------------------------------------------------------------------
# Triples
# --------------------------------------------------------------------------------------------------------------


def random_imc_triple(
    rng: np.random.Generator,
    *,
    analog: bool | None = None,
    group_depth: int = 1,
    scale_down: float = 0.8,
    max_tries: int = 200,
    allocation_tries: int = 8,
) -> ImcTriple:
    """A random legal IMC triple (module docstring), drawn from `rng`. Raises ``RuntimeError`` after `max_tries`
    failed draws."""
    for _ in range(max_tries):
        accelerator = random_imc_accelerator(rng, analog=analog, group_depth=group_depth)
        act, wp = accelerator["operational_array"]["input_precision"]
        layer = random_layer(rng, scale_down=scale_down)
        layer["operand_precision"] = {"W": wp, "I": act, "O": 16, "O_final": 8}
        try:
            base = OracleProblem(accelerator, layer, {})
            spatial = _imc_spatial(rng, base)
            problem = OracleProblem(accelerator, layer, spatial)
        except Exception:  # ZigZag rejects the draw: draw again
            continue
        if problem.user_spatial_mapping() != spatial:
            continue  # ZigZag would reduce it: not a mapping it uses as given
        ordering = _random_ordering(rng, problem.temporal_loops(), str(problem.layer.layer_dims[0]))
        for _ in range(allocation_tries):
            temporal = _random_allocation(rng, problem, ordering)
            if temporal is None:
                continue
            if group_depth > 1:
                with zigzag_without_precharge():
                    ok = _fits(problem, temporal)
            else:
                ok = _fits(problem, temporal)
            if ok:
                return ImcTriple(accelerator=accelerator, layer=layer, spatial=spatial, temporal=temporal)
    raise RuntimeError(f"no legal IMC triple found in {max_tries} tries")


def random_imc_triples(
    seed: int, count: int, *, analog: bool | None = None, group_depth: int = 1, scale_down: float = 0.8
) -> Iterator[ImcTriple]:
    """`count` IMC triples from ``numpy.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        yield random_imc_triple(rng, analog=analog, group_depth=group_depth, scale_down=scale_down)


def convert_imc_triple(triple: ImcTriple) -> Converted:
    """This package's objects for an IMC triple, through the ZigZag-compatible loader."""
    core = load_zigzag_accelerator(triple.accelerator, file="random_imc").core
    layer = load_zigzag_workload([triple.layer], file="random_imc").layers[0]
    temporal = TemporalMapping.from_levels(
        {Operand(op): [list(level) for level in levels] for op, levels in triple.temporal.items()}
    )
    links = tuple((Operand(op), MemOperand(mem)) for op, mem in triple.links.items())
    return Converted(layer=layer, core=core, spatial=SpatialMapping.of(triple.spatial), temporal=temporal, links=links)
