"""The compiled LOMA allocator equals the numpy one exactly (cuts and validity of every ordering) on random digital
and IMC problems. Through LOMA, the allocator is held to ZigZag's own results by the ZigZag suite
(tests/search/test_zigzag_suite.py: 36 whole-network runs, equal)."""

from __future__ import annotations

import importlib.util
from typing import Any

import numpy as np
import pytest

pytest.importorskip("numba")

from zigzag_opt.cost import compile_problem
from zigzag_opt.search import allocate
from zigzag_opt.search.allocate import allocate_orderings
from zigzag_opt.search.lpf import count_orderings, ordering_arrays, problem_lpfs


def _allocation_problems() -> list[Any]:
    from zigzag_opt.testing.convert import convert_triple
    from zigzag_opt.testing.random_triples import random_triples

    cases = [convert_triple(t) for t in random_triples(5, 80)]
    if importlib.util.find_spec("zigzag") is not None:
        from zigzag_opt.testing.random_imc import convert_imc_triple, random_imc_triples

        cases += [convert_imc_triple(t) for t in random_imc_triples(6, 20)]
    return [compile_problem(c.layer, c.core, c.spatial, c.links) for c in cases]


def test_kernel_equals_numpy_on_whole_allocations(monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled allocator (`allocate_kernel`) against the numpy one, on digital and IMC problems at LOMA's lpf 6
    and the finer lpf 8: the same cuts and validity for every ordering."""
    compared = invalid = 0
    for prob in _allocation_problems():
        for limit in (6, 8):
            lpfs = problem_lpfs(prob.temporal_sizes, prob.dims, limit)
            if count_orderings(lpfs) > 5000:
                continue
            dims, sizes = ordering_arrays(lpfs, prob.dims)
            fast = allocate_orderings(prob, dims, sizes)
            monkeypatch.setattr(allocate, "has_kernel", lambda: False)
            slow = allocate_orderings(prob, dims, sizes)
            monkeypatch.undo()
            np.testing.assert_array_equal(fast.valid, slow.valid)
            np.testing.assert_array_equal(fast.batch.cuts, slow.batch.cuts)
            compared += len(fast.valid)
            invalid += int((~fast.valid).sum())
    assert compared > 20000 and invalid > 100
