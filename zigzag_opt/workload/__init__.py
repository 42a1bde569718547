"""Workload model: layers as loop nests and networks of layers."""

from zigzag_opt.workload.layer import (
    DimRelation,
    Layer,
    LayerKind,
    Operand,
    Precision,
    Relevance,
    derived_span,
)
from zigzag_opt.workload.network import Network

__all__ = [
    "DimRelation",
    "Layer",
    "LayerKind",
    "Network",
    "Operand",
    "Precision",
    "Relevance",
    "derived_span",
]
