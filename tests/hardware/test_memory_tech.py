"""The memory technology model: its fit on the calibration points stays within the errors docs/memory_tech.md
states, the calibration points match their sources, and costs never decrease with capacity, width or ports."""

from __future__ import annotations

import statistics
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from zigzag_opt.errors import InputError
from zigzag_opt.hardware.memory_tech import (
    AREA_CALIBRATION,
    DEFAULT_TECH,
    ENERGY_CALIBRATION,
    PowerLaw,
    estimate_memory_costs,
    memory_port_count,
    memory_word_bits,
)
from zigzag_opt.library import load_accelerator

# (median, max) of |model / data - 1| as stated in docs/memory_tech.md.
STATED = {"read": (0.23, 0.63), "write": (0.17, 0.66), "area": (0.15, 0.22)}


def _errors(quantity: str) -> list[float]:
    t = DEFAULT_TECH
    if quantity == "area":
        return [abs(t.area_mm2(p.size_bits, p.width_bits, p.ports) / p.value[0] - 1) for p in AREA_CALIBRATION]
    fn, col = (t.read_energy_pj, 0) if quantity == "read" else (t.write_energy_pj, 1)
    return [abs(fn(p.size_bits, p.width_bits, p.ports) / p.value[col] - 1) for p in ENERGY_CALIBRATION]


@pytest.mark.parametrize("quantity", sorted(STATED))
def test_fit_error_within_stated_bounds(quantity: str) -> None:
    errors = _errors(quantity)
    median, worst = STATED[quantity]
    assert statistics.median(errors) <= median
    assert max(errors) <= worst


def test_calibration_points_are_unique_and_sized() -> None:
    assert len(ENERGY_CALIBRATION) == 16
    assert len(AREA_CALIBRATION) == 9
    assert len({(p.size_bits, p.width_bits, p.ports) for p in ENERGY_CALIBRATION}) == len(ENERGY_CALIBRATION)


def test_energy_points_match_the_bundled_accelerators() -> None:
    for point in ENERGY_CALIBRATION:
        if point.source.startswith("HardwareOptimizerStage"):
            kib = int(point.source.split()[2])
            assert point.size_bits == int(kib * 1024 * 8 * 0.8)
            assert point.value[1] == pytest.approx(1.2 * point.value[0])
            continue
        acc_name, mem_name = point.source.split()
        mem = load_accelerator(acc_name).core.memory(mem_name)
        assert (mem.size_bits, memory_word_bits(mem), memory_port_count(mem)) == (
            point.size_bits,
            point.width_bits,
            point.ports,
        )
        assert (mem.read_energy_pj, mem.write_energy_pj) == point.value


def test_area_points_match_zigzags_cacti_pool() -> None:
    zigzag = pytest.importorskip("zigzag")
    path = Path(zigzag.__file__).parent / "cacti" / "cacti_master" / "example_mem_pool.yaml"
    pool = yaml.safe_load(path.read_text())
    for point in AREA_CALIBRATION:
        key = point.source.removeprefix("CACTI 22nm ") + "_BANK_COUNT_1_TECH_0.022"
        entry = pool[key]
        ports = sum(int(entry[k]) for k in ("ex_rd_port", "ex_wr_port", "rd_wr_port"))
        assert (entry["size_bit"], entry["IO_bus_width"], ports) == (point.size_bits, point.width_bits, point.ports)
        assert float(entry["area"]) == point.value[0]


sizes = st.integers(min_value=8, max_value=2**34)
widths = st.integers(min_value=1, max_value=2**15)
ports = st.integers(min_value=1, max_value=8)


@given(sizes, sizes, widths, ports)
def test_costs_increase_with_capacity(a: int, b: int, width: int, n: int) -> None:
    small, large = sorted((a, b))
    for fn in (DEFAULT_TECH.read_energy_pj, DEFAULT_TECH.write_energy_pj, DEFAULT_TECH.area_mm2):
        assert fn(small, width, n) <= fn(large, width, n)
        if small < large:
            assert fn(small, width, n) < fn(large, width, n)


@given(sizes, widths, widths, ports)
def test_costs_increase_with_width(size: int, a: int, b: int, n: int) -> None:
    narrow, wide = sorted((a, b))
    for fn in (DEFAULT_TECH.read_energy_pj, DEFAULT_TECH.write_energy_pj, DEFAULT_TECH.area_mm2):
        assert fn(size, narrow, n) <= fn(size, wide, n)
        if narrow < wide:
            assert fn(size, narrow, n) < fn(size, wide, n)


@given(sizes, widths, ports, ports)
def test_costs_do_not_decrease_with_ports(size: int, width: int, a: int, b: int) -> None:
    few, many = sorted((a, b))
    for fn in (DEFAULT_TECH.read_energy_pj, DEFAULT_TECH.write_energy_pj, DEFAULT_TECH.area_mm2):
        assert fn(size, width, few) <= fn(size, width, many)


def test_reference_memory_gives_the_reference_values() -> None:
    t = DEFAULT_TECH
    assert t.read_energy_pj(2**20, 512, 2) == pytest.approx(t.read.at_ref)
    assert t.write_energy_pj(2**20, 512) == pytest.approx(t.write.at_ref)
    assert t.area_mm2(2**20, 512) == pytest.approx(t.area.at_ref)


@pytest.mark.parametrize(("size", "width", "n"), [(0, 8, 2), (1024, 0, 2), (1024, 8, 0), (-5, 8, 1)])
def test_bad_shapes_are_input_errors(size: int, width: int, n: int) -> None:
    with pytest.raises(InputError):
        DEFAULT_TECH.read_energy_pj(size, width, n)


def test_power_law_rejects_negative_exponents_and_nonpositive_values() -> None:
    with pytest.raises(InputError, match="exponent"):
        PowerLaw(at_ref=1.0, size_exp=-0.1, width_exp=0.5, ports_exp=1.0)
    with pytest.raises(InputError, match="at_ref"):
        PowerLaw(at_ref=0.0, size_exp=0.1, width_exp=0.5, ports_exp=1.0)


def test_estimate_memory_costs_uses_the_read_port_width_and_port_count() -> None:
    mem = load_accelerator("tpu_like").core.memory("sram_2MB")
    out = estimate_memory_costs(mem)
    assert out.read_energy_pj == pytest.approx(DEFAULT_TECH.read_energy_pj(mem.size_bits, 2048, 2))
    assert out.write_energy_pj == pytest.approx(DEFAULT_TECH.write_energy_pj(mem.size_bits, 2048, 2))
    assert out.area_mm2 == pytest.approx(DEFAULT_TECH.area_mm2(mem.size_bits, 2048, 2))
    assert replace(out, read_energy_pj=0.0, write_energy_pj=0.0, area_mm2=0.0) == replace(
        mem, read_energy_pj=0.0, write_energy_pj=0.0, area_mm2=0.0
    )
    # gemm_l1_l3's l1 has only read-write ports of 512, 512, 2048 and 512 bits: the first one sets the word.
    l1 = load_accelerator("gemm_l1_l3").core.memory("l1")
    assert (memory_word_bits(l1), memory_port_count(l1)) == (512, 4)
