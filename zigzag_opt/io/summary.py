"""Short text summaries of loaded inputs (one screen each), as `zigzag-opt validate` and `demo` print them."""

from __future__ import annotations

import textwrap

from zigzag_opt.cost.area import core_area
from zigzag_opt.hardware import Accelerator, Core, Memory, Port
from zigzag_opt.mapping.spatial import DEFAULT_LINKS
from zigzag_opt.mapping.spec import MappingSpec
from zigzag_opt.workload import Layer, Network

__all__ = ["accelerator_table", "format_bits", "summarize_accelerator", "summarize_mapping", "summarize_network"]

_WIDTH = 120


def format_bits(bits: int) -> str:
    """A memory size: bits when not whole bytes, else B / KiB / MiB / GiB with three significant digits."""
    if bits % 8:
        return f"{bits:,} b"
    value = bits / 8
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.3g} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _bandwidth(port: Port) -> str:
    lo, hi = port.bandwidth_min_bits, port.bandwidth_max_bits
    return f"{hi}" if lo == hi else f"{lo}-{hi}"


def _port(port: Port) -> str:
    carried = " ".join(f"{op} {d}" for op, d in port.allocation)
    return f"{port.name} ({port.type}, {_bandwidth(port)} b/cc: {carried})"


def _memory_rows(core: Core) -> list[str]:
    rows = [f"    {'memory':<14}{'size':>10}  {'operands':<10}{'served':<10}{'r/w pJ':<16}ports"]
    for mem in core.memories:
        rows.append(_memory_row(mem))
    return rows


def _memory_row(mem: Memory) -> str:
    ops = ",".join(str(o) for o in mem.operands)
    served = ",".join(mem.served_dims) or "-"
    energy = f"{mem.read_energy_pj:g}/{mem.write_energy_pj:g}"
    lead = f"    {mem.name:<14}{format_bits(mem.size_bits):>10}  {ops:<10}{served:<10}{energy:<16}"
    ports = "; ".join(_port(p) for p in mem.ports)
    return textwrap.fill(ports, _WIDTH, initial_indent=lead, subsequent_indent=" " * len(lead))


def _array(core: Core) -> str:
    arr = core.pe_array
    dims = "×".join(arr.dims)
    sizes = "×".join(str(s) for s in arr.sizes)
    return f"{dims} = {sizes}"


def summarize_accelerator(acc: Accelerator) -> str:
    """Cores: PE array (dims, sizes, MACs, MAC energy), IMC parameters, and memories innermost first."""
    lines = [f"accelerator {acc.name}: {len(acc.cores)} core(s)"]
    for core in acc.cores:
        arr = core.pe_array
        systolic = f", systolic {' '.join(arr.systolic_dims)}" if arr.systolic_dims else ""
        lines.append(
            f"  core {core.id} {core.name}: PE array {_array(core)} ({arr.mac_count:,} MACs), "
            f"{arr.mac_energy_pj:g} pJ/MAC{systolic}; area {core_area(core):,.6g} mm²"
        )
        if core.imc is not None:
            imc = core.imc
            lines.append(
                f"    IMC {imc.kind}: activations {imc.act_bits} b (bit-serial {imc.bit_serial_bits} b), weights "
                f"{imc.weight_bits} b, ADC {imc.adc_bits} b, cell group {imc.cells_size_bits} b"
            )
        lines.append("  memories, innermost first:")
        lines += _memory_rows(core)
    return "\n".join(lines)


def _dims(layer: Layer) -> str:
    return " ".join(f"{d}{s}" for d, s in zip(layer.dims, layer.sizes, strict=True))


def summarize_network(net: Network) -> str:
    """Layers (id, name, operator, dims and sizes, MACs), total MACs and the producer → consumer edges."""
    lines = [f"workload {net.name}: {len(net.layers)} layer(s), {net.mac_count:,} MACs"]
    name_w = max([len(layer.name) for layer in net.layers] + [4])
    lines.append(f"  {'id':>4}  {'name':<{name_w}}  {'operator':<14}{'MACs':>16}  dims")
    for layer in net.layers:
        lines.append(
            f"  {layer.id:>4}  {layer.name:<{name_w}}  {layer.operator_type:<14}{layer.mac_count:>16,}  {_dims(layer)}"
        )
    edges = ", ".join(f"{p}→{c}" for p, c in net.edges) or "none"
    lines.append(textwrap.fill(edges, _WIDTH, initial_indent="  edges: ", subsequent_indent="         "))
    if net.skipped_ops:
        lines.append(f"  skipped operators: {', '.join(net.skipped_ops)}")
    return "\n".join(lines)


def _spec_line(spec: MappingSpec) -> list[str]:
    parts = []
    if spec.spatial.unrolling:
        parts.append("spatial " + spec.spatial.render())
    if spec.spatial.hints:
        parts.append("hints " + ", ".join(f"{oa}: {' '.join(dims)}" for oa, dims in spec.spatial.hints))
    if spec.temporal_ordering:
        loops = " ".join(f"{d}{'*' if s is None else s}" for d, s in spec.temporal_ordering)
        parts.append(f"temporal ordering (innermost first) {loops}")
    if spec.operand_links != DEFAULT_LINKS:
        parts.append("links " + " ".join(f"{op}→{mem}" for op, mem in spec.operand_links))
    return parts or ["(no constraints: searched entirely)"]


def summarize_mapping(specs: tuple[MappingSpec, ...], *, name: str = "mapping") -> str:
    """Entries: spatial unrolling, hints, temporal ordering and non-default operand links."""
    lines = [f"mapping {name}: {len(specs)} entr{'y' if len(specs) == 1 else 'ies'}"]
    name_w = max([len(s.name) for s in specs] + [4])
    for spec in specs:
        lead = f"  {spec.name:<{name_w}}  "
        text = "; ".join(_spec_line(spec))
        lines.append(textwrap.fill(text, _WIDTH, initial_indent=lead, subsequent_indent=" " * len(lead)))
    return "\n".join(lines)


def accelerator_table(accelerators: list[Accelerator]) -> str:
    """One row per accelerator (first core): name, array, MACs, memories innermost first, area."""
    rows = [f"{'accelerator':<16}{'array':<26}{'MACs':>8}  {'area mm²':>12}  memories (innermost first)"]
    for acc in accelerators:
        core = acc.core
        mems = " ".join(f"{m.name}[{format_bits(m.size_bits)}]" for m in core.memories)
        row = f"{acc.name:<16}{_array(core):<26}{core.pe_array.mac_count:>8,}  {core_area(core):>12,.6g}  "
        rows.append(textwrap.fill(mems, _WIDTH + 20, initial_indent=row, subsequent_indent=" " * len(row)))
    return "\n".join(rows)
