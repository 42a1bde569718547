"""Mapping model: spatial unrolling, temporal loop nests with per-operand memory allocation, legality, render."""

from zigzag_opt.mapping.legality import imc_spatial_problems, spatial_problems, temporal_loop_sizes, temporal_problems
from zigzag_opt.mapping.render import render_loop_nest
from zigzag_opt.mapping.spatial import DEFAULT_LINKS, OperandLinks, SpatialMapping
from zigzag_opt.mapping.spec import MappingSpec, select_spec
from zigzag_opt.mapping.temporal import Loop, TemporalMapping

__all__ = [
    "DEFAULT_LINKS",
    "Loop",
    "MappingSpec",
    "OperandLinks",
    "SpatialMapping",
    "TemporalMapping",
    "imc_spatial_problems",
    "render_loop_nest",
    "select_spec",
    "spatial_problems",
    "temporal_loop_sizes",
    "temporal_problems",
]
