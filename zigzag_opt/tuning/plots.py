"""Plots of a study (matplotlib, imported lazily so `import zigzag_opt` stays light)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import optuna
from optuna.trial import TrialState

__all__ = ["breakdown_plot", "pareto_plot"]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def pareto_plot(study: optuna.Study, path: Path) -> Path:
    """Every completed trial (grey) and the Pareto front (red) on the first two objectives, coloured by the
    third when there is one."""
    plt = _pyplot()
    objs = list(study.user_attrs.get("objectives", ["objective 0", "objective 1"]))
    done = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)) if t.values]
    best = {t.number for t in study.best_trials}
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    if done and len(done[0].values) >= 2:
        xs = [t.values[0] for t in done]
        ys = [t.values[1] for t in done]
        cs = [t.values[2] for t in done] if len(done[0].values) > 2 else None
        sc = ax.scatter(xs, ys, c=cs, cmap="viridis", s=14, alpha=0.6, label="trials")
        if cs is not None:
            fig.colorbar(sc, ax=ax, label=objs[2] if len(objs) > 2 else "objective 2")
        front = [(t.values[0], t.values[1]) for t in done if t.number in best]
        if front:
            ax.scatter(*zip(*front, strict=True), facecolors="none", edgecolors="tab:red", s=46, label="Pareto designs")
        pts = sorted(zip(xs, ys, strict=True))
        step: list[tuple[float, float]] = []
        for x, y in pts:  # the 2-D (first two objectives) front as a staircase
            if not step or y < step[-1][1]:
                step.append((x, y))
        if step:
            ax.step(*zip(*step, strict=True), where="post", color="tab:red", lw=1, alpha=0.7, label="2-D front")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel(objs[0])
        ax.set_ylabel(objs[1])
        ax.legend()
    ax.set_title(f"{study.study_name}: {len(done)} completed trials")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def breakdown_plot(study: optuna.Study, path: Path) -> Path:
    """Energy breakdown (MAC vs memory per operand) of the Pareto designs, as stacked bars."""
    plt = _pyplot()
    trials = sorted(study.best_trials, key=lambda t: t.values[0])[:12]
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    keys: list[str] = sorted(
        {k for t in trials for k in t.user_attrs.get("summary", {}).get("energy_breakdown_pj", {})}
    )
    bottom = [0.0] * len(trials)
    labels = [f"#{t.number}" for t in trials]
    for key in keys:
        vals = [float(t.user_attrs.get("summary", {}).get("energy_breakdown_pj", {}).get(key, 0.0)) for t in trials]
        ax.bar(labels, vals, bottom=bottom, label=key)
        bottom = [b + v for b, v in zip(bottom, vals, strict=True)]
    ax.set_ylabel("energy (pJ)")
    ax.set_xlabel("Pareto trial")
    ax.set_title("Energy breakdown of the Pareto designs")
    if keys:
        ax.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
