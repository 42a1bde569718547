"""User mapping entries, as in ZigZag's mapping YAML: chosen per layer by name, operator type, or default."""

from __future__ import annotations

from dataclasses import dataclass, field

from zigzag_opt.mapping.spatial import DEFAULT_LINKS, OperandLinks, SpatialMapping
from zigzag_opt.workload.layer import Layer

__all__ = ["MappingSpec", "select_spec"]


@dataclass(frozen=True, slots=True, kw_only=True)
class MappingSpec:
    """One mapping entry. `temporal_ordering` is innermost first; a size of None is ZigZag's ``*``. A complete
    ordering (every size given and matching the layer's temporal loops) is evaluated as is, without search."""

    name: str
    spatial: SpatialMapping = field(default_factory=SpatialMapping)
    temporal_ordering: tuple[tuple[str, int | None], ...] = ()
    operand_links: OperandLinks = DEFAULT_LINKS


def select_spec(specs: tuple[MappingSpec, ...], layer: Layer) -> MappingSpec | None:
    """ZigZag's rule: the entry named like the layer, else the one named like its operator type, else default."""
    for key in (layer.name, layer.operator_type, "default"):
        for spec in specs:
            if spec.name == key:
                return spec
    return None
