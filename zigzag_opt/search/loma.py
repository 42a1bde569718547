"""LOMA: every distinct ordering of the loop prime factors, allocated to the memories as ZigZag does.

In ZigZag-compatible use (`lpf_limit` 6) it evaluates the same mapping space as ZigZag's LOMA and, with the
same selection rule, returns the same costs. Orderings are allocated and evaluated in large batches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from zigzag_opt.cost.problem import ProblemArrays
from zigzag_opt.errors import InputError, Problem
from zigzag_opt.search.allocate import allocate_orderings
from zigzag_opt.search.base import MappingEngine, Proposal
from zigzag_opt.search.lpf import ordering_arrays, problem_lpfs

__all__ = ["LomaEngine", "OrderingConstraints", "complete_ordering", "constraints_from_ordering"]

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class OrderingConstraints:
    """Positions (0 = innermost; negative from the outermost) pinned to a dim, or to a dim with a loop size."""

    dims_at: tuple[tuple[int, str], ...] = ()
    loops_at: tuple[tuple[int, str, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.dims_at or self.loops_at)


def _known(ordering: tuple[tuple[str, int | None], ...], dims: tuple[str, ...]) -> list[tuple[str, int | None]]:
    """ZigZag drops ordering entries whose dim the layer does not have. In 3.9.1 this also drops the ``[*, *]``
    outer-loop marker before the constraints are read, so positions always count from the innermost loop."""
    return [(d, s) for d, s in ordering if d in dims]


def complete_ordering(
    ordering: tuple[tuple[str, int | None], ...], dims: tuple[str, ...], temporal_sizes: dict[str, int]
) -> list[tuple[str, int]] | None:
    """The user's ordering if it fixes every temporal loop (sizes merged per dim equal the trip counts)."""
    entries = _known(ordering, dims)
    if not entries or any(s is None or d == "*" for d, s in entries):
        return None
    merged: dict[str, int] = {}
    for d, s in entries:
        assert s is not None
        merged[d] = merged.get(d, 1) * s
    if {d: s for d, s in merged.items() if s != 1} != temporal_sizes:
        return None
    return [(d, s) for d, s in entries if s is not None]


def constraints_from_ordering(
    ordering: tuple[tuple[str, int | None], ...], dims: tuple[str, ...]
) -> OrderingConstraints:
    """ZigZag's reading of a partial ordering: ``[DIM, *]`` pins DIM at that position, ``[DIM, n]`` pins a loop
    of size n; after a ``[*, *]`` entry positions count from the outermost end."""
    entries = _known(ordering, dims)
    outer = False
    dims_at: list[tuple[int, str]] = []
    loops_at: list[tuple[int, str, int]] = []
    for i, (d, s) in enumerate(entries):
        if d == "*" and s is None:
            outer = True
            continue
        pos = i - len(entries) if outer else i
        if s is None:
            dims_at.append((pos, d))
        else:
            loops_at.append((pos, d, s))
    return OrderingConstraints(tuple(dims_at), tuple(loops_at))


class LomaEngine(MappingEngine):
    """Exhaustive over LPF orderings (ZigZag's LOMA). `lpf_limit=None` keeps every prime factor."""

    name = "loma"

    def __init__(self, *, lpf_limit: int | None = 6, constraints: OrderingConstraints | None = None) -> None:
        self.lpf_limit = lpf_limit
        self.constraints = constraints or OrderingConstraints()
        self._dims: I64 = np.zeros((0, 0), dtype=np.int64)
        self._sizes: I64 = np.zeros((0, 0), dtype=np.int64)
        self._next = 0
        self._problem: ProblemArrays | None = None

    def reset(self, problem: ProblemArrays, *, seed: int = 0) -> None:
        self._problem = problem
        dims, sizes = ordering_arrays(problem_lpfs(problem.temporal_sizes, problem.dims, self.lpf_limit), problem.dims)
        keep = self._satisfies(problem, dims, sizes)
        self._dims, self._sizes = dims[keep], sizes[keep]
        self._next = 0

    @property
    def n_orderings(self) -> int:
        return int(self._dims.shape[0])

    def _satisfies(self, problem: ProblemArrays, dims: I64, sizes: I64) -> npt.NDArray[np.bool_]:
        keep = np.ones(dims.shape[0], dtype=bool)
        width = dims.shape[1]
        for pos, d in self.constraints.dims_at:
            if not -width <= pos < width:
                raise InputError(
                    Problem(
                        rule="a pinned temporal position lies outside the loop nest",
                        key_path="temporal_ordering",
                        value=pos,
                        accepted=f"{-width}..{width - 1}",
                    )
                )
            keep &= dims[:, pos] == problem.dims.index(d)
        for pos, d, s in self.constraints.loops_at:
            if not -width <= pos < width:
                keep &= False
                continue
            keep &= (dims[:, pos] == problem.dims.index(d)) & (sizes[:, pos] == s)
        return keep

    def ask(self, n: int) -> Proposal | None:
        if self._problem is None or self._next >= self.n_orderings:
            return None
        sl = slice(self._next, min(self._next + n, self.n_orderings))
        self._next = sl.stop
        alloc = allocate_orderings(self._problem, self._dims[sl], self._sizes[sl])
        return Proposal(batch=alloc.batch, feasible=alloc.valid)
