"""Cost-model speed against ZigZag 3.9.1, in one process, on the same seeded random (layer, accelerator, mapping)
triples the differential test uses.

Columns:
* ZigZag — `CostModelEvaluation` for a prepared problem (the per-candidate cost inside ZigZag's LOMA loop);
* ours, single — `evaluate_mappings(problem, [mapping])` with the problem compiled once (the mapper's inner call
  when it evaluates one candidate), and `evaluate_one` (compile + evaluate + full report) from scratch;
* ours, batched — each triple's problem with 1024 mappings evaluated in one call (LOMA-allocated random orderings).

Usage: .venv/bin/python bench/cost_model.py [--triples 1000] [--batch 1024]
"""

from __future__ import annotations

import argparse
import logging
import time

from zigzag_opt.cost import compile_problem, evaluate, evaluate_mappings, evaluate_one
from zigzag_opt.search.random import RandomEngine
from zigzag_opt.testing.convert import convert_triple
from zigzag_opt.testing.random_triples import random_triples
from zigzag_opt.testing.zigzag_oracle import prepare, zigzag_version


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--triples", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    triples = list(random_triples(args.seed, args.triples))
    zz_time = one_time = warm_time = single_time = 0.0
    for t in triples:
        problem = prepare(t.accelerator, t.layer, t.spatial, links=t.links)
        tm = problem.temporal_mapping(t.temporal)
        start = time.perf_counter()
        problem.cme(tm)
        zz_time += time.perf_counter() - start

        c = convert_triple(t)
        start = time.perf_counter()
        evaluate_one(c.layer, c.core, c.spatial, c.temporal, c.links)
        one_time += time.perf_counter() - start
        start = time.perf_counter()
        evaluate_one(c.layer, c.core, c.spatial, c.temporal, c.links)  # the problem is now in the compile cache
        warm_time += time.perf_counter() - start
        prob = compile_problem(c.layer, c.core, c.spatial, c.links)
        start = time.perf_counter()
        evaluate_mappings(prob, [c.temporal])
        single_time += time.perf_counter() - start

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
