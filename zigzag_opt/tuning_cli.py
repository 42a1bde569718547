"""`zigzag-opt tune | report | dashboard`: run Optuna co-design studies and look at them."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path
from typing import Any

__all__ = ["add_tuning_commands", "print_pareto", "run_demo_study"]


def _study_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("study", metavar="STUDY.yaml", help="study file (see studies/*/study.yaml)")
    p.add_argument("--storage", metavar="URL", help="override the study's storage (e.g. postgresql://..., a .log file)")


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
    tune.add_argument("--n-trials", type=int, metavar="N", help="total finished trials to reach (default: study's)")
    tune.add_argument(
        "--sampler", metavar="NAME", help="override the sampler (tpe, nsga2, nsga3, gp, random, qmc, cmaes)"
    )
    tune.add_argument("--seed", type=int, metavar="S", help="override the seed")
    tune.add_argument("--no-progress", action="store_true", help="no progress bar")
    tune.set_defaults(handler=_cmd_tune)

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


def _cmd_tune(args: argparse.Namespace) -> int:
    from zigzag_opt.io.study_io import load_study_config
    from zigzag_opt.tuning.study import redact, run_study

    config = load_study_config(args.study)
    storage = args.storage or config.storage
    print(f"Study {config.name}: storage {redact(storage)}, objectives {', '.join(config.objectives)}")
    study = run_study(
        config,
        n_trials=args.n_trials,
        storage=storage,
        sampler=args.sampler,
        seed=args.seed,
        progress=not args.no_progress,
    )
    print_pareto(study)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from zigzag_opt.io.study_io import load_study_config
    from zigzag_opt.tuning.analysis import write_report
    from zigzag_opt.tuning.study import open_study

    config = load_study_config(args.study)
    study = open_study(config, storage=args.storage)
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
    storage = args.storage or config.storage
    artifacts = config.directory / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    print(f"optuna-dashboard on http://{args.host}:{args.port}/ (Ctrl-C to stop)")
    run_server(storage, host=args.host, port=args.port, artifact_store=FileSystemArtifactStore(str(artifacts)))
    return 0


def run_demo_study(study_file: Path, *, n_trials: int | None = None) -> int:
    """`make demo`: run the edge ResNet-18 study on SQLite, print the Pareto front and where the plots are."""
    from zigzag_opt.io.study_io import load_study_config
    from zigzag_opt.tuning.analysis import write_report
    from zigzag_opt.tuning.study import redact, run_study

    config = load_study_config(study_file)
    print(f"Co-design study {config.name!r}: {config.description}")
    print(f"storage {redact(config.storage)}; objectives {', '.join(config.objectives)}; sampler {config.sampler}")
    study = run_study(config, n_trials=n_trials, progress=True)
    print()
    print_pareto(study)
    files = write_report(study, config.directory / "report")
    print(f"\nPlots and tables: {files.directory} (report.html, pareto.png, breakdown.png, trials.csv, layers.csv)")
    print(f"Dashboard: zigzag-opt dashboard {study_file}")
    return 0
