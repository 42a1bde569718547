"""Mapper speed and quality against ZigZag 3.9.1's LOMA, in one process.

Per layer (ResNet-18 from ZigZag's resnet18.yaml, unique shapes, on an accelerator with its mapping file):
ZigZag's full API on a one-layer workload (LOMA, lpf_limit 6, latency criterion), this project's LOMA in
compatible mode, and this project's exhaustive engine — time and best energy/latency. Then the whole ResNet-18
(ONNX, 21 layers, ZigZag-compatible import) on tpu_like: ZigZag's API vs ours.

Usage: .venv/bin/python bench/mapper.py [--accelerator tpu_like] [--layers 6] [--skip-network]
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path

import yaml

from zigzag_opt.io.onnx_import import import_onnx
from zigzag_opt.io.zigzag_compat import load_zigzag_accelerator, load_zigzag_mapping, load_zigzag_workload
from zigzag_opt.search.base import Criterion
from zigzag_opt.search.network import MapperOptions, map_layer, map_network, spatial_source

ROOT = Path(__file__).resolve().parents[1]
MAPPINGS = {"meta_prototype": "meta_prototype_like"}


def _zigzag_inputs() -> Path:
    import zigzag

    return Path(zigzag.__file__).parent / "inputs"


def _zigzag_api(workload: object, hw: Path, mp: Path) -> tuple[float, float, float]:
    from zigzag.api import get_hardware_performance_zigzag

    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        energy, latency, _ = get_hardware_performance_zigzag(
            workload, str(hw), str(mp), opt="latency", dump_folder=out, loma_show_progress_bar=False
        )
    return float(energy), float(latency), time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accelerator", default="tpu_like")
    parser.add_argument("--layers", type=int, default=6, help="unique layers to compare")
    parser.add_argument("--skip-network", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    z = _zigzag_inputs()
    hw = z / "hardware" / f"{args.accelerator}.yaml"
    mp = z / "mapping" / f"{MAPPINGS.get(args.accelerator, args.accelerator)}.yaml"
    core = load_zigzag_accelerator(hw).core
    specs = load_zigzag_mapping(mp)
    raw = yaml.safe_load((ROOT / "tests/data/zigzag_workloads/resnet18.yaml").read_text())
    net = load_zigzag_workload(raw)
    compat = MapperOptions(criterion=Criterion.LATENCY, engine="loma", lpf_limit=6, spatial=spatial_source(3))
    exact = MapperOptions(criterion=Criterion.LATENCY, engine="exhaustive", lpf_limit=6, spatial=spatial_source(3))

    from zigzag_opt.mapping.spec import select_spec

    warm = net.layers[-1]  # not one of the layers timed below
    warm_spec = select_spec(specs, warm)
    assert warm_spec is not None
    start = time.perf_counter()
    map_layer(warm, core, warm_spec, compat)
    print("warm-up (loads the numba kernels once per process, from the disk cache after the first run; then maps")
    print(f"{warm.name}): {time.perf_counter() - start:.2f} s, not counted below\n")
    print(f"Per layer on {args.accelerator} (latency criterion)")
    header = (
        f"{'layer':<24}{'ZigZag s':>9}{'ours s':>9}{'×':>7}{'exact s':>9}  energy pJ: ZigZag / ours LOMA / ours exact"
    )
    print(header)
    seen: set[str] = set()
    rows = 0
    for item in raw:
        key = json.dumps({k: v for k, v in item.items() if k not in ("id", "name", "operand_source")}, sort_keys=True)
        if key in seen or item.get("operator_type") not in ("Conv", "Conv_downsample"):
            continue
        seen.add(key)
        one = dict(item)
        one["operand_source"] = {k: one["id"] for k in one.get("operand_source", {})}
        ze, _zl, zt = _zigzag_api([one], hw, mp)
        layer = next(lay for lay in net.layers if lay.id == item["id"])
        spec = select_spec(specs, layer)
        assert spec is not None
        start = time.perf_counter()
        ours = map_layer(layer, core, spec, compat)
        ot = time.perf_counter() - start
        start = time.perf_counter()
        best = map_layer(layer, core, spec, exact)
        et = time.perf_counter() - start
        print(
            f"{layer.name[:23]:<24}{zt:>9.2f}{ot:>9.3f}{zt / ot:>7.0f}{et:>9.3f}  "
            f"{ze:,.0f} / {ours.report.energy_pj:,.0f} / {best.report.energy_pj:,.0f}"
        )
        rows += 1
        if rows >= args.layers:
            break

    if args.skip_network:
        return
    onnx_path = z / "workload" / "resnet18.onnx"
    ze, zl, zt = _zigzag_api(str(onnx_path), hw, mp)
    onnx_net = import_onnx(onnx_path, compat="zigzag")
    start = time.perf_counter()
    result = map_network(onnx_net, core, specs, compat)
    ot = time.perf_counter() - start
    print(f"\nWhole ResNet-18 (ONNX, {len(onnx_net.layers)} layers) on {args.accelerator}, one process:")
    print(f"  ZigZag  {zt:8.1f} s  energy {ze:,.3f} pJ  latency {zl:,.0f} cycles")
    print(f"  ours    {ot:8.2f} s  energy {result.energy_pj:,.3f} pJ  latency {result.latency_cycles:,.0f} cycles")
    print(f"  speed-up {zt / ot:,.0f}×")


if __name__ == "__main__":
    main()
