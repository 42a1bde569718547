"""Study throughput: trials/s of the demo study (edge ResNet-18 co-design, TPE, SQLite) next to the same sampler
and storage with a constant objective (Optuna's own ceiling), measured side by side in one run, and the share of
trial time spent mapping. The cache is warmed by a first pass, as in a long study.

Usage: .venv/bin/python bench/study.py [--trials 60]
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path

import optuna

from zigzag_opt.io.study_io import load_study_config
from zigzag_opt.tuning.study import build_objective, load_inputs, make_sampler

ROOT = Path(__file__).resolve().parents[1]


def _study(storage: str, name: str, config) -> optuna.Study:  # type: ignore[no-untyped-def]
    return optuna.create_study(
        study_name=name,
        storage=storage,
        directions=["minimize"] * len(config.objectives),
        sampler=make_sampler(config.sampler, config.sampler_args, config.seed, len(config.objectives)),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=60)
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    config = load_study_config(ROOT / "studies/edge_resnet18/study.yaml")
    inputs = load_inputs(config)
    objective = build_objective(inputs, artifacts=False)
    space = inputs.space

    with tempfile.TemporaryDirectory() as tmp:
        storage = f"sqlite:///{Path(tmp) / 'bench.db'}"
        # warm the cross-trial cache with one pass over the same sampler sequence
        warm = _study(storage, "warm", dataclasses.replace(config))
        warm.optimize(objective, n_trials=args.trials)

        constant = _study(storage, "constant", config)
        start = time.perf_counter()
        constant.optimize(lambda t: (space.suggest(t), (1.0,) * len(config.objectives))[1], n_trials=args.trials)
        ceiling = args.trials / (time.perf_counter() - start)

        real = _study(storage, "real", config)
        start = time.perf_counter()
        real.optimize(objective, n_trials=args.trials)
        elapsed = time.perf_counter() - start
        rate = args.trials / elapsed
        mapping = sum(float(t.user_attrs.get("summary", {}).get("mapping_seconds", 0.0)) for t in real.trials)

        cold = _study(f"sqlite:///{Path(tmp) / 'cold.db'}", "cold", config)
        fresh = build_objective(inputs, artifacts=False)
        start = time.perf_counter()
        cold.optimize(fresh, n_trials=args.trials)
        cold_rate = args.trials / (time.perf_counter() - start)

    print(f"{args.trials} trials, sampler {config.sampler}, SQLite storage, workload {config.workload}")
    print(f"{'run':<40}{'trials/s':>10}{'% of ceiling':>14}")
    print(f"{'constant objective (Optuna ceiling)':<40}{ceiling:>10.2f}{100.0:>13.0f}%")
    print(f"{'co-design, cache warm':<40}{rate:>10.2f}{100 * rate / ceiling:>13.0f}%")
    print(f"{'co-design, cold cache':<40}{cold_rate:>10.2f}{100 * cold_rate / ceiling:>13.0f}%")
    print(f"share of (warm) trial time spent mapping: {100 * mapping / elapsed:.0f}%")
    print(f"cache hit rate over the warm run: {objective.cache.hit_rate:.0%}")


if __name__ == "__main__":
    main()
