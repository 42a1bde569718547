"""Create, open, resume and run Optuna co-design studies from a `study.yaml`."""

from __future__ import annotations

import contextlib
import hashlib
import json
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import optuna
from optuna.trial import TrialState

from zigzag_opt import __version__
from zigzag_opt.errors import InputError, Problem
from zigzag_opt.hardware.accelerator import Accelerator
from zigzag_opt.io.files import load_input
from zigzag_opt.io.onnx_import import import_onnx
from zigzag_opt.io.space_io import load_search_space
from zigzag_opt.io.study_io import StudyConfig, load_study_config
from zigzag_opt.library import list_accelerators, list_mappings, load_accelerator, load_mapping
from zigzag_opt.library.workloads import list_workloads, load_workload
from zigzag_opt.mapping.spec import MappingSpec
from zigzag_opt.search.base import Criterion
from zigzag_opt.search.network import MapperOptions
from zigzag_opt.tuning.objective import CoDesignObjective
from zigzag_opt.tuning.space import SearchSpace
from zigzag_opt.workload.network import Network

__all__ = [
    "SAMPLERS",
    "StudyInputs",
    "load_inputs",
    "make_sampler",
    "open_study",
    "redact",
    "run_study",
]

SAMPLERS = ("tpe", "nsga2", "nsga3", "gp", "random", "qmc", "cmaes", "bruteforce")


@dataclass(frozen=True, slots=True)
class StudyInputs:
    """Everything a study file names, loaded."""

    config: StudyConfig
    workload: Network
    accelerator: Accelerator
    specs: tuple[MappingSpec, ...]
    space: SearchSpace
    hashes: dict[str, str]


def _hash_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def _load_workload(config: StudyConfig) -> tuple[Network, str]:
    ref = config.workload
    compat: Literal["zigzag"] | None = "zigzag" if config.workload_compat == "zigzag" else None
    if ref in list_workloads():
        args: dict[str, int] = dict(config.workload_args)
        try:
            return load_workload(ref, compat=compat, precision=None, **args), f"zoo:{ref}:{args}"
        except InputError as exc:  # a bad size: point at the study file's workload_args
            raise InputError(
                replace(p, key_path="workload_args" + (f".{p.key_path}" if p.key_path in args else ""))
                for p in exc.problems
            ).in_file(config.file) from None
    path = config.resolve(ref)
    if path.suffix == ".onnx":
        return import_onnx(path, compat=compat), _hash_file(path)
    loaded = load_input(path, expect="workload")
    assert isinstance(loaded.value, Network)
    return loaded.value, _hash_file(path)


def _load_accelerator(config: StudyConfig) -> tuple[Accelerator, str]:
    if config.accelerator in list_accelerators():
        return load_accelerator(config.accelerator), f"library:{config.accelerator}"
    path = config.resolve(config.accelerator)
    loaded = load_input(path, expect="accelerator")
    assert isinstance(loaded.value, Accelerator)
    return loaded.value, _hash_file(path)


def _load_mapping(config: StudyConfig) -> tuple[tuple[MappingSpec, ...], str]:
    if config.mapping in list_mappings():
        return load_mapping(config.mapping), f"library:{config.mapping}"
    path = config.resolve(config.mapping)
    loaded = load_input(path, expect="mapping")
    assert isinstance(loaded.value, tuple)
    return loaded.value, _hash_file(path)


def _check_references(config: StudyConfig) -> None:
    """Every input the study names is a bundled one or an existing file; else one `InputError` naming the study
    file and its keys (a problem inside a named file is reported by that file's loader)."""
    refs = (
        ("workload", config.workload, list_workloads()),
        ("accelerator", config.accelerator, list_accelerators()),
        ("mapping", config.mapping, list_mappings()),
        ("search_space", config.search_space, ()),
    )
    problems = [
        Problem(
            rule="no such file" + (f", and no bundled {key} of this name" if names else ""),
            key_path=key,
            value=ref,
            accepted="an existing file (relative to the study file)"
            + (f", or one of {', '.join(names)}" if names else ""),
            file=config.file,
        )
        for key, ref, names in refs
        if ref not in names and not config.resolve(ref).is_file()
    ]
    if problems:
        raise InputError(problems)


def load_inputs(config: StudyConfig) -> StudyInputs:
    """Load the workload, base accelerator, mapping and search space a study names."""
    _check_references(config)
    workload, wh = _load_workload(config)
    accelerator, ah = _load_accelerator(config)
    specs, mh = _load_mapping(config)
    space_path = config.resolve(config.search_space)
    space = load_search_space(space_path)
    hashes = {"workload": wh, "accelerator": ah, "mapping": mh, "search_space": _hash_file(space_path)}
    if config.file:
        hashes["study"] = _hash_file(Path(config.file))
    return StudyInputs(config, workload, accelerator, specs, space, hashes)


def make_sampler(name: str, args: dict[str, Any], seed: int, n_objectives: int) -> optuna.samplers.BaseSampler:
    """Any built-in Optuna sampler by name, seeded (Optuna's "experimental" notes on NSGA-III/QMC are muted)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        return _make_sampler(name, args, seed, n_objectives)


def _make_sampler(name: str, args: dict[str, Any], seed: int, n_objectives: int) -> optuna.samplers.BaseSampler:
    kwargs = dict(args)
    kwargs.setdefault("seed", seed)
    if name == "tpe":
        return optuna.samplers.TPESampler(**kwargs)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(**kwargs)
    if name == "nsga3":
        return optuna.samplers.NSGAIIISampler(**kwargs)
    if name == "gp":
        kwargs.setdefault("deterministic_objective", True)
        return optuna.samplers.GPSampler(**kwargs)
    if name == "random":
        return optuna.samplers.RandomSampler(**kwargs)
    if name == "qmc":
        return optuna.samplers.QMCSampler(**kwargs)
    if name == "cmaes":
        if n_objectives != 1:
            raise InputError.one(
                "CMA-ES optimises a single objective", key_path="sampler.name", value=name, accepted="one objective"
            )
        return optuna.samplers.CmaEsSampler(**kwargs)
    if name == "bruteforce":
        return optuna.samplers.BruteForceSampler(**kwargs)
    raise InputError.one("unknown sampler", key_path="sampler.name", value=name, accepted=", ".join(SAMPLERS))


def redact(url: str) -> str:
    """A storage URL without its password (for logs, reports and user attrs)."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in creds else f"{scheme}://{user}@{host}"


def open_study(
    config: StudyConfig,
    *,
    storage: str | optuna.storages.BaseStorage | None = None,
    sampler: str | None = None,
    seed: int | None = None,
    hashes: dict[str, str] | None = None,
) -> optuna.Study:
    """Create the study if it does not exist, else load it (same name, same storage)."""
    seed = config.seed if seed is None else seed
    name = sampler or config.sampler
    args = config.sampler_args if name == config.sampler else {}
    target = storage if storage is not None else config.storage
    study = optuna.create_study(
        study_name=config.name,
        storage=target,
        directions=["minimize"] * len(config.objectives),
        sampler=make_sampler(name, args, seed, len(config.objectives)),
        load_if_exists=True,
    )
    if not study.metric_names:  # the dashboard then labels axes "energy", "latency", ... instead of "Objective 0"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            study.set_metric_names(list(config.objectives))
    if "package_version" not in study.user_attrs:
        study.set_user_attr("package_version", __version__)
        study.set_user_attr("objectives", list(config.objectives))
        study.set_user_attr("seed", seed)
        study.set_user_attr("sampler", name)
        study.set_user_attr("mode", config.mode)
        study.set_user_attr("input_hashes", hashes or {})
    return study


MAX_RETRY = 3  # retries of one trial that an interrupted run left unfinished


def _retry(study: optuna.Study, trial_id: int) -> bool:
    """Fail the trial if it is still running and queue a retry with the parameters it had drawn (Optuna's retry
    callback: `retry_history` links the two). False if the trial had finished otherwise."""
    storage = study._storage
    if storage.get_trial(trial_id).state == TrialState.RUNNING:
        storage.set_trial_state_values(trial_id, TrialState.FAIL)
    failed = storage.get_trial(trial_id)
    if failed.state != TrialState.FAIL:
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=MAX_RETRY)(study, failed)
    return True


def _retry_stale(study: optuna.Study) -> int:
    """A trial left RUNNING by an interrupted (killed) single-process run can never finish: fail it and retry it."""
    stale = study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
    return sum(_retry(study, t._trial_id) for t in stale)


def _artifact_hook(base: Path) -> Callable[[optuna.Trial, dict[str, Any]], None]:
    from optuna.artifacts import FileSystemArtifactStore, upload_artifact

    base.mkdir(parents=True, exist_ok=True)
    store = FileSystemArtifactStore(str(base))

    def hook(trial: optuna.Trial, payload: dict[str, Any]) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, prefix=f"trial{trial.number}_") as fh:
            json.dump(payload | {"params": trial.params}, fh)
            name = fh.name
        try:
            upload_artifact(artifact_store=store, file_path=name, study_or_trial=trial, mimetype="application/json")
        finally:
            Path(name).unlink(missing_ok=True)

    return hook


def build_objective(
    inputs: StudyInputs, *, artifacts: bool = True, artifact_dir: Path | None = None
) -> CoDesignObjective:
    """The study's objective; with `artifacts`, each trial's full summary is stored as an Optuna artifact in
    `artifact_dir` (default: `artifacts/` beside the study file)."""
    c = inputs.config
    mapper = MapperOptions(
        criterion=Criterion(c.criterion), engine=c.engine, lpf_limit=c.lpf_limit, budget=c.budget, seed=c.seed
    )
    return CoDesignObjective(
        workload=inputs.workload,
        base=inputs.accelerator,
        space=inputs.space,
        specs=inputs.specs,
        objectives=c.objectives,
        mode=c.mode,
        mapper=mapper,
        constraints=dict(c.constraints),
        artifact_hook=_artifact_hook(artifact_dir or c.directory / "artifacts") if artifacts else None,
    )


def finished_count(study: optuna.Study) -> int:
    """Finished trials, not counting a failed trial that was retried (its retry stands for it)."""
    trials = study.get_trials(deepcopy=False)
    retried = {n for t in trials for n in t.system_attrs.get("retry_history", ())}
    return sum(1 for t in trials if t.state.is_finished() and t.number not in retried)


def run_study(
    study_file: str | Path | StudyConfig,
    *,
    n_trials: int | None = None,
    storage: str | optuna.storages.BaseStorage | None = None,
    sampler: str | None = None,
    seed: int | None = None,
    progress: bool = False,
    artifacts: bool = True,
    artifact_dir: Path | None = None,
    callbacks: list[Callable[[optuna.Study, optuna.trial.FrozenTrial], None]] | None = None,
) -> optuna.Study:
    """Run (or resume) a study until it holds `n_trials` finished trials (default: the study file's count)."""
    config = study_file if isinstance(study_file, StudyConfig) else load_study_config(study_file)
    inputs = load_inputs(config)
    study = open_study(config, storage=storage, sampler=sampler, seed=seed, hashes=inputs.hashes)
    _retry_stale(study)
    target = config.n_trials if n_trials is None else n_trials
    remaining = max(0, target - finished_count(study))
    if remaining:
        if progress:  # the bar replaces Optuna's one-line-per-trial log
            optuna.logging.set_verbosity(optuna.logging.WARNING)
        objective = build_objective(inputs, artifacts=artifacts, artifact_dir=artifact_dir)
        running: list[int] = []

        def tracked(trial: optuna.Trial) -> Any:
            running[:] = [trial._trial_id]
            return objective(trial)

        try:
            study.optimize(tracked, n_trials=remaining, show_progress_bar=progress, callbacks=callbacks)
        except KeyboardInterrupt:
            # Optuna failed the running trial; queue it again, so that the rerun resumes with the same design.
            if running:
                with contextlib.suppress(Exception):
                    _retry(study, running[0])
            raise
    return study
