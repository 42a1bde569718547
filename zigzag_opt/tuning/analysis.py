"""Look at a finished study: the Pareto front as a table, trials and per-layer rows as DataFrames (CSV and,
when pyarrow is present, Parquet), and plots (PNG, plus a self-contained HTML page)."""

from __future__ import annotations

import base64
import html
import importlib.util
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import optuna
import pandas as pd
from optuna.trial import TrialState

__all__ = ["ReportFiles", "hypervolume", "layer_frame", "pareto_frame", "trials_frame", "write_report"]

_UNITS = {"energy": "energy_pj", "latency": "latency_cycles", "area": "area_mm2", "edp": "edp"}


def _objectives(study: optuna.Study) -> list[str]:
    objs = study.user_attrs.get("objectives")
    return list(objs) if objs else [f"value_{i}" for i in range(len(study.directions))]


def trials_frame(study: optuna.Study) -> pd.DataFrame:
    """One row per trial: number, state, parameters, objective values and the scalar user attrs."""
    rows = []
    objs = _objectives(study)
    for t in study.get_trials(deepcopy=False):
        row: dict[str, object] = {"number": t.number, "state": t.state.name}
        row.update({f"param.{k}": v for k, v in t.params.items()})
        if t.values is not None:
            row.update({o: v for o, v in zip(objs, t.values, strict=False)})
        row.update({k: v for k, v in t.user_attrs.items() if isinstance(v, int | float | str)})
        row.update({f"constraint.{k}": v for k, v in (t.constraints or {}).items()})
        rows.append(row)
    return pd.DataFrame(rows)


def layer_frame(study: optuna.Study) -> pd.DataFrame:
    """One row per (trial, layer) of the completed trials."""
    rows = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        for layer in t.user_attrs.get("summary", {}).get("layers", []):
            rows.append({"trial": t.number, **layer})
    return pd.DataFrame(rows)


def pareto_frame(study: optuna.Study) -> pd.DataFrame:
    """The non-dominated completed trials (feasible ones when constraints were set), one row per distinct design,
    best first on objective 0."""
    objs = _objectives(study)
    rows = []
    for t in study.best_trials:
        row: dict[str, object] = {"trial": t.number}
        row.update({o: v for o, v in zip(objs, t.values, strict=False)})
        row.update(t.params)
        rows.append(row)
    frame = pd.DataFrame(rows)
    if not len(frame):
        return frame
    # samplers revisit designs: one row per distinct design (its first trial)
    frame = frame.sort_values("trial").drop_duplicates(subset=[c for c in frame.columns if c != "trial"])
    return frame.sort_values(objs[0]).reset_index(drop=True)


def hypervolume(points: np.ndarray, reference: np.ndarray) -> float:
    """Hypervolume dominated by `points` (minimisation) up to `reference`, via Optuna's implementation."""
    from optuna._hypervolume import compute_hypervolume

    inside = points[np.all(points < reference, axis=1)]
    if inside.size == 0:
        return 0.0
    return float(compute_hypervolume(inside, reference))


@dataclass
class ReportFiles:
    directory: Path
    files: list[Path] = field(default_factory=list)


def write_report(study: optuna.Study, out_dir: str | Path) -> ReportFiles:
    """Write trials.csv, layers.csv (and .parquet when pyarrow is installed), pareto.csv, pareto.png,
    breakdown.png and report.html into `out_dir`."""
    out = ReportFiles(Path(out_dir))
    out.directory.mkdir(parents=True, exist_ok=True)
    frames = {"trials": trials_frame(study), "layers": layer_frame(study), "pareto": pareto_frame(study)}
    parquet = importlib.util.find_spec("pyarrow") is not None
    for name, frame in frames.items():
        path = out.directory / f"{name}.csv"
        frame.to_csv(path, index=False)
        out.files.append(path)
        if parquet and name != "pareto" and len(frame):
            pq = out.directory / f"{name}.parquet"
            frame.to_parquet(pq, index=False)
            out.files.append(pq)
    from zigzag_opt.tuning import plots

    pareto_png = plots.pareto_plot(study, out.directory / "pareto.png")
    breakdown_png = plots.breakdown_plot(study, out.directory / "breakdown.png")
    out.files += [pareto_png, breakdown_png]
    page = out.directory / "report.html"
    page.write_text(_html(study, frames["pareto"], [pareto_png, breakdown_png]))
    out.files.append(page)
    return out


def _html(study: optuna.Study, pareto: pd.DataFrame, images: list[Path]) -> str:
    imgs = "".join(
        f'<img alt="{html.escape(p.stem)}" src="data:image/png;base64,{base64.b64encode(p.read_bytes()).decode()}"/>'
        for p in images
    )
    attrs = "".join(f"<li>{html.escape(str(k))}: {html.escape(str(v))}</li>" for k, v in study.user_attrs.items())
    return (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{html.escape(study.study_name)}</title>"
        "<style>body{font-family:sans-serif;margin:2em}img{max-width:48%;margin:1%}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}</style></head><body>"
        f"<h1>Study {html.escape(study.study_name)}</h1><ul>{attrs}</ul>{imgs}"
        f"<h2>Pareto front ({len(pareto)} designs)</h2>{pareto.to_html(index=False)}</body></html>"
    )
