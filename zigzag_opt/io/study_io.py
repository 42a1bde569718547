"""`study.yaml`: which workload, accelerator, mapping, search space, objectives, sampler, seed, trials and
storage an Optuna co-design study uses. Validated with pydantic (unknown keys rejected); paths are resolved
relative to the study file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from zigzag_opt.errors import InputError, Problem
from zigzag_opt.io.native import _dotted
from zigzag_opt.io.yaml_io import read_yaml

__all__ = ["StudyConfig", "load_study_config", "study_json_schema"]


_Objective = Literal["energy", "latency", "area", "edp"]
_DEFAULT_OBJECTIVES: tuple[_Objective, ...] = ("energy", "latency", "area")


class _Sampler(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Literal["tpe", "nsga2", "nsga3", "gp", "random", "qmc", "cmaes", "bruteforce"] = "tpe"
    args: dict[str, Any] = Field(default_factory=dict)


class _Mapper(BaseModel):
    model_config = ConfigDict(extra="forbid")
    engine: Literal["loma", "exhaustive", "annealing", "random"] = "loma"
    lpf_limit: int | None = Field(default=6, ge=1)
    criterion: Literal["energy", "latency", "edp"] = "latency"
    budget: int | None = Field(default=None, ge=1)


class _Study(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["study"]
    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    description: str = ""
    workload: str
    workload_args: dict[str, int] = Field(default_factory=dict)
    workload_compat: Literal["zigzag"] | None = None
    accelerator: str
    mapping: str
    search_space: str
    objectives: list[_Objective] = Field(default_factory=lambda: list(_DEFAULT_OBJECTIVES), min_length=1)
    mode: Literal["nested", "flat"] = "nested"
    sampler: _Sampler = Field(default_factory=_Sampler)
    seed: int = 0
    n_trials: int = Field(default=100, ge=1)
    storage: str | None = None
    constraints: dict[Literal["area_mm2", "energy_pj", "latency_cycles"], float] = Field(default_factory=dict)
    mapper: _Mapper = Field(default_factory=_Mapper)


@dataclass(frozen=True, slots=True)
class StudyConfig:
    """A validated study file. `directory` is where the file lives (relative paths start there)."""

    name: str
    description: str
    directory: Path
    workload: str
    workload_args: dict[str, int]
    workload_compat: str | None
    accelerator: str
    mapping: str
    search_space: str
    objectives: tuple[str, ...]
    mode: str
    sampler: str
    sampler_args: dict[str, Any]
    seed: int
    n_trials: int
    storage: str
    constraints: dict[str, float]
    engine: str
    lpf_limit: int | None
    criterion: str
    budget: int | None
    file: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def resolve(self, ref: str) -> Path:
        """A path given in the study file, relative to its directory."""
        path = Path(ref)
        return path if path.is_absolute() else (self.directory / path)


def _problems(err: ValidationError, file: str) -> list[Problem]:
    out = []
    for e in err.errors():
        path = _dotted(e["loc"])
        out.append(Problem(rule=e["msg"], key_path=path, value=e.get("input"), file=file))
    return out


def load_study_config(path: str | Path) -> StudyConfig:
    """Read and validate a study file; every problem is reported at once."""
    file = str(path)
    data = read_yaml(path)
    try:
        doc = _Study.model_validate(data)
    except ValidationError as err:
        raise InputError(_problems(err, file)) from None
    directory = Path(path).resolve().parent
    storage = doc.storage or f"sqlite:///{directory / 'study.db'}"
    return StudyConfig(
        name=doc.name,
        description=doc.description,
        directory=directory,
        workload=doc.workload,
        workload_args=dict(doc.workload_args),
        workload_compat=doc.workload_compat,
        accelerator=doc.accelerator,
        mapping=doc.mapping,
        search_space=doc.search_space,
        objectives=tuple(doc.objectives),
        mode=doc.mode,
        sampler=doc.sampler.name,
        sampler_args=dict(doc.sampler.args),
        seed=doc.seed,
        n_trials=doc.n_trials,
        storage=storage,
        constraints={str(k): v for k, v in doc.constraints.items()},
        engine=doc.mapper.engine,
        lpf_limit=doc.mapper.lpf_limit,
        criterion=doc.mapper.criterion,
        budget=doc.mapper.budget,
        file=file,
    )


def study_json_schema() -> dict[str, Any]:
    return _Study.model_json_schema()
