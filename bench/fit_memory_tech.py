"""Fit the memory technology model (zigzag_opt/hardware/memory_tech.py) and print its coefficients and fit errors.

The model is a power law in capacity S (bits), word width W (bits, the read port's bandwidth_max) and port count P,
fitted by least squares in log space and written relative to a reference memory (1 Mibit, 512-bit words, 2 ports):

    y = y_ref · (S / 2**20)**a · (W / 512)**b · (P / 2)**c

* read and write energy per full-width access (pJ): calibrated to the SRAMs of ZigZag 3.9.1's example accelerators
  (their hand-copied CACTI costs, as bundled in zigzag_opt/library) and to the L1 sweep of ZigZag's
  HardwareOptimizerStage (32..512 KiB x 0.8, 64-byte words, read 95..147 pJ, write 1.2 x read, 3 read-write ports);
* area (mm²): calibrated to the CACTI 7 entries ZigZag ships in cacti/cacti_master/example_mem_pool.yaml that its
  CACTI wrapper can return by default (technology 0.022 = 22 nm, one bank).

The calibration points are the constants ENERGY_CALIBRATION / AREA_CALIBRATION of memory_tech.py; this script
re-derives them from their sources (and fails if they drifted), fits, and prints the coefficients to paste into
memory_tech.py and the error table for docs/memory_tech.md.

Usage: .venv/bin/python bench/fit_memory_tech.py
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import yaml

from zigzag_opt.hardware.memory_tech import (
    AREA_CALIBRATION,
    DEFAULT_TECH,
    ENERGY_CALIBRATION,
    REF_PORTS,
    REF_SIZE_BITS,
    REF_WIDTH_BITS,
    CalibrationPoint,
    memory_port_count,
    memory_word_bits,
)
from zigzag_opt.library import load_accelerator

# (accelerator, memory) pairs whose costs are used. Left out, with the reason (see docs/memory_tech.md):
#   aimc/dimc sram_256KB, generic_array sram_32MB: costs copied from tpu_like's sram_2MB at another size/width;
#   gemm_l1 l1: costs copied from edge_tpu_like's sram_32KB at 16x the capacity;
#   eyeriss_like: round illustrative numbers; register files (< 1 Kibit) and DRAMs: not SRAM macros.
EXAMPLE_MEMORIES = (
    ("tpu_like", "sram_2MB"),
    ("edge_tpu_like", "sram_32KB"),
    ("ascend_like", "rf_64KB_I"),
    ("ascend_like", "rf_64KB_W"),
    ("ascend_like", "sram_256KB_O"),
    ("ascend_like", "sram_1MB_A"),
    ("meta_prototype", "sram_64KB"),
    ("meta_prototype", "sram_32KB"),
    ("meta_prototype", "sram_1MB_A"),
    ("tesla_npu_like", "sram_1KB_I"),
    ("gemm_l1_l3", "l1"),
)
L1_SWEEP_READ_PJ = {32: 95.0, 64: 104.0, 128: 118.0, 256: 132.0, 512: 147.0}  # KiB -> pJ (hardware_opt_stages.py)


def example_points() -> list[CalibrationPoint]:
    points = []
    for acc_name, mem_name in EXAMPLE_MEMORIES:
        mem = load_accelerator(acc_name).core.memory(mem_name)
        points.append(
            CalibrationPoint(
                source=f"{acc_name} {mem_name}",
                size_bits=mem.size_bits,
                width_bits=memory_word_bits(mem),
                ports=memory_port_count(mem),
                value=(mem.read_energy_pj, mem.write_energy_pj),
            )
        )
    for kib, read in L1_SWEEP_READ_PJ.items():
        size = int(kib * 1024 * 8 * 0.8)  # as HardwareOptimizerStage._update_l1_size_in_yaml
        points.append(
            CalibrationPoint(
                source=f"HardwareOptimizerStage l1 {kib} KiB",
                size_bits=size,
                width_bits=512,
                ports=3,
                value=(read, 1.2 * read),
            )
        )
    return points


def pool_points() -> list[CalibrationPoint]:
    import zigzag

    path = Path(zigzag.__file__).parent / "cacti" / "cacti_master" / "example_mem_pool.yaml"
    with path.open() as fh:
        data = yaml.safe_load(fh)
    points = []
    for key, entry in data.items():
        # ZigZag asks its CACTI pool for technology 0.022 and one bank; other entries are never returned.
        if float(entry.get("technology", -1)) != 0.022 or int(entry.get("bank_count", 1)) != 1:
            continue
        ports = int(entry["ex_rd_port"]) + int(entry["ex_wr_port"]) + int(entry["rd_wr_port"])
        points.append(
            CalibrationPoint(
                source=f"CACTI 22nm {key.split('_BANK')[0]}",
                size_bits=int(entry["size_bit"]),
                width_bits=int(entry["IO_bus_width"]),
                ports=ports,
                value=(float(entry["area"]),),
            )
        )
    return points


def fit(points: list[CalibrationPoint], column: int) -> tuple[tuple[float, float, float, float], np.ndarray]:
    """Least squares in log space; returns (value at the reference memory, a, b, c) and the relative errors."""
    x = np.array(
        [
            [
                1.0,
                math.log(p.size_bits / REF_SIZE_BITS),
                math.log(p.width_bits / REF_WIDTH_BITS),
                math.log(p.ports / REF_PORTS),
            ]
            for p in points
        ]
    )
    y = np.log(np.array([p.value[column] for p in points]))
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    rel = np.exp(x @ coef - y) - 1.0
    return (float(math.exp(coef[0])), float(coef[1]), float(coef[2]), float(coef[3])), rel


def main() -> None:
    energy, area = example_points(), pool_points()
    assert tuple(energy) == ENERGY_CALIBRATION, "memory_tech.ENERGY_CALIBRATION differs from its sources"
    assert tuple(area) == AREA_CALIBRATION, "memory_tech.AREA_CALIBRATION differs from its sources"
    fits = {"read": fit(energy, 0), "write": fit(energy, 1), "area": fit(area, 0)}
    print("# coefficients for memory_tech.DEFAULT_TECH (value at the reference memory, a, b, c)")
    for name, (coef, rel) in fits.items():
        print(f"{name:6s} PowerLaw({coef[0]:.6g}, {coef[1]:.4f}, {coef[2]:.4f}, {coef[3]:.4f})")
        print(
            f"       median |rel err| {np.median(np.abs(rel)):.3f}  max {np.max(np.abs(rel)):.3f}  ({len(rel)} points)"
        )
    print("\n# the model as hard-coded in memory_tech.py, on every calibration point (rel err = model / data - 1)")
    print("| point | size (bits) | width | ports | read pJ | model | err | write pJ | model | err |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    t = DEFAULT_TECH
    for p in energy:
        r = t.read_energy_pj(p.size_bits, p.width_bits, p.ports)
        w = t.write_energy_pj(p.size_bits, p.width_bits, p.ports)
        print(
            f"| {p.source} | {p.size_bits} | {p.width_bits} | {p.ports} | {p.value[0]:.4g} | {r:.4g} | "
            f"{r / p.value[0] - 1:+.2f} | {p.value[1]:.4g} | {w:.4g} | {w / p.value[1] - 1:+.2f} |"
        )
    print("\n| point | size (bits) | width | ports | area mm² | model | err |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for p in area:
        a = t.area_mm2(p.size_bits, p.width_bits, p.ports)
        print(
            f"| {p.source} | {p.size_bits} | {p.width_bits} | {p.ports} | {p.value[0]:.4g} | {a:.4g} | "
            f"{a / p.value[0] - 1:+.2f} |"
        )


if __name__ == "__main__":
    main()
