"""Accelerator design spaces as data: parameters bound to accelerator fields, conditions, derived rules, layouts.

A `SearchSpace` is the core object behind ``search_spaces/*.yaml`` (loaded by `zigzag_opt.io.space_io`). It does
not depend on Optuna: `SearchSpace.suggest` takes any object with ``suggest_int``/``suggest_float``/
``suggest_categorical`` (the `TrialLike` protocol; an ``optuna.Trial``, an ``optuna.trial.FixedTrial`` or the
seeded `RandomTrial` below). `zigzag_opt.tuning.design.apply_design` writes a suggested design into an accelerator.

Parameters, in file order (a condition may only refer to an earlier parameter, as in define-by-run code):

* ``int`` / ``float``: ``low``..``high``, optional ``step`` and ``log``;
* ``pow2``: the powers of two from ``low`` to ``high`` (both powers of two, and the values written);
  ``encoding: categorical`` suggests the values themselves, ``encoding: exponent`` an integer exponent under the
  Optuna name ``log2_<name>`` (ordinal, which model-based samplers exploit);
* ``categorical``: any of ``choices`` (numbers, strings, booleans);
* ``layout``: one of several named memory-operand layouts (which operands share which memory).

Each non-layout parameter writes ``value × scale`` into every field its ``targets`` paths select (`FieldPath`).
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeGuard

from zigzag_opt.errors import InputError, Problem, raise_if
from zigzag_opt.hardware.expr import Expr, Number
from zigzag_opt.hardware.memory import MemOperand

__all__ = [
    "CategoricalParam",
    "Choice",
    "Condition",
    "DerivedRule",
    "FieldPath",
    "FloatParam",
    "IntParam",
    "KeepProductRule",
    "LayoutOption",
    "LayoutParam",
    "MemorySplit",
    "Parameter",
    "Pow2Param",
    "RandomTrial",
    "SearchSpace",
    "SetRule",
    "TrialLike",
    "parse_path",
]

Choice = None | bool | int | float | str  # what Optuna accepts as a categorical choice
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class TrialLike(Protocol):
    """The part of ``optuna.Trial`` a search space uses."""

    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False) -> int: ...

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float: ...

    def suggest_categorical(self, name: str, choices: Sequence[Choice]) -> Choice: ...


# --- paths into the native accelerator document ----------------------------------------------------------------

StepKind = Literal["key", "index", "name", "all"]
_TOKEN = re.compile(r"\.?([A-Za-z_][A-Za-z0-9_]*)|\[\s*([^\]]*?)\s*\]")


@dataclass(frozen=True, slots=True)
class FieldPath:
    """A path into the native accelerator document, e.g. ``cores[0].memories[sram_2MB].ports[*].size_bits``.

    Steps: ``.key`` (mapping key), ``[3]`` (list index), ``[*]`` (every list item), ``[name]`` (the list items
    whose ``name`` is `name`; for memories also the copies a layout split off from the memory of that name).
    """

    text: str
    steps: tuple[tuple[StepKind, str | int], ...]

    def __str__(self) -> str:
        return self.text

    @property
    def has_wildcard(self) -> bool:
        return any(kind == "all" for kind, _ in self.steps)


def parse_path(text: str, *, key_path: str = "") -> FieldPath:
    """Parse a field path; bad syntax raises `InputError` at `key_path`."""
    steps: list[tuple[StepKind, str | int]] = []
    pos = 0
    while pos < len(text):
        found = _TOKEN.match(text, pos)
        if found is None or (pos == 0 and text.startswith(".")) or (found.group(1) and pos > 0 and text[pos] != "."):
            raise InputError.one(
                "invalid field path",
                key_path=key_path,
                value=text,
                accepted="keys joined by '.', list items as [index], [*] or [name], e.g. cores[0].pe_array.sizes[1]",
            )
        key, item = found.group(1), found.group(2)
        if key is not None:
            steps.append(("key", key))
        elif item == "*":
            steps.append(("all", "*"))
        elif item.isdigit():
            steps.append(("index", int(item)))
        elif item:
            steps.append(("name", item))
        else:
            raise InputError.one("empty [] in a field path", key_path=key_path, value=text)
        pos = found.end()
    if not steps or steps[0][0] != "key":
        raise InputError.one("a field path starts with a key, e.g. cores", key_path=key_path, value=text)
    return FieldPath(text, tuple(steps))


# --- parameters ------------------------------------------------------------------------------------------------


def same_value(a: object, b: object) -> bool:
    """Equality that keeps booleans apart from numbers (True is not 1 here)."""
    return isinstance(a, bool) == isinstance(b, bool) and a == b


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition:
    """Holds when parameter `param` is active and its value is one of `values`."""

    param: str
    values: tuple[Choice, ...]

    def holds(self, values: Mapping[str, object]) -> bool:
        return self.param in values and any(same_value(values[self.param], v) for v in self.values)


@dataclass(frozen=True, slots=True, kw_only=True)
class _ParamBase:
    name: str
    targets: tuple[FieldPath, ...] = ()
    scale: Number = 1
    auto_cost: bool = False
    when: tuple[Condition, ...] = ()

    def is_active(self, values: Mapping[str, object]) -> bool:
        return all(c.holds(values) for c in self.when)

    def trial_params(self, value: Choice) -> dict[str, Choice]:
        """The Optuna parameter(s) that encode `value` (for ``enqueue_trial`` and ``FixedTrial``)."""
        return {self.name: value}

    def from_trial_params(self, params: Mapping[str, object]) -> object:
        """The design value encoded in Optuna's `params` (a `KeyError` if absent)."""
        return params[self.name]

    def value_problems(self, value: object) -> list[Problem]:  # pragma: no cover - every subclass overrides
        return []

    def _bad(self, value: object, accepted: str) -> list[Problem]:
        return [
            Problem(rule="value outside the parameter's domain", key_path=self.name, value=value, accepted=accepted)
        ]


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True, kw_only=True)
class IntParam(_ParamBase):
    low: int
    high: int
    step: int = 1
    log: bool = False

    def suggest(self, trial: TrialLike) -> int:
        return trial.suggest_int(self.name, self.low, self.high, step=self.step, log=self.log)

    def value_problems(self, value: object) -> list[Problem]:
        if _is_int(value) and self.low <= value <= self.high and (value - self.low) % self.step == 0:
            return []
        step = f" in steps of {self.step}" if self.step != 1 else ""
        return self._bad(value, f"integers {self.low}..{self.high}{step}")

    def definition_problems(self) -> list[Problem]:
        return _range_problems(self.name, self.low, self.high, self.log, self.step, integer=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class FloatParam(_ParamBase):
    low: float
    high: float
    step: float | None = None
    log: bool = False

    def suggest(self, trial: TrialLike) -> float:
        return trial.suggest_float(self.name, self.low, self.high, step=self.step, log=self.log)

    def value_problems(self, value: object) -> list[Problem]:
        if _is_number(value) and self.low <= value <= self.high:
            return []
        return self._bad(value, f"numbers {self.low}..{self.high}")

    def definition_problems(self) -> list[Problem]:
        return _range_problems(self.name, self.low, self.high, self.log, self.step, integer=False)


def _range_problems(
    name: str, low: float, high: float, log: bool, step: float | None, *, integer: bool
) -> list[Problem]:
    problems = []
    if low > high:
        problems.append(
            Problem(rule="low must not exceed high", key_path=f"{name}.low", value=low, accepted=f"<= {high}")
        )
    if log and low <= 0:
        problems.append(
            Problem(rule="a log-scale range needs low > 0", key_path=f"{name}.low", value=low, accepted="> 0")
        )
    if step is not None and step <= 0:
        problems.append(Problem(rule="step must be > 0", key_path=f"{name}.step", value=step, accepted="> 0"))
    if log and step is not None and (step != 1 if integer else True):
        problems.append(Problem(rule="a log-scale range takes no step (Optuna)", key_path=f"{name}.step", value=step))
    return problems


def _is_pow2(n: object) -> TypeGuard[int]:
    return _is_int(n) and n >= 1 and (n & (n - 1)) == 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Pow2Param(_ParamBase):
    low: int
    high: int
    encoding: Literal["categorical", "exponent"] = "categorical"

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(2**e for e in range(self.low.bit_length() - 1, self.high.bit_length()))

    @property
    def trial_name(self) -> str:
        return f"log2_{self.name}" if self.encoding == "exponent" else self.name

    def suggest(self, trial: TrialLike) -> Choice:
        if self.encoding == "exponent":
            lo, hi = self.low.bit_length() - 1, self.high.bit_length() - 1
            return int(2 ** trial.suggest_int(self.trial_name, lo, hi))
        return trial.suggest_categorical(self.name, self.values)

    def trial_params(self, value: Choice) -> dict[str, Choice]:
        if self.encoding == "exponent" and _is_pow2(value):
            return {self.trial_name: value.bit_length() - 1}
        return {self.trial_name: value}

    def from_trial_params(self, params: Mapping[str, object]) -> object:
        raw = params[self.trial_name]
        return 2**raw if self.encoding == "exponent" and _is_int(raw) else raw

    def value_problems(self, value: object) -> list[Problem]:
        if any(same_value(value, v) for v in self.values):
            return []
        return self._bad(value, f"powers of two {self.low}..{self.high}")

    def definition_problems(self) -> list[Problem]:
        problems = [
            Problem(
                rule="pow2 bounds must be powers of two", key_path=f"{self.name}.{k}", value=v, accepted="1, 2, 4, ..."
            )
            for k, v in (("low", self.low), ("high", self.high))
            if not _is_pow2(v)
        ]
        if not problems and self.low > self.high:
            problems.append(Problem(rule="low must not exceed high", key_path=f"{self.name}.low", value=self.low))
        return problems


@dataclass(frozen=True, slots=True, kw_only=True)
class CategoricalParam(_ParamBase):
    choices: tuple[Choice, ...]

    def suggest(self, trial: TrialLike) -> Choice:
        return trial.suggest_categorical(self.name, self.choices)

    def value_problems(self, value: object) -> list[Problem]:
        if any(same_value(value, c) for c in self.choices):
            return []
        return self._bad(value, ", ".join(map(str, self.choices)))

    def definition_problems(self) -> list[Problem]:
        problems = []
        if not self.choices:
            problems.append(Problem(rule="a categorical parameter needs choices", key_path=f"{self.name}.choices"))
        if len({(type(c), c) for c in self.choices}) != len(self.choices):
            problems.append(
                Problem(rule="choices must be unique", key_path=f"{self.name}.choices", value=list(self.choices))
            )
        return problems


@dataclass(frozen=True, slots=True, kw_only=True)
class MemorySplit:
    """Memory `memory` of the core is replaced by one copy per operand group, in group order. A single group
    keeps the memory's name; several get ``<memory>_<operands>`` names (``sram_I1``, ``sram_O``). Each copy
    keeps the memory's ports, serving only its operands (ports left serving nothing are dropped). Operands
    in no group bypass this level."""

    memory: str
    groups: tuple[tuple[MemOperand, ...], ...]

    def copy_names(self) -> tuple[str, ...]:
        if len(self.groups) == 1:
            return (self.memory,)
        return tuple(f"{self.memory}_{'_'.join(g)}" for g in self.groups)


@dataclass(frozen=True, slots=True, kw_only=True)
class LayoutOption:
    name: str
    splits: tuple[MemorySplit, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LayoutParam(_ParamBase):
    """Chooses one of `options` (by name): memory-operand layouts of core `core`. An option with no splits
    keeps the base layout."""

    options: tuple[LayoutOption, ...]
    core: int = 0

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.options)

    def option(self, name: object) -> LayoutOption:
        return next(o for o in self.options if o.name == name)

    def suggest(self, trial: TrialLike) -> str:
        return str(trial.suggest_categorical(self.name, self.choices))

    def value_problems(self, value: object) -> list[Problem]:
        return [] if value in self.choices and isinstance(value, str) else self._bad(value, ", ".join(self.choices))

    def definition_problems(self) -> list[Problem]:
        problems = []
        if not self.options:
            problems.append(Problem(rule="a layout parameter needs options", key_path=f"{self.name}.choices"))
        if self.targets:
            problems.append(Problem(rule="a layout parameter has no targets", key_path=f"{self.name}.targets"))
        for opt in self.options:
            for split in opt.splits:
                problems.extend(_split_problems(split, f"{self.name}.choices.{opt.name}.{split.memory}"))
        return problems


def _split_problems(split: MemorySplit, key: str) -> list[Problem]:
    ops = [op for g in split.groups for op in g]
    problems = []
    if not split.groups or any(not g for g in split.groups):
        problems.append(Problem(rule="a split needs non-empty operand groups", key_path=key, value=split.groups))
    if len(set(ops)) != len(ops):
        problems.append(
            Problem(rule="an operand may be in one group only", key_path=key, value=[list(g) for g in split.groups])
        )
    return problems


Parameter = IntParam | FloatParam | Pow2Param | CategoricalParam | LayoutParam


# --- derived rules ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SetRule:
    """Write the value of `expr` (over parameters and earlier named rules) into `targets`."""

    targets: tuple[FieldPath, ...]
    expr: Expr
    name: str | None = None
    when: tuple[Condition, ...] = ()
    auto_cost: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class KeepProductRule:
    """Set the last target to ``total / product(other targets)`` (an integer, or the design is rejected).
    `total` defaults to the product of the targets in the base accelerator (e.g. its MAC count)."""

    targets: tuple[FieldPath, ...]
    total: Expr | None = None
    name: str | None = None
    when: tuple[Condition, ...] = ()
    auto_cost: bool = False


DerivedRule = SetRule | KeepProductRule


# --- the space -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchSpace:
    """A design space: `parameters` (in suggestion order) and `derived` rules (applied in order after them).

    `base` optionally names the accelerator the space is written for (a bundled name or a file path, as given);
    `file` is the source file, for error messages.
    """

    name: str
    parameters: tuple[Parameter, ...]
    derived: tuple[DerivedRule, ...] = ()
    base: str | None = None
    description: str = ""
    file: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        try:
            raise_if(_space_problems(self))
        except InputError as exc:
            raise exc.in_file(self.file) if self.file else exc from None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise KeyError(name)

    def suggest(self, trial: TrialLike) -> dict[str, Choice]:
        """Ask `trial` for every parameter active under the values suggested so far; returns the design values
        by parameter name (inactive parameters are left out). Calls only ``trial.suggest_*``."""
        values: dict[str, Choice] = {}
        for p in self.parameters:
            if p.is_active(values):
                values[p.name] = p.suggest(trial)
        return values

    def checked_values(self, values: Mapping[str, object]) -> dict[str, object]:
        """The active subset of `values`, in parameter order, after checking every active parameter has a value in
        its domain and no unknown name is given (all problems at once, as `InputError`)."""
        unknown = sorted(set(values) - set(self.names))
        problems = [
            Problem(rule="not a parameter of this search space", key_path=name, accepted=", ".join(self.names))
            for name in unknown
        ]
        out: dict[str, object] = {}
        for p in self.parameters:
            if not p.is_active(out):
                continue
            if p.name not in values:
                problems.append(Problem(rule="an active parameter needs a value", key_path=p.name))
                continue
            problems.extend(p.value_problems(values[p.name]))
            out[p.name] = values[p.name]
        raise_if([pr.under("params") for pr in problems])
        return out

    def trial_params(self, values: Mapping[str, Choice]) -> dict[str, Choice]:
        """Optuna parameters encoding the design `values` (e.g. for ``study.enqueue_trial`` or ``FixedTrial``)."""
        out: dict[str, Choice] = {}
        for p in self.parameters:
            if p.name in values and p.is_active(values):
                out.update(p.trial_params(values[p.name]))
        return out

    def values_from_trial_params(self, params: Mapping[str, object]) -> dict[str, object]:
        """Design values from Optuna parameters (e.g. ``trial.params``); other keys (mapping knobs) are ignored."""
        out: dict[str, object] = {}
        for p in self.parameters:
            if p.is_active(out):
                try:
                    out[p.name] = p.from_trial_params(params)
                except KeyError:
                    continue
        return out


def _space_problems(space: SearchSpace) -> list[Problem]:
    problems: list[Problem] = []
    if not space.name:
        problems.append(Problem(rule="a search space needs a name", key_path="name", value=space.name))
    seen: dict[str, Parameter] = {}
    optuna_names: set[str] = set()
    for p in space.parameters:
        key = f"parameters.{p.name}"
        problems.extend(pr.under("parameters") for pr in p.definition_problems())
        problems.extend(_name_problems(p.name, seen, key))
        trial_name = p.trial_name if isinstance(p, Pow2Param) else p.name
        if trial_name in optuna_names:
            problems.append(Problem(rule="two parameters share an Optuna name", key_path=key, value=trial_name))
        optuna_names.update({trial_name, p.name})
        problems.extend(_condition_problems(p.when, seen, f"{key}.when"))
        if not _is_number(p.scale) or p.scale <= 0:
            problems.append(Problem(rule="scale must be a number > 0", key_path=f"{key}.scale", value=p.scale))
        if p.scale != 1 and not isinstance(p, IntParam | FloatParam | Pow2Param):
            problems.append(
                Problem(rule="only numeric parameters take a scale", key_path=f"{key}.scale", value=p.scale)
            )
        seen[p.name] = p
    problems.extend(_derived_problems(space.derived, seen))
    return problems


def _name_problems(name: str, seen: Mapping[str, object], key: str) -> list[Problem]:
    if not NAME.match(name):
        return [Problem(rule="names must be identifiers", key_path=key, value=name, accepted="[A-Za-z_][A-Za-z0-9_]*")]
    if name in seen:
        return [Problem(rule="names must be unique", key_path=key, value=name)]
    return []


def _condition_problems(conditions: tuple[Condition, ...], earlier: Mapping[str, Parameter], key: str) -> list[Problem]:
    problems = []
    for c in conditions:
        if c.param not in earlier:
            problems.append(
                Problem(
                    rule="a condition must refer to an earlier parameter",
                    key_path=f"{key}.{c.param}",
                    value=c.param,
                    accepted=", ".join(earlier) or "(none defined before)",
                )
            )
            continue
        for v in c.values:
            problems.extend(pr.under(key) for pr in earlier[c.param].value_problems(v))
    return problems


def _is_numeric_param(p: Parameter) -> bool:
    if isinstance(p, CategoricalParam):
        return all(_is_number(c) for c in p.choices)
    return not isinstance(p, LayoutParam)


def _derived_problems(rules: tuple[DerivedRule, ...], params: Mapping[str, Parameter]) -> list[Problem]:
    problems: list[Problem] = []
    known: dict[str, object] = {n: p for n, p in params.items() if _is_numeric_param(p)}
    for i, rule in enumerate(rules):
        key = f"derived[{i}]"
        problems.extend(_condition_problems(rule.when, params, f"{key}.when"))
        exprs = [("expr", rule.expr)] if isinstance(rule, SetRule) else [("total", rule.total)] if rule.total else []
        for field_name, expr in exprs:
            for name in expr.names:
                if name not in known:
                    problems.append(
                        Problem(
                            rule="an expression may use numeric parameters and earlier named rules only",
                            key_path=f"{key}.{field_name}",
                            value=name,
                            accepted=", ".join(known),
                        )
                    )
        if not rule.targets:
            problems.append(Problem(rule="a rule needs targets", key_path=f"{key}.targets"))
        if isinstance(rule, KeepProductRule):
            if len(rule.targets) < 2:
                problems.append(Problem(rule="keep_product needs at least two targets", key_path=f"{key}.targets"))
            problems.extend(
                Problem(
                    rule="keep_product targets must be single fields (no [*])", key_path=f"{key}.targets", value=str(t)
                )
                for t in rule.targets
                if t.has_wildcard
            )
        if rule.name is not None:
            problems.extend(_name_problems(rule.name, {**known, **params}, f"{key}.name"))
            known[rule.name] = rule
    return problems


# --- a seeded stand-in for an Optuna trial ---------------------------------------------------------------------


class RandomTrial:
    """Samples uniformly (log-uniformly with ``log=True``) from a seeded RNG; records what it returned in `params`.

    Useful to check a search space without Optuna: ``space.suggest(RandomTrial(seed))``.
    """

    def __init__(self, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self.params: dict[str, Choice] = {}

    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False) -> int:
        if log:
            value = round(math.exp(self._rng.uniform(math.log(low), math.log(high))))
            value = min(max(value, low), high)
        else:
            value = low + step * self._rng.randint(0, (high - low) // step)
        self.params[name] = value
        return value

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float:
        if log:
            value = math.exp(self._rng.uniform(math.log(low), math.log(high)))
        elif step is not None:
            value = low + step * self._rng.randint(0, int((high - low) // step))
        else:
            value = self._rng.uniform(low, high)
        value = min(max(value, low), high)
        self.params[name] = value
        return value

    def suggest_categorical(self, name: str, choices: Sequence[Choice]) -> Choice:
        value = choices[self._rng.randrange(len(choices))]
        self.params[name] = value
        return value
