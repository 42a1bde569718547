"""Mapping search: spatial candidates, temporal engines (ask/tell), the driver, and the whole-network mapper."""

from zigzag_opt.search.base import Criterion, MappingEngine, Proposal
from zigzag_opt.search.driver import SearchResult, run_search
from zigzag_opt.search.network import LayerMapping, MapperOptions, NetworkMapping, map_layer, map_network
from zigzag_opt.search.registry import ENGINES, make_engine
from zigzag_opt.search.spatial import (
    enumerate_spatial_mappings,
    performance_indicator,
    utilisation,
    zigzag_max_unrolling,
    zigzag_spatial_mappings,
)

__all__ = [
    "ENGINES",
    "Criterion",
    "LayerMapping",
    "MapperOptions",
    "MappingEngine",
    "NetworkMapping",
    "Proposal",
    "SearchResult",
    "enumerate_spatial_mappings",
    "make_engine",
    "map_layer",
    "map_network",
    "performance_indicator",
    "run_search",
    "utilisation",
    "zigzag_max_unrolling",
    "zigzag_spatial_mappings",
]
