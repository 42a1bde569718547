"""A memory technology model: SRAM read/write energy per full-width access and area as functions of capacity,
word width and port count.

Each quantity is a power law relative to a reference memory (1 Mibit, 512-bit words, 2 ports)::

    y = y_ref · (size_bits / 2**20)**a · (width_bits / 512)**b · (ports / 2)**c

fitted in log space by ``bench/fit_memory_tech.py``: the energies to the CACTI-derived costs of ZigZag's example
SRAMs (`ENERGY_CALIBRATION`), the area to the 22 nm CACTI 7 entries ZigZag ships (`AREA_CALIBRATION`). The fit
errors and the limits of the model are in ``docs/memory_tech.md``. The model describes on-chip SRAM; it is used for
memories whose costs are marked automatic (`auto_cost`) when a design changes their size or width.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from zigzag_opt.errors import InputError, Problem, raise_if
from zigzag_opt.hardware.memory import Memory, PortType

__all__ = [
    "AREA_CALIBRATION",
    "DEFAULT_TECH",
    "ENERGY_CALIBRATION",
    "REF_PORTS",
    "REF_SIZE_BITS",
    "REF_WIDTH_BITS",
    "CalibrationPoint",
    "MemoryTech",
    "PowerLaw",
    "estimate_memory_costs",
    "memory_port_count",
    "memory_word_bits",
]

REF_SIZE_BITS = 2**20
REF_WIDTH_BITS = 512
REF_PORTS = 2


def _positive(name: str, value: float) -> list[Problem]:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        return [Problem(rule=f"{name} must be a finite number > 0", key_path=name, value=value, accepted="> 0")]
    return []


@dataclass(frozen=True, slots=True, kw_only=True)
class PowerLaw:
    """``at_ref · (S / REF_SIZE_BITS)**size_exp · (W / REF_WIDTH_BITS)**width_exp · (P / REF_PORTS)**ports_exp``.

    Exponents are >= 0, so the value never decreases with capacity, width or port count.
    """

    at_ref: float
    size_exp: float
    width_exp: float
    ports_exp: float

    def __post_init__(self) -> None:
        problems = _positive("at_ref", self.at_ref)
        for name in ("size_exp", "width_exp", "ports_exp"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < math.inf:
                problems.append(Problem(rule="an exponent must be a finite number >= 0", key_path=name, value=value))
        raise_if(problems)

    def __call__(self, size_bits: float, width_bits: float, ports: float) -> float:
        return float(
            self.at_ref
            * (size_bits / REF_SIZE_BITS) ** self.size_exp
            * (width_bits / REF_WIDTH_BITS) ** self.width_exp
            * (ports / REF_PORTS) ** self.ports_exp
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class MemoryTech:
    """Per-access energies (pJ per full-width word) and area (mm²) of an SRAM macro of a given shape."""

    name: str
    read: PowerLaw
    write: PowerLaw
    area: PowerLaw

    def read_energy_pj(self, size_bits: float, width_bits: float, ports: int = 2) -> float:
        """Energy of reading one `width_bits` word from a `size_bits` memory with `ports` ports."""
        _check_shape(size_bits, width_bits, ports)
        return self.read(size_bits, width_bits, ports)

    def write_energy_pj(self, size_bits: float, width_bits: float, ports: int = 2) -> float:
        """Energy of writing one `width_bits` word into a `size_bits` memory with `ports` ports."""
        _check_shape(size_bits, width_bits, ports)
        return self.write(size_bits, width_bits, ports)

    def area_mm2(self, size_bits: float, width_bits: float, ports: int = 2) -> float:
        """Area of one instance of the memory."""
        _check_shape(size_bits, width_bits, ports)
        return self.area(size_bits, width_bits, ports)


def _check_shape(size_bits: float, width_bits: float, ports: int) -> None:
    problems = _positive("size_bits", size_bits) + _positive("width_bits", width_bits)
    if isinstance(ports, bool) or not isinstance(ports, int) or ports < 1:
        problems.append(
            Problem(rule="a memory needs at least one port", key_path="ports", value=ports, accepted=">= 1")
        )
    raise_if(problems)


def memory_word_bits(mem: Memory) -> int:
    """The word width the costs of `mem` refer to: the bandwidth_max of its first read port, else of its first
    read-write port, else of its first port (ZigZag's rule for CACTI cost extraction)."""
    for kind in (PortType.READ, PortType.READ_WRITE):
        for port in mem.ports:
            if port.type is kind:
                return port.bandwidth_max_bits
    if not mem.ports:
        raise InputError.one("a memory needs ports to estimate its costs", key_path=f"memories.{mem.name}.ports")
    return mem.ports[0].bandwidth_max_bits


def memory_port_count(mem: Memory) -> int:
    return len(mem.ports)


def estimate_memory_costs(mem: Memory, tech: MemoryTech | None = None) -> Memory:
    """`mem` with read/write energies and area from `tech` (default `DEFAULT_TECH`) for its size, width, ports."""
    t = DEFAULT_TECH if tech is None else tech
    size, width, ports = mem.size_bits, memory_word_bits(mem), memory_port_count(mem)
    return replace(
        mem,
        read_energy_pj=t.read_energy_pj(size, width, ports),
        write_energy_pj=t.write_energy_pj(size, width, ports),
        area_mm2=t.area_mm2(size, width, ports),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CalibrationPoint:
    """One memory the model was fitted to: `value` is (read pJ, write pJ) or (area mm²,)."""

    source: str
    size_bits: int
    width_bits: int
    ports: int
    value: tuple[float, ...]


def _points(rows: tuple[tuple[str, int, int, int, tuple[float, ...]], ...]) -> tuple[CalibrationPoint, ...]:
    return tuple(CalibrationPoint(source=s, size_bits=n, width_bits=w, ports=p, value=v) for s, n, w, p, v in rows)


# fmt: off
ENERGY_CALIBRATION = _points((
    ("tpu_like sram_2MB", 16777216, 2048, 2, (416.16, 378.4)),
    ("edge_tpu_like sram_32KB", 262144, 512, 2, (22.9, 52.01)),
    ("ascend_like rf_64KB_I", 65536, 512, 2, (26.56, 30.72)),
    ("ascend_like rf_64KB_W", 65536, 2048, 2, (50.16, 108.0)),
    ("ascend_like sram_256KB_O", 2097152, 2048, 2, (123.2, 212.8)),
    ("ascend_like sram_1MB_A", 8388608, 4096, 2, (465.6, 825.6)),
    ("meta_prototype sram_64KB", 524288, 512, 2, (26.56, 30.8)),
    ("meta_prototype sram_32KB", 262144, 256, 2, (13.28, 15.4)),
    ("meta_prototype sram_1MB_A", 8388608, 1024, 2, (208.08, 189.2)),
    ("tesla_npu_like sram_1KB_I", 8192, 256, 2, (4.78, 5.59)),
    ("gemm_l1_l3 l1", 943718, 512, 4, (118.0, 141.6)),
    ("HardwareOptimizerStage l1 32 KiB", 209715, 512, 3, (95.0, 114.0)),
    ("HardwareOptimizerStage l1 64 KiB", 419430, 512, 3, (104.0, 124.8)),
    ("HardwareOptimizerStage l1 128 KiB", 838860, 512, 3, (118.0, 141.6)),
    ("HardwareOptimizerStage l1 256 KiB", 1677721, 512, 3, (132.0, 158.4)),
    ("HardwareOptimizerStage l1 512 KiB", 3355443, 512, 3, (147.0, 176.4)),
))
AREA_CALIBRATION = _points((
    ("CACTI 22nm 128_Byte_8_BW_1_1_0", 1024, 8, 2, (0.000309137,)),
    ("CACTI 22nm 2097152_Byte_256_BW_1_1_0", 16777216, 256, 2, (3.66505,)),
    ("CACTI 22nm 128_Byte_16_BW_1_1_0", 1024, 16, 2, (0.000320741,)),
    ("CACTI 22nm 128_Byte_32_BW_2_2_0", 1024, 32, 4, (0.000950414,)),
    ("CACTI 22nm 2048_Byte_256_BW_2_2_0", 16384, 256, 4, (0.0268598,)),
    ("CACTI 22nm 33554432_Byte_256_BW_2_2_0", 268435456, 256, 4, (138.63,)),
    ("CACTI 22nm 33554432_Byte_8192_BW_1_1_0", 268435456, 8192, 2, (153.898,)),
    ("CACTI 22nm 1250000000_Byte_2048_BW_0_0_1", 10000000000, 2048, 1, (1053.63,)),
    ("CACTI 22nm 33554432_Byte_16384_BW_2_2_0", 268435456, 16384, 4, (710.457,)),
))
# fmt: on

# Coefficients printed by bench/fit_memory_tech.py (see docs/memory_tech.md for the fit errors).
DEFAULT_TECH = MemoryTech(
    name="zigzag-examples-sram (energy) / cacti7-22nm (area)",
    read=PowerLaw(at_ref=45.004, size_exp=0.3348, width_exp=0.8023, ports_exp=2.1449),
    write=PowerLaw(at_ref=50.5774, size_exp=0.2468, width_exp=1.0562, ports_exp=2.2464),
    area=PowerLaw(at_ref=0.497987, size_exp=0.8800, width_exp=0.3576, ports_exp=1.4025),
)
