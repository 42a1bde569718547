"""The vectorised LOMA allocator's combination step: the numba kernel equals the numpy version exactly (choices and
validity), on synthetic options full of ties, overflows, NaN and infinities, and on whole allocations of random
problems."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("numba")

from zigzag_opt.cost import compile_problem
from zigzag_opt.search import allocate
from zigzag_opt.search._allocate_kernel import best_combination_kernel, folded_prefixes_kernel
from zigzag_opt.search.allocate import allocate_orderings
from zigzag_opt.search.lpf import ordering_arrays, problem_lpfs
from zigzag_opt.testing.convert import convert_triple
from zigzag_opt.testing.random_triples import random_triples


def _options(rng: np.random.Generator, n: int, n_loops: int, n_opt: int) -> list[tuple[int, ...]]:
    k = n_loops + 1
    options = []
    for x in range(n_opt):
        bits = rng.integers(1, 6, size=(n, k)).astype(np.float64) * 8  # small integers: many equal sums
        traffic = rng.integers(0, 4, size=(n, k)).astype(np.float64)
        special = rng.random((n, k))
        traffic[special < 0.02] = np.inf
        traffic[special > 0.99] = np.nan
        taken = rng.integers(0, k, size=n)
        last = np.minimum(k - 1, taken + rng.integers(-1, 4, size=n))  # sometimes below `taken`: nothing allowed
        ks = np.arange(k)[None, :]
        allowed = (ks >= taken[:, None]) & (ks <= last[:, None])
        if x == n_opt - 1 and rng.random() < 0.5:  # a top memory: exactly one prefix
            allowed = ks == last[:, None]
        options.append((x, bits, traffic, allowed))
    return options


@pytest.mark.parametrize("n_opt", [1, 2, 3, 4])
def test_kernel_equals_numpy_on_synthetic_options(n_opt: int) -> None:
    rng = np.random.default_rng(n_opt)
    outcomes = np.zeros(2, dtype=np.int64)
    for _ in range(40):
        n, n_loops = int(rng.integers(1, 60)), int(rng.integers(0, 6))
        options = _options(rng, n, n_loops, n_opt)
        capacity = float(rng.integers(8 * n_opt, 48 * n_opt))
        valid_np, valid_nb = np.ones(n, dtype=bool), np.ones(n, dtype=bool)
        taken = np.zeros((n, n_opt), dtype=np.int64)
        want = allocate._best_combination_numpy(options, capacity, taken, n_loops, valid_np)  # type: ignore[arg-type]
        got = best_combination_kernel(options, capacity, valid_nb)  # type: ignore[arg-type]
        np.testing.assert_array_equal(valid_nb, valid_np)
        for a, b in zip(got, want, strict=True):
            np.testing.assert_array_equal(a, b)
        outcomes += np.bincount(valid_np, minlength=2)
    assert outcomes.min() > 50  # both valid and invalid rows were compared


def test_folded_prefixes_kernel_equals_numpy() -> None:
    rng = np.random.default_rng(3)
    for n_loops in (0, 1, 5, 9):
        n, n_dims = 50, 7
        run = rng.random((n, n_dims)) * 10
        factors = np.where(rng.random((n, n_loops, n_dims)) < 0.3, rng.integers(2, 8, (n, n_loops, n_dims)), 1.0)
        taken = rng.integers(0, n_loops + 1, size=n)
        want = allocate._folded_prefixes_numpy(run, factors, taken)
        np.testing.assert_array_equal(folded_prefixes_kernel(run, factors, taken), want)


def test_kernel_equals_numpy_on_whole_allocations(monkeypatch: pytest.MonkeyPatch) -> None:
    compared = 0
    for t in random_triples(5, 40):
        c = convert_triple(t)
        prob = compile_problem(c.layer, c.core, c.spatial, c.links)
        dims, sizes = ordering_arrays(problem_lpfs(prob.temporal_sizes, prob.dims, 6), prob.dims)
        fast = allocate_orderings(prob, dims, sizes)
        monkeypatch.setattr(allocate, "has_kernel", lambda: False)
        slow = allocate_orderings(prob, dims, sizes)
        monkeypatch.undo()
        np.testing.assert_array_equal(fast.valid, slow.valid)
        np.testing.assert_array_equal(fast.batch.cuts, slow.batch.cuts)
        compared += len(fast.valid)
    assert compared > 1000
