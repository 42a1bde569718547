"""Non-dominated filtering of (energy, latency, ...) points, minimisation on every axis."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["pareto_mask"]


def pareto_mask(points: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """[N] True where no other point is <= on every axis and < on one. Duplicates keep their first copy."""
    n = points.shape[0]
    keep = np.zeros(n, dtype=bool)
    if n == 0:
        return keep
    order = np.lexsort(points.T[::-1])  # sort by the first axis, then the next ...
    best_rest: list[npt.NDArray[np.float64]] = []
    for i in order:
        p = points[i]
        if not np.all(np.isfinite(p)):
            continue
        dominated = any(np.all(q <= p) for q in best_rest)
        if not dominated:
            keep[i] = True
            best_rest.append(p)
    return keep
