"""Search spaces for the Optuna layer: the `SearchSpace` core object (defined below `io` so that the loader in
`zigzag_opt.io.space_io` can build it) and its loader, re-exported under the tuning namespace."""

from __future__ import annotations

from zigzag_opt.hardware.design_space import (
    CategoricalParam,
    Choice,
    Condition,
    DerivedRule,
    FieldPath,
    FloatParam,
    IntParam,
    KeepProductRule,
    LayoutOption,
    LayoutParam,
    MemorySplit,
    Parameter,
    Pow2Param,
    RandomTrial,
    SearchSpace,
    SetRule,
    TrialLike,
    parse_path,
)
from zigzag_opt.io.space_io import load_search_space, search_space_from_dict

__all__ = [
    "CategoricalParam",
    "Choice",
    "Condition",
    "DerivedRule",
    "FieldPath",
    "FloatParam",
    "IntParam",
    "KeepProductRule",
    "LayoutOption",
    "LayoutParam",
    "MemorySplit",
    "Parameter",
    "Pow2Param",
    "RandomTrial",
    "SearchSpace",
    "SetRule",
    "TrialLike",
    "load_search_space",
    "parse_path",
    "search_space_from_dict",
]
