"""ZigZag 3.9.1's own spatial mapping generation, for differential tests of `zigzag_opt.search.spatial`.

The objects are built as ZigZag's parser stages build them (see `zigzag_oracle`): the accelerator by its validator
and factory, the layer node by its workload and mapping validators and its layer-node factory with the *whole*
mapping file (so the entry is chosen by layer name, operator type or ``default``, as in a real run). Then
``SpatialMappingGeneratorStage.generate_spatial_mappings()`` is run and its mappings are returned in ZigZag's order,
as plain tuples comparable with `SpatialMapping.unrolling`.

``zigzag`` is imported lazily.
"""

from __future__ import annotations

import copy
import importlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from zigzag_opt.errors import InputError
from zigzag_opt.testing.random_triples import random_layer
from zigzag_opt.testing.zigzag_oracle import AcceleratorSpec, accelerator_data, load_accelerator

__all__ = [
    "SPATIAL_ACCELERATORS",
    "SpatialCase",
    "Unrolling",
    "bundled_mapping_path",
    "mapping_data",
    "random_spatial_case",
    "zigzag_dim_hash",
    "zigzag_layer_node",
    "zigzag_spatial_mappings",
]

#: Per array dim (ZigZag's dict order) the (layer dim, factor) pairs, as `SpatialMapping.unrolling`.
Unrolling = tuple[tuple[str, tuple[tuple[str, int], ...]], ...]

MappingSource = str | Path | Sequence[Mapping[str, Any]]


def _zz(module: str) -> Any:
    """Import a ZigZag module lazily, typed as ``Any``."""
    return importlib.import_module(module)


def bundled_mapping_path(name: str) -> Path:
    """Path of a mapping YAML bundled with ZigZag (``zigzag/inputs/mapping/<name>.yaml``)."""
    folder = Path(_zz("zigzag").__file__).parent / "inputs" / "mapping"
    path = folder / f"{name.removesuffix('.yaml')}.yaml"
    if not path.is_file():
        available = ", ".join(sorted(p.stem for p in folder.glob("*.yaml")))
        raise InputError.one("unknown bundled ZigZag mapping", key_path="mapping", value=name, accepted=available)
    return path


def mapping_data(mapping: MappingSource) -> list[dict[str, Any]]:
    """The raw entries of a mapping file: a path, a bundled ZigZag mapping name, or already-loaded entries."""
    if isinstance(mapping, str | Path):
        path = Path(mapping)
        if not (path.suffix in (".yaml", ".yml") and path.is_file()):
            path = bundled_mapping_path(str(mapping))
        data: list[dict[str, Any]] = _zz("zigzag.utils").open_yaml(str(path))
        return data
    return [dict(entry) for entry in mapping]


def zigzag_layer_node(layer: Mapping[str, Any], mapping: MappingSource) -> Any:
    """ZigZag ``LayerNode`` for one layer (ZigZag workload-YAML dict) with its entry of `mapping`."""
    wv = _zz("zigzag.parser.workload_validator").WorkloadValidator([copy.deepcopy(dict(layer))])
    workload = wv.normalized_data
    if not wv.validate():
        raise InputError.one("ZigZag's workload validator rejected the layer", key_path="layer", value=dict(layer))
    mv = _zz("zigzag.parser.mapping_validator").MappingValidator(copy.deepcopy(mapping_data(mapping)))
    entries = mv.normalized_data
    if not mv.validate():
        raise InputError.one(
            "ZigZag's mapping validator rejected the mapping", key_path="mapping", value=mv.validator.errors
        )
    return _zz("zigzag.parser.workload_factory").LayerNodeFactory(workload[0], entries).create()


def zigzag_spatial_mappings(
    accelerator: AcceleratorSpec,
    layer: Mapping[str, Any],
    mapping: MappingSource,
    *,
    nb_mappings: int = 3,
    enable_mix: bool = False,
    quiet: bool = True,
) -> list[Unrolling]:
    """What ZigZag's ``SpatialMappingGeneratorStage`` yields (all of it, collected as ZigZag's ``run`` does
    before evaluating), in order. `quiet` silences ZigZag's warnings about reduced unrollings."""
    node = zigzag_layer_node(layer, mapping)
    stage_cls = _zz("zigzag.stages.mapping.spatial_mapping_generation").SpatialMappingGeneratorStage
    cost_stage = _zz("zigzag.stages.evaluation.cost_model_evaluation").CostModelStage
    logger = logging.getLogger("zigzag")
    level = logger.level
    if quiet:
        logger.setLevel(logging.ERROR)
    try:
        stage = stage_cls(
            [cost_stage],
            accelerator=load_accelerator(accelerator),
            layer=node,
            enable_mix_spatial_mapping_generation=enable_mix,
            nb_mappings_generated=nb_mappings,
        )
        generated = list(stage.generate_spatial_mappings())
    finally:
        logger.setLevel(level)
    return [
        tuple((str(oa), tuple((str(dim), int(factor)) for dim, factor in single.items())) for oa, single in sm.items())
        for sm in generated
    ]


def zigzag_dim_hash(kind: str, name: str) -> int:
    """``hash()`` of ZigZag's ``LayerDim(name)`` (`kind` ``"LayerDim"``) or ``OADimension(name)``."""
    datatypes = _zz("zigzag.datatypes")
    return hash(getattr(datatypes, kind)(name))


# --------------------------------------------------------------------------------------------------------------
# Random cases that exercise every branch of the generator
# --------------------------------------------------------------------------------------------------------------

SPATIAL_ACCELERATORS: tuple[str, ...] = (
    "tpu_like",
    "edge_tpu_like",
    "ascend_like",
    "meta_prototype",
    "tesla_npu_like",
    "eyeriss_like",
    "gemm_l1",
    "gemm_l1_l3",
    "aimc",
    "dimc",
)
"""Bundled ZigZag hardware examples the random cases start from."""

_ARRAY_SIZES = (1, 2, 3, 4, 6, 8, 12, 16, 32)
_SMALL_SIZES = (8, 16, 24, 32, 48, 64, 128, 256, 512)
_BANDWIDTHS = (8, 16, 24, 32, 64, 128)
_FACTORS = (1, 2, 3, 4, 6, 7, 8, 12, 16, 28, 32, 64)
_FOREIGN_DIMS = ("G", "K", "C", "OX", "FY", "D1", "Z")


@dataclass(frozen=True)
class SpatialCase:
    """One input of the spatial mapping generator, in ZigZag's terms: a hardware-YAML dict, a workload-YAML layer
    dict, mapping-YAML entries, and the generator's two options."""

    accelerator: dict[str, Any]
    layer: dict[str, Any]
    mapping: list[dict[str, Any]]
    nb_mappings: int
    enable_mix: bool

    def zigzag(self) -> list[Unrolling]:
        """ZigZag's generated mappings for this case."""
        return zigzag_spatial_mappings(
            self.accelerator, self.layer, self.mapping, nb_mappings=self.nb_mappings, enable_mix=self.enable_mix
        )


def _pick(rng: np.random.Generator, items: Sequence[Any]) -> Any:
    return items[int(rng.integers(len(items)))]


def _subset(rng: np.random.Generator, items: Sequence[Any], p: float) -> list[Any]:
    chosen = [item for item in items if rng.random() < p]
    return [chosen[i] for i in rng.permutation(len(chosen))]


def _perturbed_accelerator(rng: np.random.Generator, name: str) -> dict[str, Any]:
    """A bundled accelerator with, at random, other array sizes and small memories made smaller, narrower and
    serving other array dims (to trigger the bandwidth and capacity limits)."""
    data = accelerator_data(name)
    array = data["operational_array"]
    dims: list[str] = list(array["dimensions"])
    if not array.get("is_imc", False) and rng.random() < 0.5:
        array["sizes"] = [int(_pick(rng, _ARRAY_SIZES)) for _ in dims]
    for mem_name, mem in data["memories"].items():
        if mem_name == "cells" or int(mem["size"]) > 65536:
            continue
        if rng.random() < 0.4:
            mem["size"] = int(_pick(rng, _SMALL_SIZES))
        if rng.random() < 0.3:
            mem["served_dimensions"] = _subset(rng, dims, 0.5)
        for port in mem["ports"]:
            if rng.random() < 0.3:
                port["bandwidth_min"] = port["bandwidth_max"] = int(_pick(rng, _BANDWIDTHS))
    return data


def _elementwise_layer(rng: np.random.Generator, kind: str) -> dict[str, Any]:
    g, ox = int(_pick(rng, (8, 16, 32, 64, 96))), int(_pick(rng, (7, 14, 28, 56)))
    if kind == "Add":
        return {
            "id": 0,
            "name": "add",
            "operator_type": "Add",
            "equation": "O[b][g][oy][ox]=W[b][g][oy][ox]+I[b][g][oy][ox]",
            "loop_dims": ["B", "G", "OY", "OX"],
            "loop_sizes": [1, g, ox, ox],
            "operand_precision": {"W": 8, "I": 8, "O": 16, "O_final": 8},
            "operand_source": {"W": 0, "I": 0},
        }
    return {
        "id": 0,
        "name": "pool",
        "operator_type": "Pooling",
        "equation": "O[b][g][oy][ox]+=W[fx][fy]*I[b][g][iy][ix]",
        "dimension_relations": ["ix=2*ox+1*fx", "iy=2*oy+1*fy"],
        "loop_dims": ["B", "G", "OY", "OX", "FX", "FY"],
        "loop_sizes": [1, g, ox, ox, 3, 3],
        "operand_precision": {"I": 8, "W": 0, "O": 16, "O_final": 8},
        "operand_source": {"I": 0, "W": 0},
    }


def _random_entry(rng: np.random.Generator, layer_dims: list[str], oa_dims: list[str]) -> dict[str, Any]:
    names = [*layer_dims, *_subset(rng, [d for d in _FOREIGN_DIMS if d not in layer_dims], 0.15)]
    entry: dict[str, Any] = {"name": "default"}
    if rng.random() < 0.6:
        entry["spatial_mapping"] = {
            oa: [f"{dim}, {int(_pick(rng, _FACTORS))}" for dim in _subset(rng, names, 0.25)]
            for oa in _subset(rng, oa_dims, 0.5)
        }
    if rng.random() < 0.7:
        entry["spatial_mapping_hint"] = {
            oa: [str(_pick(rng, names)) for _ in range(int(rng.integers(1, 5)))]
            for oa in _subset(rng, ["D1", "D2", "D3", "D4"], 0.5)
        }
    return entry


def random_spatial_case(rng: np.random.Generator) -> SpatialCase:
    """A seeded random generator input: a perturbed bundled accelerator, a ResNet-18-like, depthwise, GEMM,
    pooling or add layer, a random (partial, oversized, foreign-dim) spatial mapping and random hints (also for
    array dims the core lacks), `nb_mappings` in 1..6 and mixing on or off."""
    accelerator = _perturbed_accelerator(rng, str(_pick(rng, SPATIAL_ACCELERATORS)))
    draw = rng.random()
    layer = random_layer(rng) if draw < 0.75 else _elementwise_layer(rng, "Add" if draw < 0.87 else "Pooling")
    oa_dims = list(accelerator["operational_array"]["dimensions"])
    layer_dims = list(layer["loop_dims"])
    entry = _random_entry(rng, layer_dims, oa_dims)
    enable_mix = bool(rng.random() < 0.5)
    if enable_mix:  # ZigZag needs minutes for 3+ array dims with all layer dims mixed: hint all but two
        fixed = set(entry.get("spatial_mapping", {}))
        hints = entry.setdefault("spatial_mapping_hint", {})
        for oa in [oa for oa in oa_dims if oa not in fixed and oa not in hints][2:]:
            hints[oa] = _subset(rng, layer_dims, 0.2) or [str(_pick(rng, layer_dims))]
    return SpatialCase(
        accelerator=accelerator,
        layer=layer,
        mapping=[entry],
        nb_mappings=int(rng.integers(1, 7)),
        enable_mix=enable_mix,
    )
