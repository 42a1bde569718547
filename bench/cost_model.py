"""Cost-model speed against ZigZag 3.9.1, in one process, on the same seeded random (layer, accelerator, mapping)
triples the differential test uses.

Columns:
* ZigZag — `CostModelEvaluation` for a prepared problem (the per-candidate cost inside ZigZag's LOMA loop);
* ours, single — `evaluate_one` from scratch (compile + evaluate + full report), `evaluate_one` again (the problem
  found in the compile cache: what a loop over mappings of known problems pays), and
  `evaluate_mappings(problem, [mapping])` with the problem compiled once (the mapper's inner call for one candidate);
* ours, batched — each triple's problem with 1024 mappings evaluated in one call (LOMA-allocated random orderings).

Each evaluator runs its own loop over the triples (in chunks of 200, so the compile cache holds a chunk), as a
mapper would call it; the inputs are prepared outside the timed loops, the garbage collector is paused in them and
each loop's time is the best of 3 passes (as `timeit` does; the first `evaluate_one` pass, which compiles, runs
once). The last row times `evaluate_one` interleaved
one by one with ZigZag's evaluation instead: every call then starts with caches ZigZag's 4 ms evaluation has
evicted, which costs a ~5 µs kernel call ~10x.

Usage: .venv/bin/python bench/cost_model.py [--triples 1000] [--batch 1024]
"""

from __future__ import annotations

import argparse
import gc
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from zigzag_opt.cost import compile_problem, evaluate, evaluate_mappings, evaluate_one
from zigzag_opt.search.random import RandomEngine
from zigzag_opt.testing.convert import convert_triple
from zigzag_opt.testing.random_triples import random_triples
from zigzag_opt.testing.zigzag_oracle import prepare, zigzag_version

CHUNK = 200
REPEAT = 3


def _timed(items: Sequence[Any], call: Callable[[Any], object], repeat: int = REPEAT) -> float:
    """Seconds to call `call` on every item, the best of `repeat` passes, with the garbage collector paused as
    `timeit` does (else a collection walking ZigZag's prepared object graphs lands in whichever loop allocates)."""
    gc.collect()
    gc.disable()
    try:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            for item in items:
                call(item)
            best = min(best, time.perf_counter() - start)
        return best
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--triples", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    triples = list(random_triples(args.seed, args.triples))
    zz_time = one_time = warm_time = single_time = interleaved_time = 0.0
    for first in range(0, len(triples), CHUNK):
        chunk = triples[first : first + CHUNK]
        zz = [
            (p, p.temporal_mapping(t.temporal))
            for t in chunk
            for p in [prepare(t.accelerator, t.layer, t.spatial, links=t.links)]
        ]
        zz_time += _timed(zz, lambda item: item[0].cme(item[1]))
        ours = [convert_triple(t) for t in chunk]
        one_time += _timed(ours, lambda c: evaluate_one(c.layer, c.core, c.spatial, c.temporal, c.links), repeat=1)
        warm_time += _timed(ours, lambda c: evaluate_one(c.layer, c.core, c.spatial, c.temporal, c.links))
        compiled = [(compile_problem(c.layer, c.core, c.spatial, c.links), c.temporal) for c in ours]
        single_time += _timed(compiled, lambda item: evaluate_mappings(item[0], [item[1]]))
        for (problem, tm), c in zip(zz, ours, strict=True):
            problem.cme(tm)
            start = time.perf_counter()
            evaluate_one(c.layer, c.core, c.spatial, c.temporal, c.links)
            interleaved_time += time.perf_counter() - start

    batched_time = 0.0
    batched_count = 0
    sample = triples[: max(1, min(len(triples), 100))]
    for t in sample:
        c = convert_triple(t)
        prob = compile_problem(c.layer, c.core, c.spatial, c.links)
        engine = RandomEngine(lpf_limit=None)
        engine.reset(prob, seed=1)
        proposal = engine.ask(args.batch)
        assert proposal is not None
        start = time.perf_counter()
        evaluate(prob, proposal.batch)
        batched_time += time.perf_counter() - start
        batched_count += len(proposal.batch)

    n = len(triples)
    zz_rate = n / zz_time
    rows = [
        ("ZigZag CostModelEvaluation", zz_rate, 1.0),
        ("ours: evaluate_one (compile + report)", n / one_time, (n / one_time) / zz_rate),
        ("ours: evaluate_one, problem compiled", n / warm_time, (n / warm_time) / zz_rate),
        ("ours: single mapping, compiled problem", n / single_time, (n / single_time) / zz_rate),
        ("ours: evaluate_one, cached, interleaved", n / interleaved_time, (n / interleaved_time) / zz_rate),
        (
            f"ours: batched ({args.batch} per call)",
            batched_count / batched_time,
            (batched_count / batched_time) / zz_rate,
        ),
    ]
    print(f"zigzag-dse {zigzag_version()}, {n} triples (seed {args.seed}); batched on {len(sample)} problems")
    print(f"{'evaluator':<42}{'mappings/s':>14}{'× ZigZag':>12}")
    for name, rate, ratio in rows:
        print(f"{name:<42}{rate:>14,.0f}{ratio:>12,.1f}")
    print(f"(per mapping: ZigZag {1e6 / zz_rate:,.0f} µs, ours batched {1e6 * batched_time / batched_count:,.2f} µs)")


if __name__ == "__main__":
    main()
