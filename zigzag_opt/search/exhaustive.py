"""Exact engine over a stated space: every distinct LPF ordering at several LPF limits, LOMA allocation.

The space is the union of LOMA's orderings at `lpf_limits` (by default ZigZag's 6 and the finer 8), so its
optimum is never worse than LOMA's. Orderings whose allocation yields a mapping already seen (same loops and
cuts after the stationary merge-down is irrelevant here: identical loops and cuts) are evaluated once.
"""

from __future__ import annotations

import numpy as np

from zigzag_opt.cost.problem import ProblemArrays
from zigzag_opt.search.allocate import allocate_orderings
from zigzag_opt.search.base import MappingEngine, Proposal
from zigzag_opt.search.loma import OrderingConstraints
from zigzag_opt.search.lpf import count_orderings, ordering_arrays, problem_lpfs

__all__ = ["ExhaustiveEngine"]

MAX_ORDERINGS = 200_000


class ExhaustiveEngine(MappingEngine):
    """Enumerates, allocates and deduplicates; the driver evaluates everything it proposes."""

    name = "exhaustive"

    def __init__(
        self,
        *,
        lpf_limits: tuple[int | None, ...] = (6, 8),
        max_orderings: int = MAX_ORDERINGS,
        constraints: OrderingConstraints | None = None,
    ) -> None:
        self.lpf_limits = lpf_limits
        self.max_orderings = max_orderings
        self.constraints = constraints or OrderingConstraints()
        self._problem: ProblemArrays | None = None
        self._queue: list[tuple[np.ndarray, np.ndarray]] = []
        self._seen: set[bytes] = set()
        self.n_duplicates = 0

    def reset(self, problem: ProblemArrays, *, seed: int = 0) -> None:
        self._problem = problem
        self._seen = set()
        self.n_duplicates = 0
        self._queue = []
        seen_sets: set[tuple[tuple[str, int], ...]] = set()
        for limit in self.lpf_limits:
            lpfs = problem_lpfs(problem.temporal_sizes, problem.dims, limit)
            key = tuple(sorted(lpfs))
            if key in seen_sets or count_orderings(lpfs) > self.max_orderings:
                continue
            seen_sets.add(key)
            dims, sizes = ordering_arrays(lpfs, problem.dims)
            keep = np.ones(dims.shape[0], dtype=bool)
            for pos, d in self.constraints.dims_at:
                keep &= dims[:, pos] == problem.dims.index(d)
            self._queue.append((dims[keep], sizes[keep]))

    def ask(self, n: int) -> Proposal | None:
        while self._problem is not None and self._queue:
            dims, sizes = self._queue[0]
            if dims.shape[0] == 0:
                self._queue.pop(0)
                continue
            take_d, take_s = dims[:n], sizes[:n]
            self._queue[0] = (dims[n:], sizes[n:])
            alloc = allocate_orderings(self._problem, take_d, take_s)
            fresh = np.zeros(take_d.shape[0], dtype=bool)
            for i in range(take_d.shape[0]):
                if not alloc.valid[i]:
                    continue
                sig = take_d[i].tobytes() + take_s[i].tobytes() + alloc.batch.cuts[i].tobytes()
                if sig in self._seen:
                    self.n_duplicates += 1
                    continue
                self._seen.add(sig)
                fresh[i] = True
            if fresh.any():
                idx = np.flatnonzero(fresh)
                return Proposal(batch=alloc.batch.take(idx), feasible=np.ones(idx.size, dtype=bool))
        return None
