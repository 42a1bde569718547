"""The search loop: ask an engine for batches, evaluate them, keep the best mapping and the Pareto set."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from zigzag_opt.cost.batch import MappingBatch
from zigzag_opt.cost.model import BatchResult, evaluate
from zigzag_opt.cost.problem import ProblemArrays
from zigzag_opt.mapping.temporal import TemporalMapping
from zigzag_opt.search.base import Criterion, MappingEngine, rank_order
from zigzag_opt.search.pareto import pareto_mask

__all__ = ["SearchResult", "better", "mapping_at", "run_search"]

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Outcome of one search on one problem. `best` is None when no candidate was usable."""

    problem: ProblemArrays
    criterion: Criterion
    best: TemporalMapping | None
    best_energy: float
    best_latency: float
    n_proposed: int
    n_usable: int
    pareto: tuple[tuple[float, float, TemporalMapping], ...] = field(default=())

    @property
    def found(self) -> bool:
        return self.best is not None


def mapping_at(prob: ProblemArrays, batch: MappingBatch, i: int) -> TemporalMapping:
    """Row `i` of a batch as a `TemporalMapping` object."""
    n = int(batch.n_loops[i])
    loops = tuple((prob.dims[int(batch.dim[i, j])], int(batch.size[i, j])) for j in range(n))
    cuts = tuple((t.op, tuple(int(c) for c in batch.cuts[i, x, : t.n_levels])) for x, t in enumerate(prob.operands))
    return TemporalMapping(loops=loops, cuts=cuts)


def better(criterion: Criterion, a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Strictly better (ties keep the earlier candidate)."""
    (ea, la), (eb, lb) = a, b
    if criterion is Criterion.LATENCY:
        return (la, ea) < (lb, eb)
    if criterion is Criterion.ENERGY:
        return (ea, la) < (eb, lb)
    return ea * la < eb * lb


def run_search(
    prob: ProblemArrays,
    engine: MappingEngine,
    criterion: Criterion = Criterion.LATENCY,
    *,
    budget: int | None = None,
    batch_size: int = 4096,
    seed: int = 0,
    keep_pareto: bool = False,
) -> SearchResult:
    """Run `engine` on `prob` until it is exhausted or `budget` candidates were proposed."""
    engine.reset(prob, seed=seed)
    best: TemporalMapping | None = None
    best_cost = (np.inf, np.inf)
    proposed = usable_count = 0
    front: list[tuple[float, float, TemporalMapping]] = []
    while budget is None or proposed < budget:
        want = batch_size if budget is None else min(batch_size, budget - proposed)
        proposal = engine.ask(want)
        if proposal is None or len(proposal.batch) == 0:
            break
        result = evaluate(prob, proposal.batch)
        engine.tell(proposal, result)
        proposed += len(proposal.batch)
        usable = proposal.feasible & result.valid
        usable_count += int(usable.sum())
        order = rank_order(result.energy, result.latency, usable, criterion)
        if order.size:
            i = int(order[0])
            cost = (float(result.energy[i]), float(result.latency[i]))
            if better(criterion, cost, best_cost):
                best, best_cost = mapping_at(prob, proposal.batch, i), cost
        if keep_pareto:
            front = _merge_front(front, prob, proposal.batch, result, usable)
    return SearchResult(
        problem=prob,
        criterion=criterion,
        best=best,
        best_energy=best_cost[0],
        best_latency=best_cost[1],
        n_proposed=proposed,
        n_usable=usable_count,
        pareto=tuple(front),
    )


def _merge_front(
    front: list[tuple[float, float, TemporalMapping]],
    prob: ProblemArrays,
    batch: MappingBatch,
    result: BatchResult,
    usable: npt.NDArray[np.bool_],
) -> list[tuple[float, float, TemporalMapping]]:
    idx = np.flatnonzero(usable)
    if idx.size == 0:
        return front
    pts = np.stack([result.energy[idx], result.latency[idx]], axis=1)
    local = idx[pareto_mask(pts)]
    candidates = front + [
        (float(result.energy[i]), float(result.latency[i]), mapping_at(prob, batch, int(i))) for i in local
    ]
    all_pts = np.array([[e, lat] for e, lat, _ in candidates])
    keep = pareto_mask(all_pts)
    return [c for c, k in zip(candidates, keep, strict=True) if k]
