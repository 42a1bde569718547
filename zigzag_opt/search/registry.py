"""Engines by name, for the CLI, the network mapper and the Optuna layer."""

from __future__ import annotations

from zigzag_opt.errors import InputError
from zigzag_opt.search.annealing import AnnealingEngine
from zigzag_opt.search.base import MappingEngine
from zigzag_opt.search.exhaustive import ExhaustiveEngine
from zigzag_opt.search.loma import LomaEngine
from zigzag_opt.search.random import RandomEngine

__all__ = ["ENGINES", "make_engine"]

ENGINES = ("loma", "exhaustive", "annealing", "random")


def make_engine(name: str, *, lpf_limit: int | None = 6) -> MappingEngine:
    if name == "loma":
        return LomaEngine(lpf_limit=lpf_limit)
    if name == "exhaustive":
        return ExhaustiveEngine()
    if name == "annealing":
        return AnnealingEngine()
    if name == "random":
        return RandomEngine()
    raise InputError.one("unknown mapping engine", key_path="engine", value=name, accepted=", ".join(ENGINES))
