"""Random search: uniformly random orderings of the loop prime factors, allocated as LOMA does."""

from __future__ import annotations

import numpy as np

from zigzag_opt.cost.problem import ProblemArrays
from zigzag_opt.search.allocate import allocate_orderings
from zigzag_opt.search.base import MappingEngine, Proposal
from zigzag_opt.search.lpf import problem_lpfs

__all__ = ["RandomEngine", "lpf_arrays"]


def lpf_arrays(problem: ProblemArrays, lpf_limit: int | None) -> tuple[np.ndarray, np.ndarray]:
    """The LPF multiset of a problem as (dim index, size) arrays."""
    lpfs = problem_lpfs(problem.temporal_sizes, problem.dims, lpf_limit)
    dims = np.array([problem.dims.index(d) for d, _ in lpfs], dtype=np.int64)
    sizes = np.array([s for _, s in lpfs], dtype=np.int64)
    return dims, sizes


class RandomEngine(MappingEngine):
    """Independent random orderings; never exhausts (the driver's budget stops it)."""

    name = "random"

    def __init__(self, *, lpf_limit: int | None = None) -> None:
        self.lpf_limit = lpf_limit
        self._rng = np.random.default_rng(0)
        self._problem: ProblemArrays | None = None
        self._dims = np.zeros(0, dtype=np.int64)
        self._sizes = np.zeros(0, dtype=np.int64)

    def reset(self, problem: ProblemArrays, *, seed: int = 0) -> None:
        self._problem = problem
        self._rng = np.random.default_rng(seed)
        self._dims, self._sizes = lpf_arrays(problem, self.lpf_limit)

    def ask(self, n: int) -> Proposal | None:
        if self._problem is None or n <= 0:
            return None
        perm = np.argsort(self._rng.random((n, self._dims.size)), axis=1)
        alloc = allocate_orderings(self._problem, self._dims[perm], self._sizes[perm])
        return Proposal(batch=alloc.batch, feasible=alloc.valid)
