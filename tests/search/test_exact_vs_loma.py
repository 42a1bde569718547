"""The exact engine's optimum is never worse than LOMA's (lpf_limit 6, ZigZag's engine) on ResNet-18 layers of the
bundled accelerators; LOMA in compatible mode is ZigZag's own result (the whole suite is checked in
test_zigzag_suite.py, so LOMA's per-layer numbers here are ZigZag's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from zigzag_opt.io.zigzag_compat import load_zigzag_workload
from zigzag_opt.library import load_accelerator, load_mapping
from zigzag_opt.mapping import select_spec
from zigzag_opt.search import Criterion, MapperOptions, map_layer
from zigzag_opt.search.network import spatial_source

DATA = Path(__file__).resolve().parents[1] / "data" / "zigzag_workloads"
NET = load_zigzag_workload(DATA / "resnet18.yaml")
PAIRS = {"tpu_like": "tpu_like", "edge_tpu_like": "edge_tpu_like", "meta_prototype": "meta_prototype_like"}
FAST = [("tpu_like", 8), ("edge_tpu_like", 2), ("meta_prototype", 23)]
SLOW = [(acc, lid) for acc in PAIRS for lid in (2, 8, 16, 23, 30) if (acc, lid) not in FAST]


def _compare(accelerator: str, layer_id: int) -> None:
    core = load_accelerator(accelerator).core
    specs = load_mapping(PAIRS[accelerator])
    layer = NET.layer(layer_id)
    spec = select_spec(specs, layer)
    assert spec is not None
    for criterion in (Criterion.LATENCY, Criterion.ENERGY):
        base = MapperOptions(criterion=criterion, lpf_limit=6, spatial=spatial_source(3))
        loma = map_layer(layer, core, spec, base).report
        exact = map_layer(layer, core, spec, MapperOptions(**{**_fields(base), "engine": "exhaustive"})).report
        if criterion is Criterion.LATENCY:
            assert (exact.latency_cycles, exact.energy_pj) <= (loma.latency_cycles, loma.energy_pj)
        else:
            assert (exact.energy_pj, exact.latency_cycles) <= (loma.energy_pj, loma.latency_cycles)


def _fields(options: MapperOptions) -> dict[str, object]:
    return {f: getattr(options, f) for f in ("criterion", "lpf_limit", "spatial", "budget", "seed")}


@pytest.mark.parametrize(("accelerator", "layer_id"), FAST)
def test_exact_never_worse_than_loma(accelerator: str, layer_id: int) -> None:
    _compare(accelerator, layer_id)


@pytest.mark.slow
@pytest.mark.parametrize(("accelerator", "layer_id"), SLOW)
def test_exact_never_worse_than_loma_more_layers(accelerator: str, layer_id: int) -> None:
    _compare(accelerator, layer_id)
