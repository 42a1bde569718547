"""Contract kit every mapping engine must pass: legal proposals, seeded determinism, budget kept, the optimum
of a tiny exhaustive problem found, and a clean "no valid mapping" result."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from zigzag_opt.cost.model import evaluate
from zigzag_opt.cost.problem import ProblemArrays
from zigzag_opt.search.base import Criterion, MappingEngine
from zigzag_opt.search.driver import run_search
from zigzag_opt.search.loma import LomaEngine

__all__ = [
    "check_budget",
    "check_determinism",
    "check_finds_optimum",
    "check_legal_proposals",
    "check_no_valid_mapping",
    "run_contract",
]

EngineFactory = Callable[[], MappingEngine]


def check_legal_proposals(make: EngineFactory, prob: ProblemArrays, *, rounds: int = 3, n: int = 64) -> None:
    """Every proposal covers the layer's loops exactly and has well-formed cuts; feasible ones evaluate."""
    engine = make()
    engine.reset(prob, seed=1)
    for _ in range(rounds):
        proposal = engine.ask(n)
        if proposal is None:
            break
        assert len(proposal.batch) <= n, "an engine must not return more candidates than asked"
        res = evaluate(prob, proposal.batch)
        assert bool(np.all(res.valid[proposal.feasible])), "feasible proposals must be valid mappings"
        engine.tell(proposal, res)


def check_determinism(make: EngineFactory, prob: ProblemArrays, *, budget: int = 200) -> None:
    a = run_search(prob, make(), Criterion.ENERGY, budget=budget, batch_size=50, seed=7)
    b = run_search(prob, make(), Criterion.ENERGY, budget=budget, batch_size=50, seed=7)
    assert a.best == b.best and a.best_energy == b.best_energy, "the same seed must give the same search"


def check_budget(make: EngineFactory, prob: ProblemArrays, *, budget: int = 37) -> None:
    res = run_search(prob, make(), Criterion.ENERGY, budget=budget, batch_size=10, seed=3)
    assert res.n_proposed <= budget, f"budget {budget} exceeded: {res.n_proposed}"


def check_finds_optimum(make: EngineFactory, prob: ProblemArrays, *, budget: int = 5000) -> None:
    """On a tiny problem the engine reaches LOMA-without-LPF-limit's optimum (every ordering enumerated)."""
    truth = run_search(prob, LomaEngine(lpf_limit=None), Criterion.ENERGY)
    got = run_search(prob, make(), Criterion.ENERGY, budget=budget, batch_size=64, seed=11)
    assert got.found and truth.found
    assert got.best_energy <= truth.best_energy * (1 + 1e-12), (got.best_energy, truth.best_energy)


def check_no_valid_mapping(make: EngineFactory, prob_too_small: ProblemArrays, *, budget: int = 100) -> None:
    res = run_search(prob_too_small, make(), Criterion.ENERGY, budget=budget, batch_size=25, seed=0)
    assert not res.found and res.best is None and res.n_usable == 0


def run_contract(make: EngineFactory, tiny: ProblemArrays, too_small: ProblemArrays, *, exhaustive: bool) -> None:
    check_legal_proposals(make, tiny)
    check_determinism(make, tiny)
    check_budget(make, tiny)
    if exhaustive:
        check_finds_optimum(make, tiny)
    check_no_valid_mapping(make, too_small)
