"""Distributed-study scaling: trials/s with 1 and 2 `zigzag-opt worker` processes sharing one study on PostgreSQL.

Each run is a fresh study (a unique name) of the demo co-design study (`studies/edge_resnet18`: ResNet-18 on an
edge TPU-like template, LOMA mapping every layer of every design) with a random sampler; `--lpf` sets LOMA's
loop-prime-factor limit and so the work per trial (7 by default; the demo uses 6). Workers are the real console
script, started together; each samples its own random designs, so runs differ in their designs but not in their
distribution.

Next to each distributed run, a *control* runs the same objective in the same number of independent processes with
in-memory studies (no database, no coordination): what the machine itself gives N processes of this work. The
distributed rate over the control's is the efficiency of the distributed machinery (storage, heartbeat, claim lock,
the database server's share of the cores).

Rates are trials/s while every process runs trials (from the last process's first trial start to the first one's
last trial end: start-up skew and the tail excluded). Runs are interleaved (control and distributed, 1 and 2
workers, repeated) and the best of the repeats is kept: other load on the machine only slows a run down.

Usage:
    .venv/bin/python bench/scaling.py [--trials 60] [--repeat 2] [--lpf 7] [--storage postgresql://...] [--workers 1 2]

Without --storage: $ZIGZAG_OPT_TEST_POSTGRES, else a throwaway server started by tests/tools/pg_server.sh.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import optuna
import yaml

from zigzag_opt.io.study_io import load_study_config
from zigzag_opt.tuning.distributed import OWNER_KEY, STORAGE_ENV, census, open_storage
from zigzag_opt.tuning.study import build_objective, load_inputs

ROOT = Path(__file__).resolve().parents[1]
STUDY = ROOT / "studies" / "edge_resnet18" / "study.yaml"
PG_SERVER = ROOT / "tests" / "tools" / "pg_server.sh"
Span = tuple[float, float]  # a trial's start and end, s since the epoch


@contextmanager
def _postgres(given: str | None) -> Iterator[str]:
    url = given or os.environ.get("ZIGZAG_OPT_TEST_POSTGRES")
    if url:
        yield url
        return
    folder = Path(tempfile.mkdtemp(prefix="zigzag-bench-pg-"))
    try:
        out = subprocess.run(
            [str(PG_SERVER), "start", str(folder / "server")], check=True, capture_output=True, text=True
        )
        yield out.stdout.strip()
    finally:
        subprocess.run([str(PG_SERVER), "stop", str(folder / "server")], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def _study_file(folder: Path, trials: int, lpf: int | None = None) -> tuple[Path, str]:
    doc = yaml.safe_load(STUDY.read_text())
    if lpf is not None:
        doc["mapper"] = dict(doc.get("mapper", {})) | {"lpf_limit": lpf}
    name = f"scaling_{uuid.uuid4().hex[:8]}"
    for key in ("accelerator", "search_space"):
        if (STUDY.parent / doc[key]).is_file():
            doc[key] = str((STUDY.parent / doc[key]).resolve())
    doc |= {"name": name, "n_trials": trials, "sampler": {"name": "random"}}
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path, name


def steady_rate(spans_by_process: Sequence[Sequence[Span]]) -> float:
    """Trials/s while every process runs trials: from the last process's first start to the first one's last end."""
    begin = max(min(s for s, _ in spans) for spans in spans_by_process)
    end = min(max(e for _, e in spans) for spans in spans_by_process)
    inside = sum(1 for spans in spans_by_process for s, e in spans if s >= begin and e <= end)
    return inside / (end - begin)


def distributed(url: str, workers: int, trials: int, lpf: int | None) -> float:
    """Steady trials/s of `workers` `zigzag-opt worker` processes on one PostgreSQL study."""
    with tempfile.TemporaryDirectory() as tmp:
        path, name = _study_file(Path(tmp), trials, lpf)
        env = {**os.environ, STORAGE_ENV: url, "OMP_NUM_THREADS": "1"}
        command = [sys.executable, "-m", "zigzag_opt.cli", "worker", str(path), "--no-artifacts", "--quiet"]
        procs = [subprocess.Popen(command, env=env) for _ in range(workers)]
        codes = [p.wait() for p in procs]
    if any(codes):
        raise SystemExit(f"a worker failed: exit codes {codes}")
    study = optuna.load_study(study_name=name, storage=open_storage(url).storage)
    done = study.get_trials(deepcopy=False)
    assert census(done).finished == trials and len(done) == trials, census(done)
    by_worker: dict[int, list[Span]] = {}
    for t in done:
        span = (t.datetime_start.timestamp(), t.datetime_complete.timestamp())
        by_worker.setdefault(t.system_attrs[OWNER_KEY]["pid"], []).append(span)
    return steady_rate(list(by_worker.values()))


def control(workers: int, trials: int, lpf: int | None) -> float:
    """Steady trials/s of `workers` independent processes running the objective on in-memory studies."""
    with tempfile.TemporaryDirectory() as tmp:
        path, _ = _study_file(Path(tmp), trials, lpf)
        command = [sys.executable, __file__, "--control-child", str(path), str(trials // workers)]
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(workers)]
        outputs = [p.communicate()[0] for p in procs]
    if any(p.returncode for p in procs):
        raise SystemExit("a control process failed")
    return steady_rate([[tuple(s) for s in json.loads(out)] for out in outputs])


def _control_child(study_file: str, trials: int) -> None:
    config = load_study_config(study_file)
    objective = build_objective(load_inputs(config), artifacts=False)
    spans: list[Span] = []

    def timed(trial: optuna.Trial) -> tuple[float, ...]:
        start = time.time()
        values = objective(trial)
        spans.append((start, time.time()))
        return values

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.RandomSampler(seed=os.getpid())
    study = optuna.create_study(directions=["minimize"] * len(config.objectives), sampler=sampler)
    study.optimize(timed, n_trials=trials)
    print(json.dumps(spans))


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--control-child":
        _control_child(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--trials", type=int, default=60, help="trials per run")
    parser.add_argument("--repeat", type=int, default=2, help="runs per setting, interleaved (the best is kept)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--lpf", type=int, default=7, help="LOMA's lpf_limit (the study's is 6: ~0.2 s/trial; 7: ~0.85 s; 8: ~6 s)"
    )
    parser.add_argument("--storage", help="PostgreSQL URL (default: $ZIGZAG_OPT_TEST_POSTGRES or a throwaway server)")
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    best: dict[tuple[str, int], float] = {}
    with _postgres(args.storage) as url:
        for _ in range(args.repeat):
            for workers in args.workers:
                for kind, rate in (
                    ("control", control(workers, args.trials, args.lpf)),
                    ("distributed", distributed(url, workers, args.trials, args.lpf)),
                ):
                    best[kind, workers] = max(rate, best.get((kind, workers), 0.0))
                    print(f"  {kind} {workers}: {rate:.2f} trials/s", file=sys.stderr)
    base = best["distributed", args.workers[0]]
    base_control = best["control", args.workers[0]]
    cores = os.cpu_count()
    print(f"{args.trials} trials of {STUDY.parent.name}, lpf_limit {args.lpf}, {cores} cores (best of {args.repeat})")
    print(
        "| workers | PostgreSQL study, trials/s | speed-up "
        "| independent in-memory processes, trials/s | speed-up | efficiency |"
    )
    print(
        "|--------:|---------------------------:|---------:|------------------------------------------:|---------:|-----------:|"
    )
    for w in args.workers:
        rate, ceiling = best["distributed", w], best["control", w]
        cells = f"{rate:>26.2f} | {rate / base:>7.2f}× | {ceiling:>41.2f} | {ceiling / base_control:>7.2f}× |"
        print(f"| {w:>7} | {cells} {rate / ceiling:>9.0%} |")


if __name__ == "__main__":
    main()
