"""Simulated annealing over orderings of all loop prime factors (SALSA-like), many chains in one batch.

Each chain holds one ordering; a step swaps two random positions, allocates as LOMA does and accepts by
SALSA's rule: always if better, else with probability exp((c_cur / c_new − 1) / T), T = T0 · 0.995^step.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from zigzag_opt.cost.model import BatchResult
from zigzag_opt.cost.problem import ProblemArrays
from zigzag_opt.search.allocate import allocate_orderings
from zigzag_opt.search.base import Criterion, MappingEngine, Proposal
from zigzag_opt.search.random import lpf_arrays

__all__ = ["AnnealingEngine"]

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


class AnnealingEngine(MappingEngine):
    """`chains` parallel annealing chains; `ask(n)` advances min(n, chains) of them by one step."""

    name = "annealing"

    def __init__(
        self,
        *,
        chains: int = 64,
        start_temperature: float = 0.05,
        cooling: float = 0.995,
        criterion: Criterion = Criterion.ENERGY,
        lpf_limit: int | None = None,
    ) -> None:
        self.chains = chains
        self.t0 = start_temperature
        self.cooling = cooling
        self.criterion = criterion
        self.lpf_limit = lpf_limit
        self._problem: ProblemArrays | None = None
        self._rng = np.random.default_rng(0)
        self._state: I64 = np.zeros((0, 0), dtype=np.int64)
        self._cost: F64 = np.zeros(0)
        self._step = 0
        self._pending: tuple[npt.NDArray[np.intp], I64] | None = None
        self._dims = np.zeros(0, dtype=np.int64)
        self._sizes = np.zeros(0, dtype=np.int64)

    def reset(self, problem: ProblemArrays, *, seed: int = 0) -> None:
        self._problem = problem
        self._rng = np.random.default_rng(seed)
        self._dims, self._sizes = lpf_arrays(problem, self.lpf_limit)
        width = self._dims.size
        self._state = np.argsort(self._rng.random((self.chains, width)), axis=1)
        self._cost = np.full(self.chains, np.inf)
        self._step = 0
        self._pending = None

    def _cost_of(self, result: BatchResult, usable: npt.NDArray[np.bool_]) -> F64:
        if self.criterion is Criterion.ENERGY:
            c = result.energy
        elif self.criterion is Criterion.LATENCY:
            c = result.latency
        else:
            c = result.energy * result.latency
        out: F64 = np.where(usable, c, np.inf)
        return out

    def ask(self, n: int) -> Proposal | None:
        if self._problem is None or n <= 0:
            return None
        k = min(n, self.chains)
        chains = np.sort(self._rng.choice(self.chains, size=k, replace=False)).astype(np.intp)
        cand = self._state[chains].copy()
        width = cand.shape[1]
        if width > 1 and self._step > 0:
            i = self._rng.integers(0, width, size=k)
            j = self._rng.integers(0, width, size=k)
            rows = np.arange(k)
            cand[rows, i], cand[rows, j] = cand[rows, j], cand[rows, i].copy()
        self._pending = (chains, cand)
        alloc = allocate_orderings(self._problem, self._dims[cand], self._sizes[cand])
        return Proposal(batch=alloc.batch, feasible=alloc.valid)

    def tell(self, proposal: Proposal, result: BatchResult) -> None:
        if self._pending is None:
            return
        chains, cand = self._pending
        new = self._cost_of(result, proposal.feasible & result.valid)
        cur = self._cost[chains]
        temperature = self.t0 * self.cooling**self._step
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ratio = np.where(
                np.isfinite(new) & np.isfinite(cur), cur / new - 1.0, np.where(np.isfinite(new), 1.0, -np.inf)
            )
            accept_p = np.exp(np.minimum(ratio / max(temperature, 1e-12), 50.0))
        accept = (new < cur) | (self._rng.random(chains.size) < accept_p)
        self._state[chains[accept]] = cand[accept]
        self._cost[chains[accept]] = new[accept]
        self._step += 1
        self._pending = None
