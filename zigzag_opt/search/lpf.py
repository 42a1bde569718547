"""Loop prime factors (LPFs) and their orderings, as ZigZag's LOMA builds them.

A temporal loop of size 12 on dim K becomes the LPFs K2, K2, K3. LOMA caps the number of LPFs (`lpf_limit`,
raised to the number of temporal dims) by repeatedly merging the two smallest factors of the dim that has the
most, then enumerates every distinct ordering of the multiset.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping, Sequence

import numpy as np
import numpy.typing as npt

__all__ = [
    "count_orderings",
    "limit_lpfs",
    "loop_prime_factors",
    "multiset_orderings",
    "ordering_arrays",
    "prime_factors",
    "problem_lpfs",
]

Lpf = tuple[str, int]


def prime_factors(n: int) -> list[tuple[int, int]]:
    """(prime, multiplicity) in ascending order."""
    out: list[tuple[int, int]] = []
    p = 2
    while p * p <= n:
        k = 0
        while n % p == 0:
            n //= p
            k += 1
        if k:
            out.append((p, k))
        p += 1
    if n > 1:
        out.append((n, 1))
    return out


def loop_prime_factors(temporal_sizes: dict[str, int], *, first_dim: str) -> dict[str, list[tuple[int, int]]]:
    """Per temporal dim (in the given order), its (factor, count) list. With no temporal loop at all, ZigZag
    schedules one dummy loop of size 1 on the layer's first dim."""
    factors = {dim: prime_factors(size) for dim, size in temporal_sizes.items()}
    if not any(factors.values()):
        return {first_dim: [(1, 1)]}
    return factors


def limit_lpfs(factors: dict[str, list[tuple[int, int]]], limit: int | None) -> list[Lpf]:
    """Merge factors until at most `limit` LPFs remain (the limit is raised to the number of dims): take the dim
    with the most LPFs (first on ties) and multiply its two smallest factors; keep each dim's factors sorted."""
    pfs = {d: [f for f, _ in fc] for d, fc in factors.items()}
    counts = {d: [c for _, c in fc] for d, fc in factors.items()}
    total = sum(sum(c) for c in counts.values())
    if limit is not None:
        limit = max(limit, len(factors))
    while limit is not None and total > limit:
        dim = max(counts, key=lambda d: sum(counts[d]))  # max() keeps the first maximum
        fs, cs = pfs[dim], counts[dim]
        a, b = (0, 0) if cs[0] > 1 else (0, 1)
        new = fs[a] * fs[b]
        cs[a] -= 1
        cs[b] -= 1
        if new in fs:
            cs[fs.index(new)] += 1
        else:
            at = len([f for f in fs if f < new])
            fs.insert(at, new)
            cs.insert(at, 1)
        keep = [i for i, c in enumerate(cs) if c]
        pfs[dim], counts[dim] = [fs[i] for i in keep], [cs[i] for i in keep]
        total -= 1
    return [(d, f) for d in pfs for f, c in zip(pfs[d], counts[d], strict=True) for _ in range(c)]


def problem_lpfs(temporal_sizes: Mapping[str, int], dims: Sequence[str], limit: int | None) -> list[Lpf]:
    """The LPF multiset LOMA orders for a problem's temporal loop sizes (`dims`: the layer's dims, whose first
    carries the dummy loop of a loop-less problem), capped at `limit` LPFs."""
    return limit_lpfs(loop_prime_factors(dict(temporal_sizes), first_dim=dims[0]), limit)


def ordering_arrays(lpfs: list[Lpf], dims: Sequence[str]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every distinct ordering of `lpfs` (lexicographic, innermost first) as arrays [n_orderings, len(lpfs)] of
    dim indices into `dims` and of sizes."""
    kinds = sorted(set(lpfs), key=lpfs.index)
    ids = multiset_orderings(lpfs)
    dim_of = np.array([list(dims).index(d) for d, _ in kinds], dtype=np.int64)
    size_of = np.array([s for _, s in kinds], dtype=np.int64)
    return dim_of[ids], size_of[ids]


def count_orderings(lpfs: list[Lpf]) -> int:
    """n! / Π(multiplicity!) distinct orderings."""
    from math import factorial

    out = factorial(len(lpfs))
    for lpf in set(lpfs):
        out //= factorial(lpfs.count(lpf))
    return out


def multiset_orderings(lpfs: list[Lpf]) -> npt.NDArray[np.int64]:
    """Every distinct ordering of the LPF multiset as rows of indices into `sorted(set(lpfs))`-ordered kinds.

    Returns a read-only int array [n_orderings, len(lpfs)] of kind ids (lexicographic order), shared between calls
    with the same multiplicities (every design of a study asks for the same few)."""
    kinds = sorted(set(lpfs), key=lpfs.index)
    return _orderings_of(tuple(sorted(kinds.index(lpf) for lpf in lpfs)))


@functools.lru_cache(maxsize=32)  # 32 multiplicity patterns (8 LPFs: at most 8! rows, 2.6 MB each)
def _orderings_of(ids: tuple[int, ...]) -> npt.NDArray[np.int64]:
    rows = list(_lexicographic(list(ids)))
    out = np.array(rows, dtype=np.int64).reshape(len(rows), len(ids))
    out.setflags(write=False)
    return out


def _lexicographic(seq: list[int]) -> Iterator[list[int]]:
    """Narayana's next-permutation: each distinct permutation of a sorted multiset once."""
    a = list(seq)
    n = len(a)
    while True:
        yield list(a)
        i = n - 2
        while i >= 0 and a[i] >= a[i + 1]:
            i -= 1
        if i < 0:
            return
        j = n - 1
        while a[j] <= a[i]:
            j -= 1
        a[i], a[j] = a[j], a[i]
        a[i + 1 :] = reversed(a[i + 1 :])
