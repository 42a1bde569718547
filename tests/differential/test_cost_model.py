"""Differential test: this package's cost model against zigzag-dse 3.9.1 itself on seeded random legal triples.

Every triple is evaluated by ZigZag's own `CostModelEvaluation` (through the oracle) and by both of our
evaluators, the scalar reference and the vectorised batch model; energy, every latency component and every
per-level, per-direction word-access count must agree to rel 1e-6.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("zigzag")

from zigzag_opt.cost import compile_problem, evaluate_mappings, evaluate_reference
from zigzag_opt.hardware.memory import Direction
from zigzag_opt.testing.convert import convert_triple
from zigzag_opt.testing.random_triples import random_triples
from zigzag_opt.testing.zigzag_oracle import OracleResult

REL = 1e-6
CI_TRIPLES = 200
ALL_TRIPLES = 2000
DIRS = ("tl", "fl", "th", "fh")
LATENCY_FIELDS = (
    "ideal_temporal_cycle",
    "stall_slack_comb",
    "data_onloading",
    "data_offloading",
    "latency_total0",
    "latency_total1",
    "latency_total2",
)


def _close(ours: float, theirs: float) -> bool:
    return bool(ours == pytest.approx(theirs, rel=REL, abs=1e-9))


def _mismatches(ours: dict[str, float], oracle: OracleResult) -> list[str]:
    bad = [
        f"{key}: ours {ours[key]!r} zigzag {getattr(oracle, key)!r}"
        for key in ("energy_total", "mac_energy", *LATENCY_FIELDS)
        if not _close(ours[key], getattr(oracle, key))
    ]
    for key, value in ours.items():
        if key.startswith("acc.") and not _close(value, _oracle_access(oracle, key)):
            bad.append(f"{key}: ours {value} zigzag {_oracle_access(oracle, key)}")
    return bad


def _oracle_access(oracle: OracleResult, key: str) -> float:
    _, op, level, direction = key.split(".")
    return float(oracle.accesses[op][int(level)][direction])


def _ours_vectorised(triple_objs) -> dict[str, float]:  # type: ignore[no-untyped-def]
    c = triple_objs
    prob = compile_problem(c.layer, c.core, c.spatial, c.links)
    res = evaluate_mappings(prob, [c.temporal])
    assert bool(res.valid[0]), "a legal triple must be valid"
    out = {
        "energy_total": float(res.energy[0]),
        "mac_energy": float(res.mac_energy),
        "ideal_temporal_cycle": float(res.parts.ideal_temporal[0]),
        "stall_slack_comb": float(res.parts.stall_slack[0]),
        "data_onloading": float(res.parts.onloading[0]),
        "data_offloading": float(res.parts.offloading[0]),
        "latency_total0": float(res.parts.total0[0]),
        "latency_total1": float(res.parts.total1[0]),
        "latency_total2": float(res.parts.total2[0]),
    }
    for x, t in enumerate(prob.operands):
        for m in range(t.n_levels):
            for k, d in enumerate(DIRS):
                out[f"acc.{t.op}.{m}.{d}"] = float(res.accesses[x][0, m, k])
    return out


def _ours_reference(triple_objs) -> dict[str, float]:  # type: ignore[no-untyped-def]
    c = triple_objs
    r = evaluate_reference(c.layer, c.core, c.spatial, c.temporal, c.links)
    out = {
        "energy_total": r.energy_total,
        "mac_energy": r.mac_energy,
        "ideal_temporal_cycle": r.ideal_temporal_cycle,
        "stall_slack_comb": r.stall_slack_comb,
        "data_onloading": r.data_onloading,
        "data_offloading": r.data_offloading,
        "latency_total0": r.latency_total0,
        "latency_total1": r.latency_total1,
        "latency_total2": r.latency_total2,
    }
    for op, levels in r.accesses.items():
        for m, acc in enumerate(levels):
            for d in DIRS:
                out[f"acc.{op}.{m}.{d}"] = float(acc[Direction(d)])
    return out


def _check(seed: int, n: int) -> None:
    failures = []
    for i, triple in enumerate(random_triples(seed, n)):
        oracle = triple.evaluate()
        objs = convert_triple(triple)
        for name, ours in (("vectorised", _ours_vectorised(objs)), ("reference", _ours_reference(objs))):
            bad = _mismatches(ours, oracle)
            if bad:
                failures.append(f"triple {i} ({triple.accelerator}, {triple.layer.get('name')}) {name}: {bad[:4]}")
    assert not failures, f"{len(failures)} mismatches against ZigZag:\n" + "\n".join(failures[:20])


@pytest.mark.parametrize("seed", range(4))
def test_against_zigzag_ci_sample(seed: int) -> None:
    """CI: 4 × 50 = 200 seeded random triples over every bundled digital accelerator."""
    _check(seed, CI_TRIPLES // 4)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(100, 120))
def test_against_zigzag_full_sweep(seed: int) -> None:
    """`make test-all`: 20 × 100 = 2000 more triples."""
    _check(seed, ALL_TRIPLES // 20)


def test_batched_equals_single() -> None:
    """Evaluating many mappings of one problem at once gives each one's single-evaluation numbers."""
    triples = list(random_triples(7, 12))
    objs = [convert_triple(t) for t in triples]
    c = objs[0]
    prob = compile_problem(c.layer, c.core, c.spatial, c.links)
    same = [o.temporal for o in objs if (o.layer, o.core, o.spatial, o.links) == (c.layer, c.core, c.spatial, c.links)]
    batch = evaluate_mappings(prob, same * 5)
    single = [evaluate_mappings(prob, [t]) for t in same * 5]
    np.testing.assert_array_equal(batch.energy, np.concatenate([s.energy for s in single]))
    np.testing.assert_array_equal(batch.latency, np.concatenate([s.latency for s in single]))
