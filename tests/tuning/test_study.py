"""Studies: every built-in sampler runs the objective; a study is stored, reopened and resumed with the exact
trial count; a seeded run repeats bit-identically; every example study loads and a short run completes; the
optimisation is real (hypervolume against an exhaustive front)."""

from __future__ import annotations

import dataclasses
import importlib.util
import itertools
from pathlib import Path

import numpy as np
import optuna
import pytest

from zigzag_opt.io.study_io import load_study_config
from zigzag_opt.tuning.analysis import hypervolume, pareto_frame, trials_frame, write_report
from zigzag_opt.tuning.study import build_objective, load_inputs, open_study, redact, run_study

optuna.logging.set_verbosity(optuna.logging.WARNING)
ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "study" / "study.yaml"
HAS_TORCH = importlib.util.find_spec("torch") is not None


def _config(tmp_path: Path, **changes: object):  # type: ignore[no-untyped-def]
    tmp_path.mkdir(parents=True, exist_ok=True)
    config = load_study_config(TINY)
    return dataclasses.replace(config, storage=f"sqlite:///{tmp_path / 'study.db'}", **changes)


@pytest.mark.parametrize("sampler", ["tpe", "nsga2", "nsga3", "random", "qmc", "gp"])
def test_every_multi_objective_sampler_runs(tmp_path: Path, sampler: str) -> None:
    if sampler == "gp" and not HAS_TORCH:
        pytest.skip("Optuna's GPSampler needs torch")
    study = run_study(_config(tmp_path), n_trials=4, sampler=sampler, artifacts=False)
    done = [t for t in study.trials if t.state.name == "COMPLETE"]
    assert len(study.trials) == 4 and done
    assert all(len(t.values) == 3 for t in done)


def test_cmaes_runs_a_single_objective(tmp_path: Path) -> None:
    config = _config(tmp_path, objectives=("edp",), sampler="cmaes")
    study = run_study(config, n_trials=4, artifacts=False)
    assert len(study.trials) == 4


def test_study_is_stored_reopened_and_resumed_to_the_exact_count(tmp_path: Path) -> None:
    config = _config(tmp_path)
    run_study(config, n_trials=3, artifacts=False)
    reopened = open_study(config)
    assert len(reopened.trials) == 3
    resumed = run_study(config, n_trials=6, artifacts=False)
    assert len(resumed.trials) == 6
    again = run_study(config, n_trials=6, artifacts=False)  # already there: nothing more runs
    assert len(again.trials) == 6
    assert again.user_attrs["package_version"] and again.user_attrs["input_hashes"]["workload"]


def test_seeded_run_repeats_bit_identically(tmp_path: Path) -> None:
    a = run_study(_config(tmp_path / "a"), n_trials=5, artifacts=False)
    b = run_study(_config(tmp_path / "b"), n_trials=5, artifacts=False)
    assert [t.params for t in a.trials] == [t.params for t in b.trials]
    assert [t.values for t in a.trials] == [t.values for t in b.trials]


def test_trial_user_attrs_constraints_and_artifacts(tmp_path: Path) -> None:
    config = _config(tmp_path, constraints={"area_mm2": 20.0})
    study = run_study(config, n_trials=3, artifact_dir=tmp_path / "artifacts")
    t = next(t for t in study.trials if t.state.name == "COMPLETE")
    for key in ("energy_pj", "latency_cycles", "area_mm2", "summary"):
        assert key in t.user_attrs
    summary = t.user_attrs["summary"]
    assert {"edp", "energy_breakdown_pj", "latency_breakdown_cycles", "layers"} <= set(summary)
    assert len(summary["layers"]) == 3
    assert "area_mm2" in t.constraints
    assert (tmp_path / "artifacts").is_dir() and any((tmp_path / "artifacts").iterdir())
    report = write_report(study, tmp_path / "report")
    names = {f.name for f in report.files}
    assert {"trials.csv", "layers.csv", "pareto.csv", "pareto.png", "breakdown.png", "report.html"} <= names
    assert len(trials_frame(study)) == 3 and len(pareto_frame(study)) >= 1


def test_every_example_study_and_space_loads_and_runs_briefly(tmp_path: Path) -> None:
    for path in sorted((ROOT / "studies").glob("*/study.yaml")):
        config = load_study_config(path)
        config = dataclasses.replace(config, storage=f"sqlite:///{tmp_path / (config.name + '.db')}")
        inputs = load_inputs(config)
        assert inputs.workload.layers and inputs.space.parameters
        study = run_study(config, n_trials=2, artifacts=False)
        assert len(study.trials) == 2, path


def test_storage_password_is_redacted() -> None:
    assert redact("postgresql://user:secret@db:5432/x") == "postgresql://user:***@db:5432/x"
    assert "secret" not in redact("postgresql+psycopg2://u:secret@h/d")
    assert redact("sqlite:///a.db") == "sqlite:///a.db"


def test_optimising_is_real_hypervolume_against_the_exhaustive_front(tmp_path: Path) -> None:
    """On the tiny space restricted to PE rows × cols (16 designs) the exhaustive front is computable; TPE with
    10 trials must reach 90 % of its hypervolume (energy, latency)."""
    objective = _cached_objective(load_study_config(TINY))
    fixed = {"glb_kib": 1024, "glb_port_bits": 2048, "wreg_bytes": 128}
    grid = list(itertools.product([8, 16, 32, 64], [8, 16, 32, 64]))
    points = []
    for rows, cols in grid:
        trial = optuna.trial.FixedTrial({"pe_rows": rows, "pe_cols": cols, **fixed})
        points.append(objective(trial))  # type: ignore[arg-type]
    pts = np.array(points)
    reference = pts.max(axis=0) * 1.1
    best = hypervolume(pts, reference)
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=optuna.samplers.TPESampler(seed=1))
    for params in [{"pe_rows": 8, "pe_cols": 8}, {"pe_rows": 64, "pe_cols": 64}]:
        study.enqueue_trial(params | fixed)
    study.optimize(lambda t: _restricted(t, fixed), n_trials=10)
    found = np.array([t.values for t in study.trials if t.values])
    assert hypervolume(found, reference) >= 0.9 * best


def _restricted(trial: optuna.Trial, fixed: dict[str, int]) -> tuple[float, ...]:
    rows = trial.suggest_categorical("pe_rows", [8, 16, 32, 64])
    cols = trial.suggest_categorical("pe_cols", [8, 16, 32, 64])
    config = load_study_config(TINY)
    objective = _cached_objective(config)
    return objective(optuna.trial.FixedTrial({"pe_rows": rows, "pe_cols": cols, **fixed}))  # type: ignore[arg-type]


_OBJECTIVES: dict[str, object] = {}


def _cached_objective(config):  # type: ignore[no-untyped-def]
    key = config.name
    if key not in _OBJECTIVES:
        config = dataclasses.replace(config, objectives=("energy", "latency"))
        _OBJECTIVES[key] = build_objective(load_inputs(config), artifacts=False)
    return _OBJECTIVES[key]


def test_flat_mode_puts_mapping_knobs_in_the_trial(tmp_path: Path) -> None:
    study = run_study(_config(tmp_path, mode="flat"), n_trials=4, artifacts=False)
    done = [t for t in study.trials if t.state.name == "COMPLETE"]
    assert done
    assert all("mapping.engine" in t.params and "mapping.lpf_limit" in t.params for t in study.trials)


def test_invalid_designs_fail_cleanly_and_the_study_goes_on(tmp_path: Path) -> None:
    config = _config(tmp_path, search_space=str(TINY.parent / "bad_space.yaml"), sampler="random")
    study = run_study(config, n_trials=8, artifacts=False)
    states = {t.state.name for t in study.trials}
    assert len(study.trials) == 8
    assert "PRUNED" in states and "COMPLETE" in states
    pruned = next(t for t in study.trials if t.state.name == "PRUNED")
    assert "infeasible" in pruned.user_attrs and pruned.params["out_reg_bits"] == 0


def test_a_trial_left_running_is_retried_with_its_design(tmp_path: Path) -> None:
    """A run killed mid-trial leaves it RUNNING: the next run fails it and re-runs the same design first."""
    config = _config(tmp_path)
    run_study(config, n_trials=2, artifacts=False)
    study = open_study(config)
    orphan = study.ask()  # as a killed run leaves it: parameters drawn, never told
    drawn = {
        name: orphan.suggest_categorical(name, list(d.choices)) for name, d in study.trials[0].distributions.items()
    }
    resumed = run_study(config, n_trials=3, artifacts=False)
    trials = resumed.get_trials()
    assert [t.state.name for t in trials] == ["COMPLETE", "COMPLETE", "FAIL", "COMPLETE"]
    assert trials[3].system_attrs["retry_history"] == [2] and trials[3].params == drawn


def test_an_interrupted_run_queues_its_trial_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C in a trial: Optuna fails it; the run queues the same design again before it stops."""
    import zigzag_opt.tuning.study as study_module

    config = _config(tmp_path)
    real = build_objective(load_inputs(config), artifacts=False)

    def interrupted_objective(*args: object, **kwargs: object) -> object:
        def objective(trial: optuna.Trial) -> object:
            if trial.number == 1:
                for name, d in trial.study.trials[0].distributions.items():
                    trial.suggest_categorical(name, list(d.choices))
                raise KeyboardInterrupt
            return real(trial)

        return objective

    monkeypatch.setattr(study_module, "build_objective", interrupted_objective)
    with pytest.raises(KeyboardInterrupt):
        run_study(config, n_trials=3, artifacts=False)
    interrupted = open_study(config).get_trials()
    assert [t.state.name for t in interrupted] == ["COMPLETE", "FAIL", "WAITING"]
    assert interrupted[2].params == interrupted[1].params and interrupted[2].system_attrs["retry_history"] == [1]
    monkeypatch.undo()
    resumed = run_study(config, n_trials=3, artifacts=False).get_trials()
    assert [t.state.name for t in resumed] == ["COMPLETE", "FAIL", "COMPLETE", "COMPLETE"]
    assert resumed[2].params == interrupted[1].params
