"""`zigzag-opt tune | worker | report | dashboard`: run Optuna co-design studies (one process, local worker
processes, or workers on many machines sharing a PostgreSQL database) and look at them."""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import logging
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["add_tuning_commands", "print_pareto", "run_demo_study"]


EXIT_INTERRUPTED = 130


def _study_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("study", metavar="STUDY.yaml", help="study file (see studies/*/study.yaml)")
    p.add_argument(
        "--storage",
        metavar="URL",
        help="override the study's storage: postgresql://user@host/db, sqlite:///x.db, a journal file x.log; "
        "default: $ZIGZAG_OPT_STORAGE, else the study file's storage, else study.log (if it exists) or study.db "
        "in the study folder",
    )


def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--n-trials", type=int, metavar="N", help="total finished trials to reach (default: study's)")
    p.add_argument("--sampler", metavar="NAME", help="override the sampler (tpe, nsga2, nsga3, gp, random, qmc, cmaes)")
    p.add_argument("--seed", type=int, metavar="S", help="override the seed")
    p.add_argument("--no-artifacts", action="store_true", help="do not store per-trial report artifacts")
    fault = p.add_argument_group("fault tolerance")
    fault.add_argument("--heartbeat", type=int, default=10, metavar="S", help="heartbeat interval, s (RDB storages)")
    fault.add_argument(
        "--grace-period", type=int, default=30, metavar="S", help="a trial without heartbeat for S s is lost"
    )
    fault.add_argument("--max-retry", type=int, default=3, metavar="K", help="retries of a lost trial")
    fault.add_argument("--poll", type=float, default=2.0, metavar="S", help="idle workers look again every S s")


def add_tuning_commands(sub: Any, parents: list[argparse.ArgumentParser]) -> None:
    tune = sub.add_parser(
        "tune",
        parents=parents,
        help="run (or resume) an Optuna co-design study",
        description="Optuna proposes accelerator designs from the study's search space; every layer of the "
        "workload is mapped on each design; energy, latency and area (as the study says) are minimised. "
        "Rerunning resumes the same study up to its trial count.",
    )
    _study_args(tune)
    tune.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="run N local worker processes (on the journal file study.log unless --storage says otherwise)",
    )
    _run_args(tune)
    tune.add_argument("--no-progress", action="store_true", help="no progress bar")
    tune.set_defaults(handler=_cmd_tune)

    worker = sub.add_parser(
        "worker",
        parents=parents,
        help="run trials of a shared study until it holds its trial count (start one per core and machine)",
        description="One worker of a distributed study: any number of them, on any machines, share one study "
        "through its storage (PostgreSQL for many machines; a journal file on one machine). Together they run "
        "exactly the study's trial count. A trial whose worker dies (no heartbeat for the grace period) is "
        "marked failed and retried with the same parameters; SIGINT/SIGTERM re-queue the running trial at once. "
        "Pass the storage URL in $ZIGZAG_OPT_STORAGE to keep a password off the command line.",
    )
    _study_args(worker)
    _run_args(worker)
    worker.add_argument("--quiet", action="store_true", help="no line per trial")
    worker.set_defaults(handler=_cmd_worker)

    report = sub.add_parser(
        "report",
        parents=parents,
        help="Pareto table, CSV/Parquet of trials and per-layer rows, plots (PNG + HTML)",
    )
    _study_args(report)
    report.add_argument("--out", metavar="DIR", help="output folder (default: <study folder>/report)")
    report.set_defaults(handler=_cmd_report)

    dash = sub.add_parser("dashboard", parents=parents, help="serve the study in optuna-dashboard")
    _study_args(dash)
    dash.add_argument("--host", default="127.0.0.1")
    dash.add_argument("--port", type=int, default=8080)
    dash.set_defaults(handler=_cmd_dashboard)


def print_pareto(study: Any, limit: int = 20) -> None:
    from zigzag_opt.tuning.analysis import pareto_frame

    frame = pareto_frame(study)
    done = sum(1 for t in study.trials if t.state.name == "COMPLETE")
    print(f"Study {study.study_name}: {len(study.trials)} trials ({done} complete), Pareto front of {len(frame)}:")
    if len(frame):
        with_fmt = frame.head(limit).to_string(index=False, float_format=lambda v: f"{v:.4g}")
        print(with_fmt)


def _fault(args: argparse.Namespace) -> Any:
    from zigzag_opt.tuning.distributed import FaultTolerance

    return FaultTolerance(
        heartbeat_interval=args.heartbeat,
        grace_period=args.grace_period,
        max_retry=args.max_retry,
        poll_interval=args.poll,
    )


def _storage(args: argparse.Namespace, config: Any, *, workers: int = 1, fault: Any = None) -> Any:
    """The study's storage URL and the storage, opened: --storage, else $ZIGZAG_OPT_STORAGE, else the study's."""
    from zigzag_opt.errors import InputError
    from zigzag_opt.tuning.distributed import STORAGE_ENV, default_storage, open_storage

    file = ""
    if args.storage:
        url, key = args.storage, "--storage"
    elif os.environ.get(STORAGE_ENV):
        url, key = os.environ[STORAGE_ENV], f"${STORAGE_ENV}"
    else:
        url, key, file = default_storage(config, workers=workers), "storage", config.file
    try:
        return url, open_storage(url, fault=fault, key_path=key)
    except InputError as exc:
        raise exc.in_file(file) if file else exc from None


def _worker_args(args: argparse.Namespace) -> list[str]:
    out = []
    for flag, value in (("--n-trials", args.n_trials), ("--sampler", args.sampler), ("--seed", args.seed)):
        if value is not None:
            out += [flag, str(value)]
    return out + (["--no-artifacts"] if args.no_artifacts else [])


def _interrupted(done: int, target: int) -> int:
    print(f"interrupted: {done} of {target} trials finished; run the same command again to resume", file=sys.stderr)
    return EXIT_INTERRUPTED


def _progress(total: int, initial: int, enabled: bool) -> Any:
    """A tqdm bar over finished trials (None when disabled)."""
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=min(initial, total), unit="trial", desc="trials", file=sys.stderr)


def _cmd_tune(args: argparse.Namespace) -> int:
    from zigzag_opt.errors import InputError
    from zigzag_opt.io.study_io import load_study_config
    from zigzag_opt.tuning.distributed import (
        STORAGE_ENV,
        adopt_sqlite_study,
        census,
        run_worker,
        sigterm_as_interrupt,
    )

    config = load_study_config(args.study)
    if args.workers < 1:
        raise InputError.one("the number of workers must be at least 1", key_path="--workers", value=args.workers)
    fault = _fault(args)
    url, storage = _storage(args, config, workers=args.workers, fault=fault)
    if args.workers > 1 and storage.spec.kind == "sqlite":
        raise InputError.one(
            "several worker processes cannot share a SQLite file",
            key_path="--storage",
            value=storage.spec.display,
            accepted="a journal file (e.g. study.log) or postgresql://...",
        )
    target = config.n_trials if args.n_trials is None else args.n_trials
    print(
        f"Study {config.name}: storage {storage.spec.display}, objectives {', '.join(config.objectives)}, "
        f"{args.workers} worker(s)"
    )
    by_default = not args.storage and not os.environ.get(STORAGE_ENV)
    if args.workers > 1 and by_default and (copied := adopt_sqlite_study(config, storage)):
        print(f"copied the study ({copied} trials) from {config.directory / 'study.db'} into the journal file")
    sigterm_as_interrupt()
    if args.workers > 1:
        return _tune_processes(args, config, url, storage, target, fault)
    bar = _progress(target, _finished(storage, config.name), not args.no_progress)
    try:
        with _quiet_optuna(bar is not None), _interrupts_quiet():
            study, _ = run_worker(
                config,
                storage=storage,
                n_trials=args.n_trials,
                sampler=args.sampler,
                seed=args.seed,
                fault=fault,
                artifacts=not args.no_artifacts,
                unique_seed=False,
                on_trial=(lambda run: bar.update(1)) if bar is not None else None,
            )
    except KeyboardInterrupt:
        return _interrupted(_finished(storage, config.name), target)
    finally:
        if bar is not None:
            bar.close()
    done = census(study.get_trials(deepcopy=False))
    print(f"{done.finished} trials finished ({done.retried} lost trial(s) retried)")
    print_pareto(study)
    return 0


class _InterruptWithoutTraceback(logging.Filter):
    """Optuna logs a trial stopped by Ctrl-C/SIGTERM as failed, with a traceback: keep the line, drop the traceback
    (the trial is re-queued; an interrupt is no error)."""

    def filter(self, record: logging.LogRecord) -> bool:
        from zigzag_opt.tuning.distributed import is_interrupt

        if record.exc_info and record.exc_info[1] is not None and is_interrupt(record.exc_info[1]):
            record.exc_info = None
            record.exc_text = None
        return True


@contextlib.contextmanager
def _interrupts_quiet() -> Iterator[None]:
    logger = logging.getLogger("optuna.study._optimize")
    quiet = _InterruptWithoutTraceback()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


@contextlib.contextmanager
def _quiet_optuna(quiet: bool) -> Iterator[None]:
    """Optuna's per-trial INFO lines off while a progress bar runs (warnings still show)."""
    import optuna

    level = optuna.logging.get_verbosity()
    if quiet:
        optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(level)


def _finished(storage: Any, name: str) -> int:
    from zigzag_opt.tuning.distributed import study_census

    return int(study_census(storage, name).finished)


def _tune_processes(args: argparse.Namespace, config: Any, url: str, storage: Any, target: int, fault: Any) -> int:
    from zigzag_opt.tuning.distributed import run_local_workers
    from zigzag_opt.tuning.study import open_study

    bar = _progress(target, _finished(storage, config.name), not args.no_progress)

    def show(now: Any) -> None:
        if bar is not None:
            bar.update(max(0, min(now.finished, target) - bar.n))

    try:
        run = run_local_workers(
            args.study,
            config,
            workers=args.workers,
            storage_url=url,
            worker_args=_worker_args(args),
            fault=fault,
            progress=show,
        )
    finally:
        if bar is not None:
            bar.close()
    if run.interrupted:
        return _interrupted(run.final.finished, target)
    failed = [code for code in run.exit_codes if code != 0]
    print(f"{run.final.finished} trials finished ({run.final.retried} lost trial(s) retried)")
    if failed:
        unfinished = run.final.finished < target or run.final.running or run.final.waiting
        level = "error" if unfinished else "warning"
        print(f"{level}: {len(failed)} worker process(es) failed (exit codes {failed})", file=sys.stderr)
        if unfinished:
            return 1
    print_pareto(open_study(config, storage=storage.storage))
    return 0


def _cmd_worker(args: argparse.Namespace) -> int:
    from zigzag_opt.io.study_io import load_study_config
    from zigzag_opt.tuning.distributed import run_worker, sigterm_as_interrupt

    config = load_study_config(args.study)
    fault = _fault(args)
    _, storage = _storage(args, config, fault=fault)
    sigterm_as_interrupt()
    target = config.n_trials if args.n_trials is None else args.n_trials
    me = f"[{socket.gethostname()}:{os.getpid()}] "

    def line(run: Any) -> None:
        retry = f", retry of trial {run.retry_of}" if run.retry_of is not None else ""
        print(f"{me}trial {run.number} {run.state} in {run.seconds:.2f} s{retry}", flush=True)

    if not args.quiet:
        print(f"{me}worker on study {config.name} ({storage.spec.display}), target {target} trials", flush=True)
    try:
        with _interrupts_quiet(), _quiet_optuna(args.quiet):
            _, result = run_worker(
                config,
                storage=storage,
                n_trials=args.n_trials,
                sampler=args.sampler,
                seed=args.seed,
                fault=fault,
                artifacts=not args.no_artifacts,
                on_trial=None if args.quiet else line,
            )
    except KeyboardInterrupt:
        print(f"{me}interrupted; its running trial was re-queued", file=sys.stderr, flush=True)
        return EXIT_INTERRUPTED
    final = result.final
    if not args.quiet and final is not None:
        lost = f"; re-queued lost trial(s) {result.requeued}" if result.requeued else ""
        print(
            f"{me}done: ran {len(result.ran)} trial(s){lost}; study holds {final.finished} finished trials", flush=True
        )
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from zigzag_opt.io.study_io import load_study_config
    from zigzag_opt.tuning.analysis import write_report
    from zigzag_opt.tuning.study import open_study

    config = load_study_config(args.study)
    _, storage = _storage(args, config)
    study = open_study(config, storage=storage.storage)
    out = Path(args.out) if args.out else config.directory / "report"
    files = write_report(study, out)
    print_pareto(study)
    print(f"\nReport written to {files.directory}:")
    for f in files.files:
        print(f"  {f.name}")
    return 0


def _cmd_dashboard(args: argparse.Namespace) -> int:
    from zigzag_opt.errors import InputError
    from zigzag_opt.io.study_io import load_study_config

    if importlib.util.find_spec("optuna_dashboard") is None:
        raise InputError.one(
            "optuna-dashboard is not installed",
            value="optuna_dashboard",
            accepted="pip install 'zigzag-opt[dashboard]'",
        )
    from optuna.artifacts import FileSystemArtifactStore
    from optuna_dashboard import run_server

    config = load_study_config(args.study)
    _, storage = _storage(args, config)
    artifacts = config.directory / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    print(f"optuna-dashboard on http://{args.host}:{args.port}/ for {storage.spec.display} (Ctrl-C to stop)")
    run_server(storage.storage, host=args.host, port=args.port, artifact_store=FileSystemArtifactStore(str(artifacts)))
    return 0


def run_demo_study(study_file: Path, *, n_trials: int | None = None) -> int:
    """`make demo`: run the edge ResNet-18 study on SQLite, print the Pareto front and where the plots are."""
    from zigzag_opt.io.study_io import load_study_config
    from zigzag_opt.tuning.analysis import write_report
    from zigzag_opt.tuning.study import redact, run_study

    config = load_study_config(study_file)
    print(f"Co-design study {config.name!r}: {config.description}")
    print(f"storage {redact(config.storage)}; objectives {', '.join(config.objectives)}; sampler {config.sampler}")
    try:
        with _interrupts_quiet():
            study = run_study(config, n_trials=n_trials, progress=True)
    except KeyboardInterrupt:
        from zigzag_opt.tuning.study import finished_count, open_study

        print(file=sys.stderr)
        return _interrupted(finished_count(open_study(config)), config.n_trials if n_trials is None else n_trials)
    print()
    print_pareto(study)
    files = write_report(study, config.directory / "report")
    print(f"\nPlots and tables: {files.directory} (report.html, pareto.png, breakdown.png, trials.csv, layers.csv)")
    print(f"Dashboard: zigzag-opt dashboard {study_file}")
    return 0
