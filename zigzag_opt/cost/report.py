"""`CostReport`: one evaluated mapping with every breakdown, its loop nest, and a readable explanation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zigzag_opt.cost import imc as imc_model
from zigzag_opt.cost.area import core_area_breakdown
from zigzag_opt.cost.model import BatchResult, SingleResult, evaluate_single
from zigzag_opt.cost.problem import DIRECTIONS, ProblemArrays, compile_problem_cached
from zigzag_opt.hardware.accelerator import Core
from zigzag_opt.mapping.render import render_loop_nest
from zigzag_opt.mapping.spatial import DEFAULT_LINKS, OperandLinks, SpatialMapping
from zigzag_opt.mapping.temporal import TemporalMapping
from zigzag_opt.workload.layer import Layer

__all__ = ["CostReport", "LevelCost", "evaluate_one", "report_from_batch", "report_from_single"]

_DIR_KEYS = tuple(str(d) for d in DIRECTIONS)  # tl, fl, th, fh


@dataclass(frozen=True, slots=True, kw_only=True)
class LevelCost:
    """One (operand, memory level): word accesses and energy (pJ) per direction, and utilisation (shared)."""

    operand: str
    level: int
    memory: str
    accesses: dict[str, int]
    energy_pj: dict[str, float]
    utilization: float

    @property
    def total_energy_pj(self) -> float:
        return sum(self.energy_pj.values())


@dataclass(frozen=True, slots=True, kw_only=True)
class CostReport:
    """Energy (pJ), latency (cycles) and area (mm²) of one layer under one mapping, with breakdowns."""

    layer: str
    accelerator: str
    valid: bool
    energy_pj: float
    mac_energy_pj: float
    mem_energy_pj: float
    latency_cycles: float
    latency: dict[str, float]
    utilization: dict[str, float]
    area_mm2: float
    area_breakdown_mm2: dict[str, float]
    # The model's numbers for this mapping, from which `levels` builds its `LevelCost` objects on first use (most
    # reports are only ranked by their totals).
    result: SingleResult = field(repr=False)
    spatial: SpatialMapping
    temporal: TemporalMapping
    problem: ProblemArrays = field(repr=False, compare=False)
    # IMC cores only (ZigZag's IMC report): clock period (ns; latency stays in cycles) and the macro breakdowns.
    tclk_ns: float | None = None
    tclk_breakdown_ns: dict[str, float] = field(default_factory=dict)
    imc_energy_breakdown_pj: dict[str, float] = field(default_factory=dict)
    imc_area_breakdown_mm2: dict[str, float] = field(default_factory=dict)
    _levels: list[tuple[LevelCost, ...]] = field(default_factory=list, init=False, repr=False, compare=False)

    @property
    def levels(self) -> tuple[LevelCost, ...]:
        """Accesses (words) and energy (pJ) per direction, and utilisation, of every (operand, memory level)."""
        if not self._levels:
            names = iter(_report_constants(self.problem).levels)
            one = self.result
            built = []
            for acc, energy, util in zip(one.accesses, one.energy_per_dir, one.utilization, strict=True):
                for m, u in enumerate(util):
                    operand, level, memory = next(names)
                    built.append(
                        LevelCost(
                            operand=operand,
                            level=level,
                            memory=memory,
                            accesses=dict(zip(_DIR_KEYS, map(int, acc[4 * m : 4 * m + 4]), strict=True)),
                            energy_pj=dict(zip(_DIR_KEYS, energy[4 * m : 4 * m + 4], strict=True)),
                            utilization=float(u),
                        )
                    )
            self._levels.append(tuple(built))
        return self._levels[0]

    @property
    def edp(self) -> float:
        return self.energy_pj * self.latency_cycles

    @property
    def loop_nest(self) -> str:
        """The loop nest with each operand's memory per loop (rendered on demand: it costs more than the model)."""
        p = self.problem
        return render_loop_nest(p.layer, p.core, p.spatial, self.temporal, p.links)

    def energy_per_operand(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for lv in self.levels:
            out[lv.operand] = out.get(lv.operand, 0.0) + lv.total_energy_pj
        return out

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: totals, latency components, utilisation, area and the per-level breakdowns."""
        return {
            "name": self.layer,
            "accelerator": self.accelerator,
            "valid": self.valid,
            "energy_pj": self.energy_pj,
            "latency_cycles": self.latency_cycles,
            "area_mm2": self.area_mm2,
            "energy_breakdown_pj": {
                "mac": self.mac_energy_pj,
                "memory": self.mem_energy_pj,
                "per_operand": self.energy_per_operand(),
            },
            "latency_breakdown_cycles": dict(self.latency),
            "utilization": dict(self.utilization),
            "area_breakdown_mm2": dict(self.area_breakdown_mm2),
            "memory_levels": [
                {
                    "operand": lv.operand,
                    "level": lv.level,
                    "memory": lv.memory,
                    "accesses": dict(lv.accesses),
                    "energy_pj": dict(lv.energy_pj),
                    "utilization": lv.utilization,
                }
                for lv in self.levels
            ],
            "spatial_mapping": {oa: dict(pairs) for oa, pairs in self.spatial.unrolling},
            "temporal_mapping": {
                "loops_innermost_first": [[d, s] for d, s in self.temporal.loops],
                "cuts": {str(op): list(c) for op, c in self.temporal.cuts},
            },
            "tclk_ns": self.tclk_ns,
            "imc": None
            if self.tclk_ns is None
            else {
                "tclk_breakdown_ns": dict(self.tclk_breakdown_ns),
                "energy_breakdown_pj": dict(self.imc_energy_breakdown_pj),
                "area_breakdown_mm2": dict(self.imc_area_breakdown_mm2),
            },
        }

    def explain(self) -> str:
        """The loop nest with memory allocation, then energy, latency and area breakdowns as text tables."""
        lines = [self.loop_nest, ""]
        lines.append(
            f"Energy  {self.energy_pj:,.3f} pJ  (MAC {self.mac_energy_pj:,.3f}, memory {self.mem_energy_pj:,.3f})"
        )
        header = f"  {'operand':<8}{'memory':<16}" + "".join(f"{k:>14}" for k in _DIR_KEYS)
        lines += [header + f"{'energy pJ':>16}{'util':>8}"]
        for lv in self.levels:
            acc = "".join(f"{lv.accesses[k]:>14,}" for k in _DIR_KEYS)
            lines.append(f"  {lv.operand:<8}{lv.memory:<16}{acc}{lv.total_energy_pj:>16,.3f}{lv.utilization:>8.3f}")
        lines.append("")
        lines.append(f"Latency {self.latency_cycles:,.2f} cycles")
        for key, value in self.latency.items():
            lines.append(f"  {key:<24}{value:>16,.2f}")
        lines.append("")
        lines.append(f"Area    {self.area_mm2:,.6f} mm²")
        for key, value in self.area_breakdown_mm2.items():
            lines.append(f"  {key:<24}{value:>16,.6f}")
        if self.tclk_ns is not None:
            lines += ["", f"IMC     clock {self.tclk_ns:,.5f} ns; macro energy pJ / area mm² / delay ns"]
            for key in dict.fromkeys((*imc_model.IMC_ENERGY_COMPONENTS, *imc_model.IMC_COMPONENTS)):
                area = self.imc_area_breakdown_mm2.get(key)
                delay = self.tclk_breakdown_ns.get(key)
                cells = [f"{self.imc_energy_breakdown_pj.get(key, 0.0):>16,.3f}"]
                cells += [f"{v:>14,.6f}" if v is not None else f"{'':>14}" for v in (area, delay)]
                lines.append(f"  {key:<24}" + "".join(cells))
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class _ReportConstants:
    """What every report of one problem shares: level names, area and the IMC macro figures (computed once)."""

    levels: tuple[tuple[str, int, str], ...]  # (operand, level, memory) in report order
    area_breakdown_mm2: dict[str, float]
    area_mm2: float
    tclk_ns: float | None
    tclk_breakdown_ns: dict[str, float]
    imc_energy_breakdown_pj: dict[str, float]
    imc_area_breakdown_mm2: dict[str, float]


def _report_constants(prob: ProblemArrays) -> _ReportConstants:
    cached = prob.kernel_cache.get("report")
    if cached is None:
        core, imc = prob.core, prob.core.imc
        levels = tuple(
            (str(t.op), m, memory.name) for t in prob.operands for m, memory in enumerate(core.levels(t.mem_op))
        )
        area = core_area_breakdown(core)
        cached = prob.kernel_cache["report"] = _ReportConstants(
            levels=levels,
            area_breakdown_mm2=area,
            area_mm2=float(np.sum(list(area.values()))),
            tclk_ns=imc_model.tclk(imc, core.pe_array) if imc is not None else None,
            tclk_breakdown_ns=imc_model.tclk_breakdown(imc, core.pe_array) if imc is not None else {},
            imc_energy_breakdown_pj=dict(prob.imc_energy_breakdown_pj or {}),
            imc_area_breakdown_mm2=imc_model.area_breakdown(imc, core.pe_array) if imc is not None else {},
        )
    out: _ReportConstants = cached
    return out


def report_from_batch(prob: ProblemArrays, res: BatchResult, temporal: TemporalMapping, index: int = 0) -> CostReport:
    """The `index`-th candidate of an evaluated batch as a `CostReport`."""
    return report_from_single(prob, SingleResult.from_batch(res, index), temporal)


def report_from_single(prob: ProblemArrays, one: SingleResult, temporal: TemporalMapping) -> CostReport:
    """A `CostReport` of one evaluated mapping."""
    const = _report_constants(prob)
    ideal_temporal, stall_slack, onloading, offloading, total0, total1, total2 = one.latency_parts
    latency = {
        "ideal_cycles": prob.ideal_cycle,
        "ideal_temporal_cycles": ideal_temporal,
        "stall_slack": stall_slack,
        "data_onloading": onloading,
        "data_offloading": offloading,
        "systolic_drain": prob.systolic_drain,
        "latency_total0": total0,
        "latency_total1": total1,
        "latency_total2": total2,
    }
    utilization = {
        "mac_spatial": prob.ideal_cycle / ideal_temporal if ideal_temporal else 0.0,
        "mac_with_stalls": prob.ideal_cycle / total0,
        "mac_with_onloading": prob.ideal_cycle / total1,
        "mac_total": prob.ideal_cycle / total2,
    }
    return CostReport(
        layer=prob.layer.name,
        accelerator=prob.core.name,
        valid=one.valid,
        energy_pj=one.mac_energy + one.mem_energy,
        mac_energy_pj=one.mac_energy,
        mem_energy_pj=one.mem_energy,
        latency_cycles=total2,
        latency=latency,
        utilization=utilization,
        area_mm2=const.area_mm2,
        area_breakdown_mm2=dict(const.area_breakdown_mm2),  # each report owns its dicts
        result=one,
        spatial=prob.spatial,
        temporal=temporal,
        problem=prob,
        tclk_ns=const.tclk_ns,
        tclk_breakdown_ns=dict(const.tclk_breakdown_ns),
        imc_energy_breakdown_pj=dict(const.imc_energy_breakdown_pj),
        imc_area_breakdown_mm2=dict(const.imc_area_breakdown_mm2),
    )


def evaluate_one(
    layer: Layer,
    core: Core,
    spatial: SpatialMapping,
    temporal: TemporalMapping,
    links: OperandLinks = DEFAULT_LINKS,
) -> CostReport:
    """Evaluate one mapping and return its full report (the same numbers as the batched model). The compiled problem
    is memoised (`compile_problem_cached`), so evaluating many mappings of one problem compiles it once."""
    prob = compile_problem_cached(layer, core, spatial, links)
    return report_from_single(prob, evaluate_single(prob, temporal), temporal)
