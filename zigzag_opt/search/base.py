"""Mapping-search engines propose temporal mappings in batches (`ask`) and learn from their costs (`tell`).

An engine works on one compiled problem (a layer, a core, a fixed spatial mapping); the driver owns the loop,
the budget and the bookkeeping of the best mapping and the energy–latency Pareto set.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from zigzag_opt.cost.batch import MappingBatch
from zigzag_opt.cost.model import BatchResult
from zigzag_opt.cost.problem import ProblemArrays

__all__ = ["Criterion", "MappingEngine", "Proposal", "rank_order"]

F64 = npt.NDArray[np.float64]
B1 = npt.NDArray[np.bool_]


class Criterion(StrEnum):
    """What 'best' means. Ties break as in ZigZag's reduce stages: latency ties on energy, energy ties on
    latency, EDP keeps the first."""

    ENERGY = "energy"
    LATENCY = "latency"
    EDP = "edp"


@dataclass(frozen=True, slots=True)
class Proposal:
    """A batch of candidate temporal mappings; `feasible[n]` is False where the engine already knows a candidate
    cannot be used (e.g. LOMA's allocator rejects it)."""

    batch: MappingBatch
    feasible: B1


class MappingEngine(ABC):
    """Ask/tell interface every engine implements. Engines are deterministic for a given seed."""

    name: str = "engine"

    @abstractmethod
    def reset(self, problem: ProblemArrays, *, seed: int = 0) -> None:
        """Start a new search on `problem`."""

    @abstractmethod
    def ask(self, n: int) -> Proposal | None:
        """Up to `n` new candidates, or None when the engine has nothing more to propose."""

    def tell(self, proposal: Proposal, result: BatchResult) -> None:  # noqa: B027 - optional hook
        """Costs of the last proposal (engines that do not learn ignore it)."""


def rank_order(energy: F64, latency: F64, usable: B1, criterion: Criterion) -> npt.NDArray[np.intp]:
    """Indices of the usable candidates, best first, with ZigZag's tie-breaks (earlier index last resort)."""
    index = np.arange(energy.shape[0])
    e = np.where(usable, energy, np.inf)
    lat = np.where(usable, latency, np.inf)
    if criterion is Criterion.LATENCY:
        order = np.lexsort((index, e, lat))
    elif criterion is Criterion.ENERGY:
        order = np.lexsort((index, lat, e))
    else:
        order = np.lexsort((index, e * lat))
    order = order[usable[order]]
    return order
