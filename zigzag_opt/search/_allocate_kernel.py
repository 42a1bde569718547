"""The two hot steps of the vectorised LOMA allocator (`allocate`) as numba kernels. `_best_combination`: per
ordering, only the prefix combinations each operand allows are visited (the numpy version builds the dense
[N, K, K, K] tensor of all of them, most of the allocator's time). `_folded_prefixes`: the same products, without a
temporary array per loop.

Every number and tie of the numpy version is kept: sums are taken in operand order, ties go to the combination
enumerated last (first operand varying slowest), and where the numpy version finds no finite best (nothing fits, or
a NaN) the choice is the last combination and the ordering is invalid. Imported lazily (numba), like
`zigzag_opt.cost.kernel`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

__all__ = ["best_combination_kernel", "folded_prefixes_kernel"]

_F = TypeVar("_F", bound=Callable[..., Any])


def _jit(fn: _F) -> _F:
    return cast(_F, numba.njit(cache=True, error_model="numpy", nogil=True)(fn))


@_jit
def _best_combination(
    bits: npt.NDArray[np.float64],
    traffic: npt.NDArray[np.float64],
    allowed: npt.NDArray[np.bool_],
    capacity: float,
    valid: npt.NDArray[np.bool_],
    chosen: npt.NDArray[np.int64],
) -> None:
    n_opt, n, k = bits.shape
    lo = np.empty(n_opt, dtype=np.int64)
    hi = np.empty(n_opt, dtype=np.int64)
    idx = np.empty(n_opt, dtype=np.int64)
    for r in range(n):
        smallest = 0.0
        empty = False
        for i in range(n_opt):
            first = -1
            last = -1
            for j in range(k):
                if allowed[i, r, j]:
                    if first < 0:
                        first = j
                    last = j
            smallest += bits[i, r, first if first >= 0 else 0]
            lo[i] = first
            hi[i] = last
            empty = empty or first < 0
        if not smallest <= capacity:  # ZigZag raises when even the smallest combination overflows
            valid[r] = False
        best = np.inf
        nan_seen = False
        if not empty:
            for i in range(n_opt):
                idx[i] = lo[i]
            while True:
                ok = True
                size = 0.0
                flow = 0.0
                for i in range(n_opt):
                    ok = ok and allowed[i, r, idx[i]]
                    size += bits[i, r, idx[i]]
                    flow += traffic[i, r, idx[i]]
                if ok and size <= capacity:
                    if flow != flow:
                        nan_seen = True
                    elif flow <= best:  # a later combination wins a tie
                        best = flow
                        for i in range(n_opt):
                            chosen[i, r] = idx[i]
                i = n_opt - 1  # next combination: the last operand varies fastest
                while i >= 0:
                    idx[i] += 1
                    if idx[i] <= hi[i]:
                        break
                    idx[i] = lo[i]
                    i -= 1
                if i < 0:
                    break
        if nan_seen or best == np.inf:
            valid[r] = False
            for i in range(n_opt):
                chosen[i, r] = k - 1


def best_combination_kernel(
    options: list[tuple[int, npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.bool_]]],
    capacity: float,
    valid: npt.NDArray[np.bool_],
) -> list[npt.NDArray[np.int64]]:
    """`allocate._best_combination` (which see) for a non-empty `options`; updates `valid` in place."""
    bits = np.ascontiguousarray(np.stack([o[1] for o in options]), dtype=np.float64)
    traffic = np.ascontiguousarray(np.stack([o[2] for o in options]), dtype=np.float64)
    allowed = np.ascontiguousarray(np.stack([o[3] for o in options]))
    chosen = np.zeros((len(options), bits.shape[1]), dtype=np.int64)
    _best_combination(bits, traffic, allowed, float(capacity), valid, chosen)
    return list(chosen)


@_jit
def _folded_prefixes(
    run: npt.NDArray[np.float64], factors: npt.NDArray[np.float64], taken: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    n, n_loops, n_dims = factors.shape
    out = np.empty((n, n_loops + 1, n_dims))
    for r in range(n):
        for d in range(n_dims):
            cur = run[r, d]
            out[r, 0, d] = cur
            for j in range(n_loops):
                if j >= taken[r]:
                    cur = cur * factors[r, j, d]
                out[r, j + 1, d] = cur
    return out


def folded_prefixes_kernel(
    run: npt.NDArray[np.float64], factors: npt.NDArray[np.float64], taken: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """`allocate._folded_prefixes` (which see)."""
    out: npt.NDArray[np.float64] = _folded_prefixes(
        np.ascontiguousarray(run, dtype=np.float64),
        np.ascontiguousarray(factors, dtype=np.float64),
        np.ascontiguousarray(taken, dtype=np.int64),
    )
    return out
