"""Area of a core (mm²): the PE array plus every memory. ZigZag reports area for IMC cores only; we report it
for every core, with ZigZag's convention that a memory's `area_mm2` covers all of its instances."""

from __future__ import annotations

from zigzag_opt.cost.imc import area as imc_area
from zigzag_opt.hardware.accelerator import Core

__all__ = ["core_area", "core_area_breakdown"]


def core_area_breakdown(core: Core) -> dict[str, float]:
    """Area per component: ``pe_array`` (MAC area × MAC count; on an IMC core the macro area of `cost.imc`, so
    the total is ZigZag's IMC ``area_total``: IMC area + every memory's area) and one entry per memory, by name."""
    out = {"pe_array": imc_area(core.imc, core.pe_array) if core.imc is not None else core.pe_array.area}
    for mem in core.memories:
        out[mem.name] = mem.area_mm2
    return out


def core_area(core: Core) -> float:
    return sum(core_area_breakdown(core).values())
