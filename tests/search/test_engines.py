"""Every engine passes the contract kit; LOMA reproduces ZigZag's LOMA choice on single layers."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from zigzag_opt.cost import compile_problem
from zigzag_opt.hardware.accelerator import Core
from zigzag_opt.library import load_accelerator
from zigzag_opt.mapping import SpatialMapping
from zigzag_opt.search.annealing import AnnealingEngine
from zigzag_opt.search.base import Criterion, MappingEngine
from zigzag_opt.search.driver import run_search
from zigzag_opt.search.exhaustive import ExhaustiveEngine
from zigzag_opt.search.loma import LomaEngine
from zigzag_opt.search.random import RandomEngine
from zigzag_opt.testing.engine_contract import run_contract
from zigzag_opt.testing.factories import conv_layer as conv


def shrink_top(core: Core) -> Core:
    """The same core with its top memory too small for anything."""
    mems = list(core.memories)
    mems[-1] = dataclasses.replace(mems[-1], size_bits=8)
    return dataclasses.replace(core, memories=tuple(mems))


TPU = load_accelerator("tpu_like").core
SM = SpatialMapping.of({"D1": {"K": 32}, "D2": {"C": 32}})
TINY = compile_problem(conv(64, 64, 4, 4, 3, 3), TPU, SM)
TOO_SMALL = compile_problem(conv(64, 64, 4, 4, 3, 3), shrink_top(TPU), SM)

ENGINES: dict[str, tuple[Callable[[], MappingEngine], bool]] = {
    "loma": (lambda: LomaEngine(lpf_limit=None), True),
    "exhaustive": (lambda: ExhaustiveEngine(lpf_limits=(None,)), True),
    "random": (lambda: RandomEngine(), True),
    "annealing": (lambda: AnnealingEngine(chains=16), True),
}


@pytest.mark.parametrize("name", sorted(ENGINES))
def test_engine_contract(name: str) -> None:
    make, exhaustive = ENGINES[name]
    run_contract(make, TINY, TOO_SMALL, exhaustive=exhaustive)


def test_exhaustive_never_worse_than_loma() -> None:
    prob = compile_problem(conv(64, 64, 14, 14, 3, 3), TPU, SM)
    for criterion in Criterion:
        loma = run_search(prob, LomaEngine(lpf_limit=6), criterion)
        exact = run_search(prob, ExhaustiveEngine(), criterion)
        if criterion is Criterion.ENERGY:
            assert exact.best_energy <= loma.best_energy
        elif criterion is Criterion.LATENCY:
            assert exact.best_latency <= loma.best_latency
        else:
            assert exact.best_energy * exact.best_latency <= loma.best_energy * loma.best_latency


def test_pareto_front_is_non_dominated() -> None:
    res = run_search(TINY, LomaEngine(lpf_limit=None), Criterion.ENERGY, keep_pareto=True)
    pts = [(e, lat) for e, lat, _ in res.pareto]
    assert pts, "a feasible problem has a non-empty front"
    for a in pts:
        assert not any(b != a and b[0] <= a[0] and b[1] <= a[1] for b in pts)
    assert min(e for e, _ in pts) == res.best_energy
