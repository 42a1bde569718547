"""Oracle: run ZigZag 3.9.1's own cost model on one fixed (layer, accelerator, spatial mapping, temporal mapping).

Used by the differential tests and the benchmarks. Every number comes from ZigZag's objects, built the way its own
pipeline stages build them for a one-layer workload:

* the accelerator: ZigZag's accelerator validator and factory (what ``AcceleratorParserStage`` does);
* the layer: ZigZag's workload and mapping validators, then its layer-node factory (what ``WorkloadParserStage``
  does), with a one-entry mapping holding the given spatial mapping and operand links;
* the user-level spatial mapping: ``SpatialMappingGeneratorStage.generate_spatial_mappings`` for a mapping that
  fills every array dimension (reduction to the array and layer sizes and to the memory bandwidth, then the
  limit to the innermost memories' capacity), stored on the layer as the generator stage does (the systolic drain
  term of 3.9.1 reads it there);
* the fractional (energy) and integer (latency) per-level spatial mappings:
  ``SpatialMappingConversionStage.convert_user_spatial_mapping`` (greedy non-divisible unrolling and its clipping);
* the temporal mapping: ``TemporalMapping`` from the given per-level loops (`evaluate_fixed`) or from LOMA's
  ``MemoryAllocator`` for a complete ordering (`evaluate_ordering`, as ``TemporalMappingGeneratorStage`` does for a
  user-fixed complete ``temporal_ordering``);
* the evaluation: ``CostModelEvaluation`` (``CostModelEvaluationForIMC`` on an IMC array, as ``CostModelStage``
  chooses) with ``access_same_data_considered_as_no_access=True`` and the default ``cycles_per_op``, as the API runs it.

``zigzag`` is an optional dependency: it is imported lazily, through ``importlib`` so that its partial annotations
stay behind an ``Any`` boundary.
"""

from __future__ import annotations

import copy
import importlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from zigzag_opt.errors import InputError, Problem

__all__ = [
    "DEFAULT_LINKS",
    "DIRECTIONS",
    "OracleProblem",
    "OracleResult",
    "accelerator_data",
    "bundled_hardware_path",
    "evaluate_fixed",
    "evaluate_ordering",
    "load_accelerator",
    "prepare",
    "result_from_cme",
    "zigzag_version",
]

DEFAULT_LINKS: Mapping[str, str] = {"O": "O", "W": "I2", "I": "I1"}
"""ZigZag's default memory operand links (layer operand -> memory operand)."""

DIRECTIONS: tuple[tuple[str, str], ...] = (
    ("tl", "RD_OUT_TO_LOW"),
    ("fl", "WR_IN_BY_LOW"),
    ("th", "RD_OUT_TO_HIGH"),
    ("fh", "WR_IN_BY_HIGH"),
)
"""Short direction names of this package -> ZigZag ``DataDirection`` member names."""

AcceleratorSpec = str | Path | Mapping[str, Any]
SpatialSpec = Mapping[str, Mapping[str, int]]
TemporalSpec = Mapping[str, Sequence[Sequence[tuple[str, int]]]]
Ordering = Sequence[tuple[str, int]]


def _zz(module: str) -> Any:
    """Import a ZigZag module lazily, typed as ``Any`` (ZigZag's annotations are partial)."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the ZigZag oracle needs the optional 'zigzag' extra: pip install 'zigzag-opt[zigzag]'"
        ) from exc


def zigzag_version() -> str:
    """The installed ``zigzag-dse`` version."""
    metadata = importlib.import_module("importlib.metadata")
    return str(metadata.version("zigzag-dse"))


# --------------------------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OracleResult:
    """ZigZag's numbers for one evaluation. Energies in pJ, latencies in cycles, accesses in full-width words.

    Per-level lists are indexed by the memory levels of the operand, innermost first. `accesses` holds, per layer
    operand and level, ZigZag's word accesses per direction: ``tl`` (read out to low), ``fl`` (written in by low),
    ``th`` (read out to high), ``fh`` (written in by high). `stationary_levels` is ZigZag's temporal mapping after
    its stationary merge-down (``TemporalMapping.mapping_dic_stationary``), innermost loop first.
    `extra` holds further numbers, keyed by dotted names (see `result_from_cme`).
    """

    energy_total: float
    mac_energy: float
    mem_energy: float
    mem_energy_per_level: dict[str, list[float]]
    accesses: dict[str, list[dict[str, float]]]
    ideal_cycle: float
    ideal_temporal_cycle: float
    stall_slack_comb: float
    data_onloading: float
    data_offloading: float
    latency_total0: float
    latency_total1: float
    latency_total2: float
    mac_spatial_utilization: float
    extra: dict[str, float] = field(default_factory=dict)
    stationary_levels: dict[str, list[list[tuple[str, float]]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (tuples become lists)."""
        return {
            "energy_total": self.energy_total,
            "mac_energy": self.mac_energy,
            "mem_energy": self.mem_energy,
            "mem_energy_per_level": self.mem_energy_per_level,
            "accesses": self.accesses,
            "ideal_cycle": self.ideal_cycle,
            "ideal_temporal_cycle": self.ideal_temporal_cycle,
            "stall_slack_comb": self.stall_slack_comb,
            "data_onloading": self.data_onloading,
            "data_offloading": self.data_offloading,
            "latency_total0": self.latency_total0,
            "latency_total1": self.latency_total1,
            "latency_total2": self.latency_total2,
            "mac_spatial_utilization": self.mac_spatial_utilization,
            "extra": self.extra,
            "stationary_levels": {
                op: [[[dim, size] for dim, size in level] for level in levels]
                for op, levels in self.stationary_levels.items()
            },
        }


def _num(value: Any) -> float:
    """A ZigZag number (int, float or numpy scalar) as a Python number, ints kept exact."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int):
        return value
    return float(value)


def result_from_cme(cme: Any) -> OracleResult:
    """Extract an `OracleResult` from a ZigZag ``CostModelEvaluation``.

    `extra` keys: ``systolic_drain_cycle``; ``mac_utilization0/1/2``; ``total_mac_count``; ``total_cycle``;
    ``operational_array_area`` (ZigZag's ``OperationalArray.total_area``; ZigZag has no digital area roll-up);
    ``area_total``, ``tclk`` (IMC only); ``loading_cycles_borrowed`` (cycles of on-loading hidden in computation);
    ``double_buffer.<op>.<m>`` (0/1, ZigZag's double-buffer flag of memory level m, i.e. arch level m+1);
    ``stall_slack.<memory>.<port>`` (per-port combined stall/slack); ``mem_util_shared.<op>.<m>`` and
    ``mem_util_individual.<op>.<m>`` (ZigZag's utilization, per instance); ``mac_stationary_cycle.<op>``;
    ``psum_flag.<m>`` (0/1, output levels); ``unit_count.<op>.<arch level>`` and ``mem_bw_boost.<op>.<m>``
    (fractional spatial mapping); ``spatial.<oa dim>.<layer dim>`` (the user-level spatial mapping ZigZag used,
    after its reductions).
    """
    ddir = _zz("zigzag.hardware.architecture.memory_port").DataDirection
    layer = cme.layer
    ops = [str(op) for op in layer.layer_operands]

    mem_energy_per_level = {str(op): [_num(e) for e in levels] for op, levels in cme.mem_energy_breakdown.items()}
    accesses: dict[str, list[dict[str, float]]] = {}
    for op, levels in cme.memory_word_access.items():
        accesses[str(op)] = [
            {short: _num(acc.get(getattr(ddir, name))) for short, name in DIRECTIONS} for acc in levels
        ]

    extra: dict[str, float] = {
        "systolic_drain_cycle": _num(getattr(cme, "systolic_drain_cycle", 0)),
        "mac_utilization0": _num(cme.mac_utilization0),
        "mac_utilization1": _num(cme.mac_utilization1),
        "mac_utilization2": _num(cme.mac_utilization2),
        "total_mac_count": _num(layer.total_mac_count),
        "total_cycle": _num(cme.temporal_mapping.total_cycle),
        "loading_cycles_borrowed": _num(getattr(cme, "loading_offloading_cycles_borrowed_from_computation", 0)),
    }
    op_array = cme.accelerator.operational_array
    if hasattr(op_array, "total_area"):
        extra["operational_array_area"] = _num(op_array.total_area)
    for name in ("area_total", "tclk"):
        if hasattr(cme, name):
            extra[name] = _num(getattr(cme, name))
    for op, flags in cme.double_buffer_true.items():
        for m, flag in enumerate(flags[1:]):
            extra[f"double_buffer.{op}.{m}"] = float(bool(flag))
    for mem_level, ports in zip(cme.mem_level_list, cme.stall_slack_comb_collect, strict=True):
        for port, value in ports.items():
            extra[f"stall_slack.{mem_level.name}.{port}"] = _num(value)
    for kind, table in (("shared", cme.mem_utili_shared), ("individual", cme.mem_utili_individual)):
        for op, values in table.items():
            for m, value in enumerate(values):
                extra[f"mem_util_{kind}.{op}.{m}"] = _num(value)
    tm = cme.temporal_mapping
    for op, value in tm.mac_level_data_stationary_cycle.items():
        extra[f"mac_stationary_cycle.{op}"] = _num(value)
    for m, flag in enumerate(cme.mapping.psum_flag):
        extra[f"psum_flag.{m}"] = float(bool(flag))
    sm = cme.mapping.spatial_mapping
    for op in ops:
        key = next(o for o in sm.unit_count if str(o) == op)
        for lvl, value in enumerate(sm.unit_count[key]):
            extra[f"unit_count.{op}.{lvl}"] = _num(value)
        for m, value in enumerate(sm.mem_bw_boost[key]):
            extra[f"mem_bw_boost.{op}.{m}"] = _num(value)
    for oa_dim, single in layer.spatial_mapping.items():
        for layer_dim, factor in single.items():
            extra[f"spatial.{oa_dim}.{layer_dim}"] = _num(factor)

    stationary = {
        str(op): [[(str(dim), _num(size)) for dim, size in level] for level in levels]
        for op, levels in tm.mapping_dic_stationary.items()
    }
    return OracleResult(
        energy_total=_num(cme.energy_total),
        mac_energy=_num(cme.mac_energy),
        mem_energy=_num(cme.mem_energy),
        mem_energy_per_level=mem_energy_per_level,
        accesses=accesses,
        ideal_cycle=_num(cme.ideal_cycle),
        ideal_temporal_cycle=_num(cme.ideal_temporal_cycle),
        stall_slack_comb=_num(cme.stall_slack_comb),
        data_onloading=_num(cme.data_onloading_cycle),
        data_offloading=_num(cme.data_offloading_cycle),
        latency_total0=_num(cme.latency_total0),
        latency_total1=_num(cme.latency_total1),
        latency_total2=_num(cme.latency_total2),
        mac_spatial_utilization=_num(cme.mac_spatial_utilization),
        extra=extra,
        stationary_levels=stationary,
    )


# --------------------------------------------------------------------------------------------------------------
# Accelerator
# --------------------------------------------------------------------------------------------------------------


def bundled_hardware_path(name: str) -> Path:
    """Path of a hardware YAML bundled with ZigZag (``zigzag/inputs/hardware/<name>.yaml``)."""
    zigzag = _zz("zigzag")
    path = Path(zigzag.__file__).parent / "inputs" / "hardware" / f"{name.removesuffix('.yaml')}.yaml"
    if not path.is_file():
        available = sorted(p.stem for p in path.parent.glob("*.yaml"))
        raise InputError.one(
            "unknown bundled ZigZag accelerator", key_path="accelerator", value=name, accepted=", ".join(available)
        )
    return path


def accelerator_data(accelerator: str | Path) -> dict[str, Any]:
    """The raw YAML dict of a hardware file or bundled example (to modify, then pass as `accelerator`). Memory
    order is kept: ZigZag needs the memories innermost first."""
    path = Path(accelerator)
    if not (path.suffix in (".yaml", ".yml") or path.is_file()):
        path = bundled_hardware_path(str(accelerator))
    data: dict[str, Any] = _zz("zigzag.utils").open_yaml(str(path))
    return data


def _accelerator_key(accelerator: AcceleratorSpec) -> str:
    if isinstance(accelerator, Mapping):
        return "dict:" + json.dumps(accelerator, default=str)  # key order matters (memories innermost first)
    text = str(accelerator)
    path = Path(text)
    if path.suffix in (".yaml", ".yml") or path.is_file():
        return "path:" + str(path.resolve())
    return "path:" + str(bundled_hardware_path(text))


@lru_cache(maxsize=64)
def _load_accelerator_cached(key: str) -> Any:
    utils = _zz("zigzag.utils")
    kind, _, payload = key.partition(":")
    data = json.loads(payload) if kind == "dict" else utils.open_yaml(payload)
    validator = _zz("zigzag.parser.accelerator_validator").AcceleratorValidator(data)
    normalized = validator.normalized_data
    if not validator.validate():
        raise InputError.one(
            "ZigZag's accelerator validator rejected the accelerator",
            key_path="accelerator",
            value=validator.validator.errors,
            file=payload if kind == "path" else "",
        )
    return _zz("zigzag.parser.accelerator_factory").AcceleratorFactory(normalized).create()


def load_accelerator(accelerator: AcceleratorSpec) -> Any:
    """ZigZag ``Accelerator`` for a hardware YAML path, a bundled example name (``"tpu_like"``) or a loaded YAML
    dict, built by ZigZag's validator and factory. Cached; ZigZag's cost model does not modify it."""
    return _load_accelerator_cached(_accelerator_key(accelerator))


# --------------------------------------------------------------------------------------------------------------
# Problem (accelerator + layer + spatial mapping), then temporal mappings on it
# --------------------------------------------------------------------------------------------------------------


def _mapping_entry(
    name: str,
    spatial: SpatialSpec,
    oa_dims: Sequence[str],
    links: Mapping[str, str],
    ordering: Ordering | None,
) -> dict[str, Any]:
    problems = [
        Problem(rule="unknown operational array dimension", key_path=f"spatial.{oa}", value=oa, accepted=str(oa_dims))
        for oa in spatial
        if oa not in oa_dims
    ]
    if problems:
        raise InputError(problems)
    sm: dict[str, list[str]] = {oa: [f"{dim}, {int(f)}" for dim, f in spatial[oa].items()] for oa in spatial}
    for oa in oa_dims:  # every OA dim given, so ZigZag uses this mapping as is and does not search
        sm.setdefault(oa, [])
    entry: dict[str, Any] = {"name": name, "spatial_mapping": sm, "memory_operand_links": dict(links)}
    if ordering is not None:
        entry["temporal_ordering"] = [[str(dim), int(size)] for dim, size in ordering]
    return entry


def _build_layer_node(layer: Mapping[str, Any], mapping_entry: dict[str, Any]) -> Any:
    layer_data = copy.deepcopy(dict(layer))
    wv = _zz("zigzag.parser.workload_validator").WorkloadValidator([layer_data])
    workload = wv.normalized_data
    if not wv.validate():
        raise InputError.one("ZigZag's workload validator rejected the layer", key_path="layer", value=layer_data)
    node_name = workload[0]["name"] if workload[0]["name"] is not None else f"Layer{workload[0]['id']}"
    entries = [dict(mapping_entry, name=node_name)]
    if node_name != "default":
        entries.append(dict(mapping_entry, name="default"))
    mv = _zz("zigzag.parser.mapping_validator").MappingValidator(entries)
    mapping_data = mv.normalized_data
    if not mv.validate():
        raise InputError.one(
            "ZigZag's mapping validator rejected the spatial mapping / links",
            key_path="spatial",
            value=mv.validator.errors,
        )
    factory = _zz("zigzag.parser.workload_factory").LayerNodeFactory(workload[0], mapping_data)
    return factory.create()


class OracleProblem:
    """An accelerator, one layer and a spatial mapping, resolved by ZigZag once; temporal mappings evaluated on it.

    Attributes (ZigZag objects): `accelerator`, `layer` (the ``LayerNode`` carrying the user-level spatial mapping
    ZigZag settled on), `spatial_mapping` (fractional ``SpatialMappingInternal``, energy), `spatial_mapping_int`
    (integer, latency).
    """

    def __init__(
        self,
        accelerator: AcceleratorSpec,
        layer: Mapping[str, Any],
        spatial: SpatialSpec,
        *,
        links: Mapping[str, str] | None = None,
        ordering: Ordering | None = None,
    ) -> None:
        self.accelerator: Any = load_accelerator(accelerator)
        self.links: dict[str, str] = dict(DEFAULT_LINKS if links is None else links)
        oa_dims = [str(d) for d in self.accelerator.operational_array.dimension_sizes]
        entry = _mapping_entry("default", spatial, oa_dims, self.links, ordering)
        node = _build_layer_node(layer, entry)

        # SpatialMappingGeneratorStage: a user mapping that fills every OA dim is reduced and yielded as is.
        cost_stage = _zz("zigzag.stages.evaluation.cost_model_evaluation").CostModelStage
        gen_cls = _zz("zigzag.stages.mapping.spatial_mapping_generation").SpatialMappingGeneratorStage
        generator = gen_cls([cost_stage], accelerator=self.accelerator, layer=node)
        user_sm = next(iter(generator.generate_spatial_mappings()))
        node.spatial_mapping = user_sm
        # SpatialMappingConversionStage on a shallow copy of the layer, as the generator stage runs it.
        conv_cls = _zz("zigzag.stages.mapping.spatial_mapping_conversion").SpatialMappingConversionStage
        conversion = conv_cls([cost_stage], accelerator=self.accelerator, layer=copy.copy(node))
        self.layer: Any = conversion.layer
        self.spatial_mapping, self.spatial_mapping_int = conversion.convert_user_spatial_mapping(user_sm)
        self._tm_module = _zz("zigzag.mapping.temporal_mapping")
        self._uneven = self._tm_module.TemporalMappingType.UNEVEN

    # -- facts ------------------------------------------------------------------------------------------------

    @property
    def layer_operands(self) -> list[str]:
        """Layer operands, output first (ZigZag's order)."""
        return [str(op) for op in self.layer.layer_operands]

    def user_spatial_mapping(self) -> dict[str, dict[str, int]]:
        """The user-level spatial mapping ZigZag uses (after its reductions), OA dims with no unrolling left out."""
        return {
            str(oa): {str(dim): int(f) for dim, f in single.items()}
            for oa, single in self.layer.spatial_mapping.items()
            if len(single.keys()) > 0
        }

    def memory_levels(self) -> dict[str, list[str]]:
        """Per layer operand, the names of its memory levels, innermost first."""
        out: dict[str, list[str]] = {}
        for op in self.layer.layer_operands:
            mem_op = self.layer.memory_operand_links.layer_to_mem_op(op)
            out[str(op)] = [lvl.name for lvl in self.accelerator.mem_hierarchy_dict[mem_op]]
        return out

    def temporal_loops(self) -> dict[str, int]:
        """The temporal loop size per layer dim left by the spatial mapping (LOMA's ``get_temporal_loops``: ceil
        of the layer size over the fractional unrolling; dims of size 1 left out)."""
        engine_cls = _zz("zigzag.opt.loma.engine").LomaEngine
        engine = engine_cls(
            accelerator=self.accelerator,
            layer=self.layer,
            spatial_mapping=self.spatial_mapping,
            mapping_type=self._uneven,
        )
        return {str(dim): int(size) for dim, size in engine.get_temporal_loops().items()}

    # -- temporal mappings ------------------------------------------------------------------------------------

    def _check_temporal(self, temporal: TemporalSpec) -> None:
        levels = self.memory_levels()
        problems: list[Problem] = []
        if set(temporal) != set(levels):
            problems.append(
                Problem(
                    rule="temporal mapping must list every layer operand",
                    value=sorted(temporal),
                    accepted=str(sorted(levels)),
                )
            )
        else:
            flat: dict[str, list[tuple[str, int]]] = {}
            for op, op_levels in temporal.items():
                if len(op_levels) != len(levels[op]):
                    problems.append(
                        Problem(
                            rule="one loop list per memory level of the operand",
                            key_path=f"temporal.{op}",
                            value=len(op_levels),
                            accepted=f"{len(levels[op])} levels {levels[op]}",
                        )
                    )
                flat[op] = [(str(d), int(s)) for level in op_levels for d, s in level]
            first = next(iter(flat))
            for op, loops in flat.items():
                if loops != flat[first]:
                    problems.append(
                        Problem(
                            rule="every operand must list the same loops in the same order",
                            key_path=f"temporal.{op}",
                            value=loops,
                            accepted=str(flat[first]),
                        )
                    )
            problems += self._check_loops(flat[first], "temporal")
        if problems:
            raise InputError(problems)

    def _check_loops(self, loops: Sequence[tuple[str, int]], key: str) -> list[Problem]:
        sizes: dict[str, int] = {}
        for dim, size in loops:
            sizes[dim] = sizes.get(dim, 1) * int(size)
        sizes = {d: s for d, s in sizes.items() if s != 1}
        expected = self.temporal_loops()
        if sizes != expected:
            return [
                Problem(
                    rule="temporal loop sizes must multiply to the loops the spatial mapping leaves",
                    key_path=key,
                    value=sizes,
                    accepted=str(expected),
                )
            ]
        return []

    def temporal_mapping(self, temporal: TemporalSpec) -> Any:
        """ZigZag ``TemporalMapping`` (uneven) from per-operand per-level loops, innermost first."""
        self._check_temporal(temporal)
        ldim = _zz("zigzag.datatypes").LayerDim
        by_name = {str(op): op for op in self.layer.layer_operands}
        tm_dict = {
            by_name[op]: [[(ldim(d), int(s)) for d, s in level] for level in op_levels]
            for op, op_levels in temporal.items()
        }
        ordered = {op: tm_dict[op] for op in self.layer.layer_operands}
        return self._tm_module.TemporalMapping(ordered, self.layer, self._uneven)

    def allocate(self, ordering: Ordering) -> Any:
        """ZigZag ``TemporalMapping`` for a complete ordering (innermost first), allocated by LOMA's
        ``MemoryAllocator`` (uneven)."""
        problems = self._check_loops([(str(d), int(s)) for d, s in ordering], "ordering")
        if problems:
            raise InputError(problems)
        ldim = _zz("zigzag.datatypes").LayerDim
        legacy = [(ldim(str(d)), int(s)) for d, s in ordering]
        allocator_cls = _zz("zigzag.opt.loma.memory_allocator").MemoryAllocator
        allocator = allocator_cls(self.accelerator, self.layer, self.spatial_mapping, legacy, self._uneven)
        return allocator.run()

    def cme(self, temporal_mapping: Any) -> Any:
        """ZigZag's cost model evaluation of `temporal_mapping` (a ZigZag ``TemporalMapping``)."""
        imc_array = _zz("zigzag.hardware.architecture.imc_array").ImcArray
        cost_model = _zz("zigzag.cost_model.cost_model")
        if isinstance(self.accelerator.operational_array, imc_array):
            cme_cls = _zz("zigzag.cost_model.cost_model_imc").CostModelEvaluationForIMC
        else:
            cme_cls = cost_model.CostModelEvaluation
        return cme_cls(
            accelerator=self.accelerator,
            layer=self.layer,
            spatial_mapping=self.spatial_mapping,
            spatial_mapping_int=self.spatial_mapping_int,
            temporal_mapping=temporal_mapping,
            access_same_data_considered_as_no_access=True,
        )

    def evaluate_fixed(self, temporal: TemporalSpec) -> OracleResult:
        """Evaluate per-operand per-level loops (before ZigZag's stationary merge-down)."""
        return result_from_cme(self.cme(self.temporal_mapping(temporal)))

    def evaluate_ordering(self, ordering: Ordering) -> OracleResult:
        """Evaluate a complete ordering, memory allocation by LOMA's allocator."""
        return result_from_cme(self.cme(self.allocate(ordering)))


def prepare(
    accelerator: AcceleratorSpec,
    layer: Mapping[str, Any],
    spatial: SpatialSpec,
    *,
    links: Mapping[str, str] | None = None,
) -> OracleProblem:
    """Resolve accelerator, layer and spatial mapping once, to evaluate many temporal mappings on them."""
    return OracleProblem(accelerator, layer, spatial, links=links)


def evaluate_fixed(
    accelerator: AcceleratorSpec,
    layer: Mapping[str, Any],
    spatial: SpatialSpec,
    temporal: TemporalSpec,
    *,
    links: Mapping[str, str] | None = None,
) -> OracleResult:
    """ZigZag 3.9.1's cost model on a fixed mapping.

    `accelerator`: a hardware YAML path, a bundled ZigZag example name (``"tpu_like"``) or a loaded YAML dict.
    `layer`: one layer in ZigZag's workload-YAML dict format. `spatial`: ``{"D1": {"K": 32}, "D2": {"C": 2,
    "FX": 3}}`` (OA dims not given unroll nothing). `temporal`: per layer operand, per memory level of that
    operand (innermost first), the loops (innermost first) before ZigZag's stationary merge-down; the levels of
    every operand concatenate to the same loops. `links`: layer operand -> memory operand (ZigZag's default
    ``O->O, W->I2, I->I1``).
    """
    return OracleProblem(accelerator, layer, spatial, links=links).evaluate_fixed(temporal)


def evaluate_ordering(
    accelerator: AcceleratorSpec,
    layer: Mapping[str, Any],
    spatial: SpatialSpec,
    ordering: Ordering,
    *,
    links: Mapping[str, str] | None = None,
) -> OracleResult:
    """ZigZag 3.9.1's cost model on a complete temporal ordering (innermost first), memory allocation by its LOMA
    ``MemoryAllocator`` (uneven), as ZigZag does for a user-fixed complete ``temporal_ordering``."""
    return OracleProblem(accelerator, layer, spatial, links=links, ordering=ordering).evaluate_ordering(ordering)
