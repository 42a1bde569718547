"""In-memory-computing (IMC) macro model: area, clock period, peak figures and the energy of a layer.

The equations are ZigZag 3.9.1's analog (AIMC) and digital (DIMC) SRAM macro model, 28 nm technology
constants included (reference/zigzag-model.md §4). Pure functions over `ImcParams`, the PE array and, for the
energy of a layer, the layer and its user-level spatial mapping.

Geometry. The PE array dims sorted by name: the first is the wordline dim (``wl``: inputs are broadcast along it,
one adder-tree / ADC column per position), the second the bitline dim (``bl``: products are summed along it), the
product of the others is the number of macros (banks). Every PE position holds one cell group of
`cells_size_bits` bits (`group_depth` weights).

Units: area mm², delay ns, energy pJ (capacitances in pF times volts squared).

Where ZigZag's code crashes, this module follows a deliberate model (docs/deviations.md):

* bitline precharge when ``group_depth > 1`` (ZigZag reads an attribute that does not exist): one precharge of
  every mapped cell group's local bitlines per macro activation (`layer_energy_breakdown`);
* the "diagonal" row count when a weight-irrelevant dim (OX, OY) is unrolled on the wordline dim and only one
  layer dim on the bitline dim (ZigZag indexes past a one-element list), or when a weight-irrelevant dim has no
  partner in an input relation (ZigZag raises ``KeyError``): the same formula ZigZag uses for the mixed case.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from zigzag_opt.errors import InputError, raise_if
from zigzag_opt.hardware.imc import ImcParams, imc_array_problems
from zigzag_opt.hardware.pe_array import PEArray
from zigzag_opt.mapping.spatial import SpatialMapping
from zigzag_opt.mapping.zigzag_order import LAYER_DIM
from zigzag_opt.mapping.zigzag_order import zigzag_set_order as _set_order
from zigzag_opt.workload.layer import Layer, Operand, Relevance

__all__ = [
    "IMC_COMPONENTS",
    "IMC_ENERGY_COMPONENTS",
    "TECH_28NM",
    "ImcPeak",
    "ImcStructure",
    "MappedArray",
    "Tech",
    "adc_cost",
    "area",
    "area_breakdown",
    "dac_energy",
    "layer_energy",
    "layer_energy_breakdown",
    "mapped_array",
    "peak_cycle_energy_breakdown",
    "peak_performance",
    "regular_adder_tree_energy",
    "structure",
    "tclk",
    "tclk_breakdown",
    "zigzag_set_order",
]

#: Keys of the area (mm²) and clock-period (ns) breakdowns, ZigZag's names.
IMC_COMPONENTS = ("cells", "dacs", "adcs", "mults", "adders_regular", "adders_pv", "accumulators")
#: Keys of the energy (pJ) breakdowns, ZigZag's names.
IMC_ENERGY_COMPONENTS = (
    "local_bl_precharging",
    "dacs",
    "adcs",
    "mults",
    "analog_bl_addition",
    "adders_regular",
    "adders_pv",
    "accumulators",
)


# --------------------------------------------------------------------------------------------------------------
# Technology and primitive cells
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Tech:
    """Gate-level constants: supply (V), capacitances (pF), areas (mm²), delays (ns).

    The wordline and bitline capacitance of one SRAM cell are half a NAND2 input; XOR2 and DFF are 1.5 and 3
    NAND2 capacitances, 2.4 and 6 NAND2 areas; an XOR2 is 2.4 NAND2 delays.
    """

    vdd: float = 0.9
    nd2_cap: float = 0.7e-3
    nd2_area: float = 0.614e-6
    nd2_delay: float = 0.0478

    @property
    def wl_cap(self) -> float:
        return self.nd2_cap / 2

    @property
    def bl_cap(self) -> float:
        return self.nd2_cap / 2

    @property
    def xor2_cap(self) -> float:
        return self.nd2_cap * 1.5

    @property
    def dff_cap(self) -> float:
        return self.nd2_cap * 3

    @property
    def xor2_area(self) -> float:
        return self.nd2_area * 2.4

    @property
    def dff_area(self) -> float:
        return self.nd2_area * 6

    @property
    def xor2_delay(self) -> float:
        return self.nd2_delay * 2.4

    # 1-bit full adder = 3 NAND2 + 2 XOR2; 1-bit multiplier = one NOR, costed as a NAND2.
    @property
    def fa_energy(self) -> float:
        return (3 * self.nd2_cap + 2 * self.xor2_cap) * self.vdd**2

    @property
    def fa_half_energy(self) -> float:
        """A full adder with one input at 0: no carry is generated, only the XOR2s toggle."""
        return 2 * self.xor2_cap * self.vdd**2

    @property
    def mult_energy(self) -> float:
        """Half a NAND2 switching: the weight input stays constant during the multiplication."""
        return 0.5 * self.nd2_cap * self.vdd**2

    @property
    def dff_energy(self) -> float:
        return self.dff_cap * self.vdd**2

    @property
    def fa_area(self) -> float:
        return 3 * self.nd2_area + 2 * self.xor2_area

    @property
    def fa_in2sum(self) -> float:
        return 2 * self.xor2_delay

    @property
    def fa_in2cout(self) -> float:
        return self.xor2_delay + 2 * self.nd2_delay

    @property
    def fa_cin2cout(self) -> float:
        return 2 * self.nd2_delay


TECH_28NM = Tech()
"""ZigZag's 28 nm constants."""


def adc_cost(adc_bits: int, bl_size: int, tech: Tech = TECH_28NM) -> tuple[float, float, float]:
    """One ADC of `adc_bits` on a bitline of `bl_size` cells: (area mm², delay ns, energy pJ per conversion).

    Area 10^(−0.0369·B + 1.206)·2^B µm² (0 for B <= 1); delay B·(0.00653·bl + 0.640) ns; energy
    (100·B + 0.001·4^B) fF·VDD² (0 for B = 0).
    """
    b = adc_bits
    area_mm2 = 10 ** (-0.0369 * b + 1.206) * 2**b * 1e-6 if b > 1 else 0.0
    delay = b * (0.00653 * bl_size + 0.640) if b != 0 else 0.0
    energy = (100 * b + 0.001 * 4**b) * tech.vdd**2 / 1000 if b != 0 else 0.0
    return area_mm2, delay, energy


def dac_energy(bit_serial_bits: int, tech: Tech = TECH_28NM) -> float:
    """One DAC conversion (pJ): 50 fF·bits·VDD², none for 1-bit inputs. DAC area and delay are neglected."""
    return 0.0 if bit_serial_bits == 1 else 50e-3 * bit_serial_bits * tech.vdd**2


# --------------------------------------------------------------------------------------------------------------
# Structure of the macro array
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ImcStructure:
    """The adder and register widths of one IMC array.

    Regular trees (DIMC only): `tree_count` RCA trees of `bl_size` inputs of `weight_bits` bits, `tree_fas` full
    adders each, `tree_out_bits` output bits. Place-value trees: one per wordline position and macro, `pv_inputs`
    inputs (AIMC: the weight bits; DIMC: the bit-serial bits) of `pv_in_bits` bits (AIMC: the ADC resolution;
    DIMC: the regular tree output), `pv_fas` full adders, `pv_out_bits` output bits. Accumulators (absent when the
    activation arrives in one cycle): `acc_bits` full adders plus as many DFFs per wordline position and macro.
    """

    imc: ImcParams
    wl_dim: str
    bl_dim: str
    wl_size: int
    bl_size: int
    banks: int
    total_units: int
    tree_count: int
    tree_fas: int
    tree_out_bits: int
    pv_inputs: int
    pv_in_bits: int
    pv_fas: float
    pv_out_bits: int
    acc_bits: float

    @property
    def multipliers(self) -> int:
        """1-bit multipliers: AIMC wp·wl·bl·banks; DIMC also times the bit-serial bits."""
        n = self.imc.weight_bits * self.wl_size * self.bl_size * self.banks
        return n if self.imc.is_analog else n * self.imc.bit_serial_bits

    @property
    def has_accumulator(self) -> bool:
        return self.imc.bit_serial_bits != self.imc.act_bits


def structure(imc: ImcParams, pe_array: PEArray) -> ImcStructure:
    """Derive the macro structure; raises `InputError` when the parameters do not fit the array."""
    raise_if(imc_array_problems(imc, pe_array.dims, pe_array.sizes))
    size = dict(zip(pe_array.dims, pe_array.sizes, strict=True))
    order = sorted(pe_array.dims)
    wl, bl = size[order[0]], size[order[1]]
    banks = math.prod(size[d] for d in order[2:])
    wp, bsp = imc.weight_bits, imc.bit_serial_bits
    if imc.is_analog:
        tree_count = tree_fas = tree_out = 0
        pv_inputs, pv_in_bits = wp, imc.adc_bits
        acc_bits: float = imc.act_bits + imc.adc_bits + wp
    else:
        depth = int(math.log2(bl))
        tree_out = wp + depth
        tree_fas = bl * (wp + 1) - (wp + depth + 1)
        tree_count = bsp * wl * banks
        pv_inputs, pv_in_bits = bsp, tree_out
        acc_bits = imc.act_bits + math.log2(bl) + wp
    if pv_inputs == 1:
        pv_fas: float = 0.0
        pv_out = pv_in_bits
    else:
        pv_fas = pv_in_bits * (pv_inputs - 1) + pv_inputs * (math.log2(pv_inputs) - 0.5)
        pv_out = pv_inputs + pv_in_bits
    return ImcStructure(
        imc=imc,
        wl_dim=order[0],
        bl_dim=order[1],
        wl_size=wl,
        bl_size=bl,
        banks=banks,
        total_units=math.prod(pe_array.sizes),
        tree_count=tree_count,
        tree_fas=tree_fas,
        tree_out_bits=tree_out,
        pv_inputs=pv_inputs,
        pv_in_bits=pv_in_bits,
        pv_fas=pv_fas,
        pv_out_bits=pv_out,
        acc_bits=acc_bits if bsp != imc.act_bits else 0.0,
    )


# --------------------------------------------------------------------------------------------------------------
# Area, clock period, peak figures
# --------------------------------------------------------------------------------------------------------------


def area_breakdown(imc: ImcParams, pe_array: PEArray, tech: Tech = TECH_28NM) -> dict[str, float]:
    """Area (mm²) per component of the IMC macros (cells and logic; input/output registers are memories).

    Cells: every PE position's cell group, `cells_area` each. The CACTI path (``auto_cost``) is not supported:
    it raises `InputError` (give the cell group's area instead).
    """
    if imc.auto_cost:
        raise InputError.one(
            "the CACTI cell-array area of an IMC core (auto_cost_extraction) is not supported",
            key_path="memories.cells.auto_cost_extraction",
            value=True,
            accepted="false, with the area of one cell group in memories.cells.area",
        )
    s = structure(imc, pe_array)
    analog = imc.is_analog
    columns = s.wl_size * s.banks
    return {
        "cells": s.total_units * imc.cells_area,
        "dacs": 0.0,
        "adcs": adc_cost(imc.adc_bits, s.bl_size, tech)[0] * imc.weight_bits * columns if analog else 0.0,
        "mults": tech.nd2_area * s.multipliers,
        "adders_regular": tech.fa_area * s.tree_fas * s.tree_count,
        "adders_pv": tech.fa_area * s.pv_fas * columns,
        "accumulators": (tech.fa_area + tech.dff_area) * s.acc_bits * columns,
    }


def area(imc: ImcParams, pe_array: PEArray, tech: Tech = TECH_28NM) -> float:
    """Total IMC macro area (mm²)."""
    return sum(area_breakdown(imc, pe_array, tech).values())


def tclk_breakdown(imc: ImcParams, pe_array: PEArray, tech: Tech = TECH_28NM) -> dict[str, float]:
    """Clock period (ns) per stage of the critical path DAC → multiplier → ADC → regular adder tree →
    place-value adder tree → accumulator (cells and DACs add nothing).

    Ripple-carry trees: (depth − 1) in→sum, one in→cout, then the carry ripples over the remaining output bits.
    """
    s = structure(imc, pe_array)
    t = tech
    if imc.is_analog:
        regular = 0.0
    else:
        depth = int(math.log2(s.bl_size))
        regular = (depth - 1) * t.fa_in2sum + t.fa_in2cout + (s.tree_out_bits - 2) * t.fa_cin2cout
    if s.pv_inputs == 1:
        pv = 0.0
    else:
        pv = (
            (int(math.log2(s.pv_inputs)) - 1) * t.fa_in2sum
            + t.fa_in2cout
            + (s.pv_out_bits - s.pv_in_bits - 1) * t.fa_cin2cout
        )
    acc = t.fa_in2cout + (s.acc_bits - s.pv_out_bits - 1) * t.fa_cin2cout if s.has_accumulator else 0.0
    return {
        "cells": 0.0,
        "dacs": 0.0,
        "adcs": adc_cost(imc.adc_bits, s.bl_size, tech)[1] if imc.is_analog else 0.0,
        "mults": t.nd2_delay,
        "adders_regular": regular,
        "adders_pv": pv,
        "accumulators": acc,
    }


def tclk(imc: ImcParams, pe_array: PEArray, tech: Tech = TECH_28NM) -> float:
    """Clock period (ns)."""
    return sum(tclk_breakdown(imc, pe_array, tech).values())


def peak_cycle_energy_breakdown(imc: ImcParams, pe_array: PEArray, tech: Tech = TECH_28NM) -> dict[str, float]:
    """Energy (pJ) of one cycle of the whole array, every row and column active, no weight writes."""
    s = structure(imc, pe_array)
    analog = imc.is_analog
    columns = s.wl_size * s.banks
    return {
        "local_bl_precharging": 0.0,
        "dacs": dac_energy(imc.bit_serial_bits, tech) * s.bl_size * s.banks if analog else 0.0,
        "adcs": adc_cost(imc.adc_bits, s.bl_size, tech)[2] * imc.weight_bits * columns if analog else 0.0,
        "mults": tech.mult_energy * s.multipliers,
        "analog_bl_addition": (
            tech.bl_cap * tech.vdd**2 * imc.weight_bits * s.wl_size * s.bl_size * s.banks if analog else 0.0
        ),
        "adders_regular": tech.fa_energy * s.tree_fas * s.tree_count,
        "adders_pv": tech.fa_energy * s.pv_fas * columns,
        "accumulators": (tech.fa_energy + tech.dff_energy) * s.acc_bits * columns,
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class ImcPeak:
    """Macro-level peak figures at full utilisation: MACs per cycle, TOP/s, TOP/s/W, TOP/s/mm² (1 MAC = 2 ops)."""

    macs_per_cycle: float
    tops: float
    tops_per_w: float
    tops_per_mm2: float


def peak_performance(imc: ImcParams, pe_array: PEArray, tech: Tech = TECH_28NM) -> ImcPeak:
    """Peak throughput and efficiencies: wl·bl·banks MACs every act/bsp cycles of `tclk` ns."""
    s = structure(imc, pe_array)
    macs = s.wl_size * s.bl_size / imc.cycles_per_op * s.banks
    tops = macs * 2 / tclk(imc, pe_array, tech) / 1000
    return ImcPeak(
        macs_per_cycle=macs,
        tops=tops,
        tops_per_w=macs * 2 / sum(peak_cycle_energy_breakdown(imc, pe_array, tech).values()),
        tops_per_mm2=tops / area(imc, pe_array, tech),
    )


# --------------------------------------------------------------------------------------------------------------
# Energy of a layer
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class MappedArray:
    """How a layer's user-level spatial mapping uses one macro.

    `cols`: product of the unrollings on the wordline dim. `rows_total`: rows holding weights (larger than the
    bitline unrolling under a diagonal mapping); `rows_adder`: rows feeding the adder tree. `activations`: macro
    activations, normalised to a single macro (layer MACs / unrolling inside one macro).
    """

    cols: float
    rows_total: int
    rows_adder: int
    activations: float
    diagonal: bool


def _weight_ir_dims(layer: Layer) -> frozenset[str]:
    """ZigZag's weight-irrelevant loop dims (sizes of 1 left out)."""
    return frozenset(
        d for d in layer.dims if layer.size(d) != 1 and layer.relevance(Operand.W, d) is Relevance.IRRELEVANT
    )


def mapped_array(layer: Layer, spatial: SpatialMapping, pe_array: PEArray) -> MappedArray:
    """Mapped columns and rows of one macro and the number of macro activations.

    Diagonal mapping: when a weight-irrelevant dim (OX) is unrolled on the wordline dim, each bitline dim paired
    with it in an input relation (FX, in IX = OX + FX) needs ``u_FX + u_OX − 1`` rows instead of ``u_FX``.
    """
    order = sorted(pe_array.dims)
    wl_pairs, bl_pairs = spatial.on(order[0]), spatial.on(order[1])
    cols = math.prod(f for _, f in wl_pairs)
    bl_total = math.ceil(math.prod(f for _, f in bl_pairs))
    activations = layer.mac_count / float(cols * math.prod(f for _, f in bl_pairs))
    w_ir = _weight_ir_dims(layer)
    diagonal = any(d in w_ir for d, _ in wl_pairs) and bool(bl_pairs) and bl_total != 1
    if not diagonal:
        return MappedArray(cols=cols, rows_total=bl_total, rows_adder=bl_total, activations=activations, diagonal=False)
    partner: dict[str, str] = {}  # bitline dim -> the weight-irrelevant dim it is paired with
    for derived in layer.derived_dims(Operand.I):
        rel = layer.relation(derived)
        if rel is None or len(rel.terms) != 2:
            continue
        (a, _), (b, _) = rel.terms
        if a in w_ir:
            partner[b] = a
        elif b in w_ir:
            partner[a] = b
    wl_unroll: dict[str, int] = {}
    for d, f in wl_pairs:
        wl_unroll[d] = wl_unroll.get(d, 1) * f
    rows_total = rows_adder = 1
    # ZigZag's quirk: it pairs the bitline dims, listed in the iteration order of a Python set of its LayerDim
    # objects, with the unroll factors listed in mapping order.
    for d, (_, f) in zip(zigzag_set_order([d for d, _ in bl_pairs]), bl_pairs, strict=True):
        rows_total *= f + (wl_unroll.get(partner[d], 1) - 1 if d in partner else 0)
        rows_adder *= f
    return MappedArray(
        cols=cols,
        rows_total=math.ceil(rows_total),
        rows_adder=math.ceil(rows_adder),
        activations=activations,
        diagonal=True,
    )


def zigzag_set_order(dims: Sequence[str]) -> list[str]:
    """The iteration order of ZigZag's ``set(...)`` of these layer dims, inserted in the given order."""
    return list(_set_order(LAYER_DIM, tuple(dims)))


def regular_adder_tree_energy(
    in_bits: int, active_inputs: float, physical_inputs: int, tech: Tech = TECH_28NM
) -> float:
    """Energy (pJ) of one addition in one RCA adder tree of `physical_inputs` (a power of two) inputs of `in_bits`
    bits when `active_inputs` of them carry data.

    A fully used tree switches all its full adders. Otherwise ZigZag's halving walk: at each level of the tree
    (half of the remaining inputs), a sub-tree whose inputs are all active switches fully, one that is partly
    active contributes a half-activated adder row (`in_bits` + its depth FAs, only the XOR2s toggle), and a single
    active input at the bottom passes `in_bits` half-activated FAs.
    """
    if active_inputs < 1:
        return 0.0
    depth = int(math.log2(physical_inputs))
    if active_inputs >= physical_inputs:
        full = float(physical_inputs * (in_bits + 1) - (in_bits + depth + 1))
        return full * tech.fa_energy
    full = half = 0.0
    left = float(active_inputs)
    base = float(physical_inputs)
    while left != 0:
        base /= 2
        sub_depth = int(math.log2(base))
        if left <= 1 and base == 1:
            half += in_bits
            left = 0
        elif left > base:
            full += base * (in_bits + 1) - (in_bits + sub_depth + 1) + (in_bits + sub_depth)
            left -= base
        elif left < base:
            half += in_bits + sub_depth
        else:
            full += base * (in_bits + 1) - (in_bits + sub_depth + 1)
            half += in_bits + sub_depth
            left -= base
    return full * tech.fa_energy + half * tech.fa_half_energy


def layer_energy_breakdown(
    imc: ImcParams, pe_array: PEArray, layer: Layer, spatial: SpatialMapping, tech: Tech = TECH_28NM
) -> dict[str, float]:
    """Energy (pJ) of the IMC macros computing `layer` under its user-level `spatial` mapping, per component.

    It replaces MACs × MAC energy on an IMC core; memory traffic (weight writes into the cells included) is
    charged by the memory model. Every term is per macro activation times F = (act/bsp)·activations:

    * DACs (AIMC): one per used row; ADCs (AIMC): wp per used column;
    * multipliers: AIMC wp·wl·rows (every column's multipliers in a used row toggle); DIMC the whole macro,
      bsp·wp·wl·bl, whatever the mapping (ZigZag's model);
    * analog bitline addition (AIMC): wp bitlines of bl cells per used column;
    * regular adder trees (DIMC): bsp trees per used column, `regular_adder_tree_energy` with the total mapped rows
      as active inputs (ZigZag's choice, also under a diagonal mapping);
    * place-value adder trees and accumulators (adder + DFF per output bit) per used column.

    Local-bitline precharge (``group_depth > 1``; a deliberate model, ZigZag's code crashes there): every macro
    activation selects one of the group_depth weights of each used cell group, precharging its wp local bitlines
    (group_depth cells each) and the wordline: (C_wl + C_bl·group_depth)·VDD²·wp per used cell group
    (cols × rows_total) per activation, once per activation, not per bit-serial cycle (the weight is held). It
    does not see the temporal mapping, so it is an upper bound when weight-irrelevant loops keep a weight selected
    over several activations.
    """
    s = structure(imc, pe_array)
    m = mapped_array(layer, spatial, pe_array)
    analog = imc.is_analog
    wp = imc.weight_bits
    f = imc.cycles_per_op * m.activations
    vdd2 = tech.vdd**2
    if imc.group_depth > 1:
        per_group = (tech.wl_cap * vdd2 + tech.bl_cap * vdd2 * imc.group_depth) * wp
        precharge = per_group * m.cols * m.rows_total * m.activations
    else:
        precharge = 0.0
    if analog:
        mults = wp * s.wl_size * m.rows_total
        regular = 0.0
    else:
        mults = imc.bit_serial_bits * wp * s.wl_size * s.bl_size
        tree = regular_adder_tree_energy(wp, m.rows_total, s.bl_size, tech)
        regular = tree * imc.bit_serial_bits * m.cols * f
    return {
        "local_bl_precharging": precharge,
        "dacs": dac_energy(imc.bit_serial_bits, tech) * m.rows_total * f if analog else 0.0,
        "adcs": adc_cost(imc.adc_bits, s.bl_size, tech)[2] * wp * m.cols * f if analog else 0.0,
        "mults": tech.mult_energy * mults * f,
        "analog_bl_addition": tech.bl_cap * vdd2 * wp * m.cols * s.bl_size * f if analog else 0.0,
        "adders_regular": regular,
        "adders_pv": tech.fa_energy * s.pv_fas * m.cols * f,
        "accumulators": (tech.fa_energy + tech.dff_energy) * s.acc_bits * m.cols * f,
    }


def layer_energy(
    imc: ImcParams, pe_array: PEArray, layer: Layer, spatial: SpatialMapping, tech: Tech = TECH_28NM
) -> float:
    """Total IMC energy (pJ) of `layer` (see `layer_energy_breakdown`)."""
    return sum(layer_energy_breakdown(imc, pe_array, layer, spatial, tech).values())
