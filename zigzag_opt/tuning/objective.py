"""Objectives for Optuna: a trial proposes an accelerator design (and, in flat mode, mapping knobs); every layer
of the workload is mapped on it; the trial returns energy, latency, area or EDP and stores its breakdowns."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import optuna

from zigzag_opt.errors import InfeasibleError, InputError
from zigzag_opt.hardware.accelerator import Accelerator, Core
from zigzag_opt.mapping.spatial import SpatialMapping
from zigzag_opt.mapping.spec import MappingSpec
from zigzag_opt.search.base import Criterion
from zigzag_opt.search.network import MapperOptions, NetworkMapping, map_network
from zigzag_opt.tuning.cache import MappingCache
from zigzag_opt.tuning.design import apply_design
from zigzag_opt.tuning.space import SearchSpace
from zigzag_opt.workload.layer import Layer
from zigzag_opt.workload.network import Network

__all__ = ["OBJECTIVES", "CoDesignObjective", "TrialSummary", "make_objective", "objective_values"]

OBJECTIVES = ("energy", "latency", "area", "edp")
FLAT_ENGINES = ("loma", "annealing", "random")


@dataclass(frozen=True, slots=True)
class TrialSummary:
    """What one trial measured (JSON-sized)."""

    energy_pj: float
    latency_cycles: float
    area_mm2: float
    edp: float
    mapping_seconds: float
    layers: list[dict[str, Any]] = field(default_factory=list)
    energy_breakdown_pj: dict[str, float] = field(default_factory=dict)
    latency_breakdown_cycles: dict[str, float] = field(default_factory=dict)


def objective_values(summary: TrialSummary, objectives: Sequence[str]) -> tuple[float, ...]:
    table = {
        "energy": summary.energy_pj,
        "latency": summary.latency_cycles,
        "area": summary.area_mm2,
        "edp": summary.edp,
    }
    return tuple(table[o] for o in objectives)


def summarize(result: NetworkMapping, seconds: float) -> TrialSummary:
    """Totals, breakdowns and per-layer rows of a network mapping."""
    energy_parts: dict[str, float] = {"mac": 0.0}
    latency_parts: dict[str, float] = {}
    rows = []
    for lm in result.layers:
        r = lm.report
        energy_parts["mac"] += r.mac_energy_pj
        for op, e in r.energy_per_operand().items():
            energy_parts[f"memory_{op}"] = energy_parts.get(f"memory_{op}", 0.0) + e
        for key in ("ideal_temporal_cycles", "stall_slack", "data_onloading", "data_offloading", "systolic_drain"):
            latency_parts[key] = latency_parts.get(key, 0.0) + r.latency[key]
        rows.append(
            {
                "layer": r.layer,
                "energy_pj": r.energy_pj,
                "latency_cycles": r.latency_cycles,
                "utilization": r.utilization["mac_total"],
                "spatial": r.spatial.render(),
                "loops": " ".join(f"{d}{s}" for d, s in reversed(r.temporal.loops)),
            }
        )
    energy, latency = result.energy_pj, result.latency_cycles
    return TrialSummary(
        energy_pj=energy,
        latency_cycles=latency,
        area_mm2=result.area_mm2,
        edp=energy * latency,
        mapping_seconds=seconds,
        layers=rows,
        energy_breakdown_pj=energy_parts,
        latency_breakdown_cycles=latency_parts,
    )


def _full_array(spatial: SpatialMapping, core: Core) -> SpatialMapping:
    """Keep the user's dataflow (which layer dims unroll on which array dim) and unroll by the array dim's full
    size: when a trial resizes the array, the mapping follows it. Mixed unrollings keep their factors."""
    out = []
    for oa, pairs in spatial.unrolling:
        if oa not in core.pe_array.dims:
            continue
        size = core.pe_array.size(oa)
        new_pairs = ((pairs[0][0], size),) if len(pairs) == 1 else tuple((d, min(f, size)) for d, f in pairs)
        out.append((oa, new_pairs))
    return SpatialMapping(unrolling=tuple(out), hints=spatial.hints)


def _adapted_spec(spec: MappingSpec, core: Core) -> MappingSpec:
    return replace(spec, spatial=_full_array(spec.spatial, core))


def _clip_to_layer(layer: Layer, core: Core, spec: MappingSpec) -> list[SpatialMapping]:
    """The entry's unrolling, with dims the layer lacks dropped and factors clipped to layer and array sizes."""
    unrolling = []
    for oa, pairs in spec.spatial.unrolling:
        kept = tuple(
            (d, min(f, layer.size(d), core.pe_array.size(oa)))
            for d, f in pairs
            if d in layer.dims and layer.size(d) > 1
        )
        if kept:
            unrolling.append((oa, kept))
    return [SpatialMapping(unrolling=tuple(unrolling), hints=spec.spatial.hints)]


@dataclass
class CoDesignObjective:
    """Callable for `study.optimize`: `objective(trial) -> tuple[float, ...]`."""

    workload: Network
    base: Accelerator
    space: SearchSpace
    specs: tuple[MappingSpec, ...]
    objectives: tuple[str, ...] = ("energy", "latency", "area")
    mode: str = "nested"
    mapper: MapperOptions = field(default_factory=MapperOptions)
    constraints: dict[str, float] = field(default_factory=dict)
    cache: MappingCache = field(default_factory=MappingCache)
    spatial_source: Callable[[Layer, Core, MappingSpec], list[SpatialMapping]] | None = None
    artifact_hook: Callable[[optuna.Trial, dict[str, Any]], None] | None = None
    processes: int = 1

    def __post_init__(self) -> None:
        unknown = [o for o in self.objectives if o not in OBJECTIVES]
        if unknown or not self.objectives:
            raise InputError.one(
                "unknown objective", key_path="objectives", value=unknown or [], accepted=", ".join(OBJECTIVES)
            )
        if self.mode not in ("nested", "flat"):
            raise InputError.one("unknown mode", key_path="mode", value=self.mode, accepted="nested, flat")

    def _mapper_for(self, trial: optuna.Trial) -> MapperOptions:
        if self.mode == "nested":
            return self.mapper
        engine = trial.suggest_categorical("mapping.engine", FLAT_ENGINES)
        lpf = trial.suggest_int("mapping.lpf_limit", 4, 8)
        criterion = trial.suggest_categorical("mapping.criterion", [c.value for c in Criterion])
        budget = None if engine == "loma" else trial.suggest_int("mapping.budget", 64, 2048, log=True)
        return replace(
            self.mapper, engine=str(engine), lpf_limit=lpf, criterion=Criterion(str(criterion)), budget=budget
        )

    def evaluate_design(self, core: Core, options: MapperOptions) -> TrialSummary:
        specs = tuple(_adapted_spec(s, core) for s in self.specs)
        spatial = self.spatial_source or _clip_to_layer
        start = time.perf_counter()
        result = map_network(
            self.workload,
            core,
            specs,
            replace(options, spatial=spatial),
            cache=self.cache,
            processes=self.processes,
        )
        return summarize(result, time.perf_counter() - start)

    def __call__(self, trial: optuna.Trial) -> tuple[float, ...]:
        params = self.space.suggest(trial)
        try:
            accelerator = apply_design(self.base, self.space, params)
        except InputError as err:
            trial.set_user_attr("infeasible", err.message[:2000])
            raise optuna.TrialPruned(f"invalid design: {err.problems[0].render()}") from err
        options = self._mapper_for(trial)
        try:
            summary = self.evaluate_design(accelerator.core, options)
        except (InfeasibleError, InputError) as err:
            trial.set_user_attr("infeasible", str(err)[:2000])
            raise optuna.TrialPruned(f"no valid mapping: {err}") from err
        self._record(trial, summary)
        return objective_values(summary, self.objectives)

    def _record(self, trial: optuna.Trial, s: TrialSummary) -> None:
        """Few, JSON-sized user attrs (each is one storage write): the totals as scalars for the dashboard's
        filters, everything else in one `summary` dict; the full report goes to the artifact hook."""
        trial.set_user_attr("energy_pj", s.energy_pj)
        trial.set_user_attr("latency_cycles", s.latency_cycles)
        trial.set_user_attr("area_mm2", s.area_mm2)
        trial.set_user_attr(
            "summary",
            {
                "edp": s.edp,
                "mapping_seconds": round(s.mapping_seconds, 4),
                "cache_hit_rate": round(self.cache.hit_rate, 4),
                "energy_breakdown_pj": s.energy_breakdown_pj,
                "latency_breakdown_cycles": s.latency_breakdown_cycles,
                "layers": s.layers,
            },
        )
        for key, limit in self.constraints.items():
            value = {"area_mm2": s.area_mm2, "energy_pj": s.energy_pj, "latency_cycles": s.latency_cycles}[key]
            trial.set_constraint(key, value - limit)  # <= 0 is feasible (Optuna 5)
        if self.artifact_hook is not None:
            self.artifact_hook(trial, {"summary": _jsonable(s)})


def _jsonable(s: TrialSummary) -> dict[str, Any]:
    out: dict[str, Any] = json.loads(
        json.dumps(
            {
                "energy_pj": s.energy_pj,
                "latency_cycles": s.latency_cycles,
                "area_mm2": s.area_mm2,
                "edp": s.edp,
                "energy_breakdown_pj": s.energy_breakdown_pj,
                "latency_breakdown_cycles": s.latency_breakdown_cycles,
                "layers": s.layers,
            },
            default=lambda v: None if isinstance(v, float) and not math.isfinite(v) else str(v),
        )
    )
    return out


def make_objective(
    workload: Network,
    base_accelerator: Accelerator,
    space: SearchSpace,
    *,
    specs: Sequence[MappingSpec],
    objectives: Sequence[str] = ("energy", "latency", "area"),
    mode: str = "nested",
    mapper: MapperOptions | None = None,
    constraints: dict[str, float] | None = None,
    spatial_source: Callable[[Layer, Core, MappingSpec], list[SpatialMapping]] | None = None,
) -> CoDesignObjective:
    """A plain callable for `study.optimize` (and for ask/tell: call it with the asked trial)."""
    return CoDesignObjective(
        workload=workload,
        base=base_accelerator,
        space=space,
        specs=tuple(specs),
        objectives=tuple(objectives),
        mode=mode,
        mapper=mapper or MapperOptions(),
        constraints=dict(constraints or {}),
        spatial_source=spatial_source,
    )
