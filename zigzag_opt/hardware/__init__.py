"""Hardware model: PE arrays, memories with ports, cores and accelerators, IMC parameters."""

from zigzag_opt.hardware.accelerator import Accelerator, Core
from zigzag_opt.hardware.imc import ImcKind, ImcParams
from zigzag_opt.hardware.memory import Direction, MemOperand, Memory, Port, PortType
from zigzag_opt.hardware.pe_array import PEArray

__all__ = [
    "Accelerator",
    "Core",
    "Direction",
    "ImcKind",
    "ImcParams",
    "MemOperand",
    "Memory",
    "PEArray",
    "Port",
    "PortType",
]
