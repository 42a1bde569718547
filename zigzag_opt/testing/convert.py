"""Turn a differential-test triple (ZigZag's terms) into this package's objects, through the compatible loader."""

from __future__ import annotations

from dataclasses import dataclass

from zigzag_opt.hardware.accelerator import Core
from zigzag_opt.hardware.memory import MemOperand
from zigzag_opt.io.zigzag_compat import load_zigzag_accelerator, load_zigzag_workload
from zigzag_opt.mapping.spatial import OperandLinks, SpatialMapping
from zigzag_opt.mapping.temporal import TemporalMapping
from zigzag_opt.testing.random_triples import Triple
from zigzag_opt.testing.zigzag_oracle import accelerator_data
from zigzag_opt.workload.layer import Layer, Operand

__all__ = ["Converted", "convert_triple"]


@dataclass(frozen=True, slots=True)
class Converted:
    layer: Layer
    core: Core
    spatial: SpatialMapping
    temporal: TemporalMapping
    links: OperandLinks


def convert_triple(triple: Triple) -> Converted:
    """Load the triple's accelerator and layer with the ZigZag-compatible loader; build the mappings."""
    core = load_zigzag_accelerator(accelerator_data(triple.accelerator), file=triple.accelerator).core
    layer = load_zigzag_workload([triple.layer], file="triple").layers[0]
    spatial = SpatialMapping.of(triple.spatial)
    temporal = TemporalMapping.from_levels(
        {Operand(op): [list(level) for level in levels] for op, levels in triple.temporal.items()}
    )
    links = tuple((Operand(op), MemOperand(mem)) for op, mem in triple.links.items())
    return Converted(layer=layer, core=core, spatial=spatial, temporal=temporal, links=links)
