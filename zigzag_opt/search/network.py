"""Map every layer of a network: spatial candidates × temporal search per layer, each unique layer shape once,
optionally in parallel processes; per-layer rows and network totals."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from zigzag_opt.cost.area import core_area
from zigzag_opt.cost.model import evaluate_mappings
from zigzag_opt.cost.problem import compile_problem
from zigzag_opt.cost.report import CostReport, report_from_batch
from zigzag_opt.errors import InfeasibleError, InputError
from zigzag_opt.hardware.accelerator import Core
from zigzag_opt.mapping.legality import imc_spatial_problems
from zigzag_opt.mapping.spatial import SpatialMapping
from zigzag_opt.mapping.spec import MappingSpec, select_spec
from zigzag_opt.search.allocate import allocate_orderings
from zigzag_opt.search.base import Criterion, MappingEngine
from zigzag_opt.search.driver import SearchResult, better, mapping_at, run_search
from zigzag_opt.search.loma import LomaEngine, complete_ordering, constraints_from_ordering
from zigzag_opt.workload.layer import Layer, LayerKind
from zigzag_opt.workload.network import Network

__all__ = [
    "LayerCache",
    "LayerMapping",
    "MapperOptions",
    "NetworkMapping",
    "ZigzagSpatialSource",
    "map_layer",
    "map_network",
    "network_table",
    "spatial_source",
]

SpatialSource = Callable[[Layer, Core, MappingSpec], list[SpatialMapping]]


class LayerCache(Protocol):
    """Where layer results outlive one network mapping: keyed by layer shape, mapping entry, core and options."""

    def get(self, key: tuple[object, ...]) -> LayerMapping | None: ...

    def put(self, key: tuple[object, ...], value: LayerMapping) -> None: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class MapperOptions:
    """How layers are mapped. `engine` names a registered engine; `spatial` gives the spatial candidates of a
    layer (default: the user's mapping as given)."""

    criterion: Criterion = Criterion.LATENCY
    engine: str = "loma"
    lpf_limit: int | None = 6
    budget: int | None = None
    seed: int = 0
    spatial: SpatialSource | None = None


@dataclass(frozen=True, slots=True)
class LayerMapping:
    """The chosen mapping of one layer with its full cost report."""

    layer: Layer
    report: CostReport
    n_evaluated: int
    seconds: float
    spatial_candidates: int


@dataclass(frozen=True, slots=True)
class NetworkMapping:
    """Per-layer results (topological order) and totals. Latency is the sum over layers (layer-at-a-time)."""

    accelerator: str
    criterion: Criterion
    layers: tuple[LayerMapping, ...]
    area_mm2: float
    skipped: tuple[str, ...] = field(default=())

    @property
    def energy_pj(self) -> float:
        return sum(lm.report.energy_pj for lm in self.layers)

    @property
    def latency_cycles(self) -> float:
        return sum(lm.report.latency_cycles for lm in self.layers)

    def to_dict(self) -> dict[str, Any]:
        return {
            "accelerator": self.accelerator,
            "criterion": str(self.criterion),
            "energy_pj": self.energy_pj,
            "latency_cycles": self.latency_cycles,
            "area_mm2": self.area_mm2,
            "skipped_layers": list(self.skipped),
            "layers": [lm.report.to_dict() | {"mapping_seconds": lm.seconds} for lm in self.layers],
        }


def _engine(options: MapperOptions, spec: MappingSpec, dims: tuple[str, ...]) -> MappingEngine:
    if options.engine == "loma":
        return LomaEngine(
            lpf_limit=options.lpf_limit, constraints=constraints_from_ordering(spec.temporal_ordering, dims)
        )
    from zigzag_opt.search.registry import make_engine

    return make_engine(options.engine, lpf_limit=options.lpf_limit)


def _search_one_spatial(
    layer: Layer, core: Core, spec: MappingSpec, spatial: SpatialMapping, options: MapperOptions
) -> tuple[SearchResult | None, Any]:
    prob = compile_problem(layer, core, spatial, spec.operand_links)
    fixed = complete_ordering(spec.temporal_ordering, prob.dims, prob.temporal_sizes)
    if fixed is not None:
        import numpy as np

        dims = np.array([[prob.dims.index(d) for d, _ in fixed]], dtype=np.int64)
        sizes = np.array([[s for _, s in fixed]], dtype=np.int64)
        alloc = allocate_orderings(prob, dims, sizes)
        if not alloc.valid[0]:
            return None, prob
        tm = mapping_at(prob, alloc.batch, 0)
        res = evaluate_mappings(prob, [tm])
        return (
            SearchResult(prob, options.criterion, tm, float(res.energy[0]), float(res.latency[0]), 1, 1),
            prob,
        )
    result = run_search(
        prob, _engine(options, spec, prob.dims), options.criterion, budget=options.budget, seed=options.seed
    )
    return result, prob


def map_layer(layer: Layer, core: Core, spec: MappingSpec, options: MapperOptions | None = None) -> LayerMapping:
    """Best mapping of one layer over its spatial candidates (ZigZag's rule: best temporal mapping per spatial
    mapping, then the best spatial mapping, both by the criterion)."""
    options = options or MapperOptions()
    start = time.perf_counter()
    candidates = options.spatial(layer, core, spec) if options.spatial else [spec.spatial]
    candidates = [sm for sm in candidates if not imc_spatial_problems(layer, core, sm)]  # IMC mapping rules
    best: SearchResult | None = None
    evaluated = 0
    for spatial in candidates:
        result, _ = _search_one_spatial(layer, core, spec, spatial, options)
        if result is None:
            continue
        evaluated += result.n_proposed
        if result.best is not None and (
            best is None
            or better(
                options.criterion, (result.best_energy, result.best_latency), (best.best_energy, best.best_latency)
            )
        ):
            best = result
    if best is None or best.best is None:
        raise InfeasibleError(f"no valid mapping for layer {layer.name!r} on {core.name!r}")
    prob = best.problem
    report = report_from_batch(prob, evaluate_mappings(prob, [best.best]), best.best)
    return LayerMapping(layer, report, evaluated, time.perf_counter() - start, len(candidates))


def _shape_key(layer: Layer, spec: MappingSpec) -> tuple[object, ...]:
    """Layers that differ only in name, id and graph position cost the same under the same mapping entry."""
    return (
        layer.kind,
        layer.dims,
        layer.sizes,
        layer.operand_dims,
        layer.relations,
        layer.pr_sizes,
        layer.padding,
        layer.precision,
        spec.spatial,
        spec.temporal_ordering,
        spec.operand_links,
    )


def _skip(layer: Layer, core: Core) -> bool:
    """ZigZag skips pooling and element-wise layers on IMC cores."""
    return core.is_imc and layer.kind in (LayerKind.POOLING, LayerKind.ELEMENTWISE)


def _map_job(job: tuple[Layer, Core, MappingSpec, MapperOptions]) -> LayerMapping:
    return map_layer(*job)


def map_network(
    network: Network,
    core: Core,
    specs: Sequence[MappingSpec],
    options: MapperOptions | None = None,
    *,
    processes: int = 1,
    progress: Callable[[int, int, str], None] | None = None,
    cores_by_layer: dict[int, Core] | None = None,
    cache: LayerCache | None = None,
) -> NetworkMapping:
    """Map every layer (each unique shape once); `progress(done, total, layer_name)` after each unique layer.
    `cores_by_layer` maps a layer id to the core that layer is mapped on instead of `core` (e.g. the cores of
    `search.locality.plan_data_locality`); skipping and the reported area still follow `core`. `cache` keeps
    layer results across calls (e.g. across Optuna trials proposing the same hardware)."""
    options = options or MapperOptions()
    jobs: dict[tuple[object, ...], tuple[Layer, Core, MappingSpec, MapperOptions]] = {}
    order: list[tuple[Layer, tuple[object, ...]]] = []
    skipped: list[str] = []
    for layer in network.topological_order():
        if _skip(layer, core):
            skipped.append(layer.name)
            continue
        spec = select_spec(tuple(specs), layer)
        if spec is None:
            raise InputError.one(
                "no mapping entry matches the layer (by name, operator type, or 'default')",
                key_path="mapping",
                value=layer.name,
                accepted="an entry named like the layer, its operator type, or 'default'",
            )
        layer_core = cores_by_layer.get(layer.id, core) if cores_by_layer else core
        key = (*_shape_key(layer, spec), layer_core)
        jobs.setdefault(key, (layer, layer_core, spec, options))
        order.append((layer, key))
    cached: dict[tuple[object, ...], LayerMapping] = {}
    todo = []
    for k, job in jobs.items():
        hit = cache.get((*k, options)) if cache is not None else None
        if hit is None:
            todo.append((k, job))
        else:
            cached[k] = hit
    results = _run_jobs(todo, processes, progress)
    if cache is not None:
        for k, found in results.items():
            cache.put((*k, options), found)
    results.update(cached)
    rows = []
    for layer, key in order:
        found = results[key]
        if found.layer is layer:
            rows.append(found)
        else:  # same shape: reuse the mapping, relabel the report
            rows.append(LayerMapping(layer, _renamed(found.report, layer.name), 0, 0.0, found.spatial_candidates))
    return NetworkMapping(core.name, options.criterion, tuple(rows), core_area(core), tuple(skipped))


def _renamed(report: CostReport, name: str) -> CostReport:
    from dataclasses import replace

    return replace(report, layer=name)


def _run_jobs(
    jobs: list[tuple[tuple[object, ...], tuple[Layer, Core, MappingSpec, MapperOptions]]],
    processes: int,
    progress: Callable[[int, int, str], None] | None,
) -> dict[tuple[object, ...], LayerMapping]:
    out: dict[tuple[object, ...], LayerMapping] = {}
    if processes <= 1 or len(jobs) <= 1:
        for i, (key, job) in enumerate(jobs):
            out[key] = _map_job(job)
            if progress:
                progress(i + 1, len(jobs), job[0].name)
        return out
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=processes, mp_context=ctx) as pool:
        futures = [(key, pool.submit(_map_job, job), job[0].name) for key, job in jobs]
        for i, (key, fut, name) in enumerate(futures):
            out[key] = fut.result()
            if progress:
                progress(i + 1, len(jobs), name)
    return out


@dataclass(frozen=True, slots=True)
class ZigzagSpatialSource:
    """Spatial candidates as ZigZag generates them (picklable, so layers can be mapped in processes)."""

    nb_mappings: int = 3
    enable_mix: bool = False

    def __call__(self, layer: Layer, core: Core, spec: MappingSpec) -> list[SpatialMapping]:
        from zigzag_opt.search.spatial import zigzag_spatial_mappings

        return zigzag_spatial_mappings(
            layer, core, spec, nb_mappings=self.nb_mappings, enable_mix=self.enable_mix, links=spec.operand_links
        )


def spatial_source(nb_mappings: int = 3, enable_mix: bool = False) -> SpatialSource:
    return ZigzagSpatialSource(nb_mappings, enable_mix)


def network_table(result: NetworkMapping) -> str:
    """Per-layer rows (energy, latency, utilisation, spatial mapping, loop order outermost first) and totals."""
    lines = [
        f"{'layer':<28}{'energy pJ':>16}{'latency cc':>14}{'util':>7}  spatial / temporal (outermost first)",
        "-" * 110,
    ]
    for lm in result.layers:
        r = lm.report
        loops = " ".join(f"{d}{s}" for d, s in reversed(r.temporal.loops))
        lines.append(
            f"{r.layer[:27]:<28}{r.energy_pj:>16,.1f}{r.latency_cycles:>14,.0f}{r.utilization['mac_total']:>7.2f}"
            f"  {r.spatial.render()} | {loops}"
        )
    lines.append("-" * 110)
    total = f"total ({len(result.layers)} layers)"
    lines.append(
        f"{total:<28}{result.energy_pj:>16,.1f}{result.latency_cycles:>14,.0f}"
        f"         on {result.accelerator}, criterion {result.criterion}, area {result.area_mm2:.6g} mm²"
    )
    if result.skipped:
        lines.append(f"skipped on this core: {', '.join(result.skipped)}")
    return "\n".join(lines)
