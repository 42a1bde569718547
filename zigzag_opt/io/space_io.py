"""Load search-space files (``kind: search_space``) into `SearchSpace` core objects.

Two passes, as for the native formats: the pydantic models of `io.space_schema` check types and shapes; then
field paths and expressions are parsed and the `SearchSpace` checks the rules that span parameters (conditions
naming earlier parameters, expressions naming known values, unique names). Every problem is reported at once.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from zigzag_opt.errors import InputError, Problem
from zigzag_opt.hardware.design_space import (
    CategoricalParam,
    Choice,
    Condition,
    DerivedRule,
    FieldPath,
    FloatParam,
    IntParam,
    KeepProductRule,
    LayoutOption,
    LayoutParam,
    MemorySplit,
    Parameter,
    Pow2Param,
    SearchSpace,
    SetRule,
    parse_path,
)
from zigzag_opt.hardware.expr import Expr, parse_expr
from zigzag_opt.hardware.memory import MemOperand
from zigzag_opt.io import space_schema as ss
from zigzag_opt.io.native import _problem
from zigzag_opt.io.yaml_io import read_yaml

__all__ = ["load_search_space", "search_space_from_dict"]


def load_search_space(path: str | Path) -> SearchSpace:
    """Load and check a search-space YAML file; any problem raises `InputError` naming the file and key path."""
    file = os.fspath(path)
    return search_space_from_dict(read_yaml(path), file=file)


def search_space_from_dict(data: object, *, file: str = "") -> SearchSpace:
    """Build a `SearchSpace` from parsed YAML data (`file` only names the source in errors)."""
    try:
        doc = ss.SearchSpaceFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(_schema_problem(err, file) for err in exc.errors(include_url=False)) from None
    problems: list[Problem] = []
    parameters = [_parameter(name, p, problems) for name, p in doc.parameters.items()]
    derived = [_rule(i, r, problems) for i, r in enumerate(doc.derived)]
    try:
        space = SearchSpace(
            name=doc.name,
            description=doc.description,
            base=doc.base,
            parameters=tuple(parameters),
            derived=tuple(derived),
            file=file,
        )
    except InputError as exc:  # the rules spanning parameters, reported with the path/expression problems
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems).in_file(file)
    return space


_MODELS: dict[str, type[BaseModel]] = {
    "int": ss.IntParamSchema,
    "float": ss.FloatParamSchema,
    "pow2": ss.Pow2ParamSchema,
    "categorical": ss.CategoricalParamSchema,
    "layout": ss.LayoutParamSchema,
    "set": ss.SetRuleSchema,
    "keep_product": ss.KeepProductRuleSchema,
}


def _schema_problem(err: ErrorDetails, file: str) -> Problem:
    """A pydantic error as a `Problem`, with the union tag dropped from its key path (``parameters.x.pow2.low``
    reads ``parameters.x.low``) and the keys of the tagged member as the accepted ones."""
    loc = tuple(err["loc"])
    tagged = len(loc) > 2 and loc[0] in ("parameters", "derived") and loc[2] in _MODELS
    untagged = {**err, "loc": loc[:2] + loc[3:] if tagged else loc}
    problem = _problem(untagged, ss.SearchSpaceFile, file)  # type: ignore[arg-type]
    if err["type"] == "extra_forbidden" and tagged and len(loc) == 4:
        return replace(problem, accepted=", ".join(_MODELS[str(loc[2])].model_fields))
    if err["type"] == "union_tag_invalid":
        ctx = dict(err.get("ctx") or {})
        field = "type" if loc[0] == "parameters" else "rule"
        return replace(
            problem,
            rule=f"unknown {field}",
            key_path=f"{problem.key_path}.{field}",
            value=ctx.get("tag"),
            accepted=str(ctx.get("expected_tags", "")).replace("'", ""),
        )
    return problem


def _paths(texts: list[str], key: str, problems: list[Problem]) -> tuple[FieldPath, ...]:
    out = []
    for i, text in enumerate(texts):
        try:
            out.append(parse_path(text, key_path=f"{key}.targets[{i}]"))
        except InputError as exc:
            problems.extend(exc.problems)
            out.append(FieldPath(text, (("key", text),)))  # a stand-in, so the rule still "has targets"
    return tuple(out)


def _expr(value: int | float | str, key: str, problems: list[Problem]) -> Expr:
    try:
        return parse_expr(value, key_path=key)
    except InputError as exc:
        problems.extend(exc.problems)
        return parse_expr("0")  # a stand-in; the problems are raised before it is used


def _when(when: Mapping[str, Choice | Sequence[Choice]]) -> tuple[Condition, ...]:
    out = []
    for name, v in when.items():
        values: tuple[Choice, ...] = (v,) if v is None or isinstance(v, bool | int | float | str) else tuple(v)
        out.append(Condition(param=name, values=values))
    return tuple(out)


def _parameter(name: str, p: ss.ParamSchema, problems: list[Problem]) -> Parameter:
    key = f"parameters.{name}"
    when = _when(p.when)
    if isinstance(p, ss.LayoutParamSchema):
        options = tuple(
            LayoutOption(
                name=opt,
                splits=tuple(
                    MemorySplit(memory=mem, groups=tuple(tuple(MemOperand(o) for o in g) for g in groups))
                    for mem, groups in splits.items()
                ),
            )
            for opt, splits in p.choices.items()
        )
        return LayoutParam(name=name, options=options, core=p.core, when=when)
    targets = _paths(p.targets, key, problems)
    scale = int(p.scale) if float(p.scale).is_integer() else p.scale
    auto = p.auto_cost
    if isinstance(p, ss.IntParamSchema):
        return IntParam(
            name=name,
            targets=targets,
            scale=scale,
            auto_cost=auto,
            when=when,
            low=p.low,
            high=p.high,
            step=p.step,
            log=p.log,
        )
    if isinstance(p, ss.FloatParamSchema):
        return FloatParam(
            name=name,
            targets=targets,
            scale=scale,
            auto_cost=auto,
            when=when,
            low=p.low,
            high=p.high,
            step=p.step,
            log=p.log,
        )
    if isinstance(p, ss.Pow2ParamSchema):
        return Pow2Param(
            name=name,
            targets=targets,
            scale=scale,
            auto_cost=auto,
            when=when,
            low=p.low,
            high=p.high,
            encoding=p.encoding,
        )
    return CategoricalParam(
        name=name, targets=targets, scale=scale, auto_cost=auto, when=when, choices=tuple(p.choices)
    )


def _rule(i: int, r: ss.RuleSchema, problems: list[Problem]) -> DerivedRule:
    key = f"derived[{i}]"
    targets = _paths(r.targets, key, problems)
    when = _when(r.when)
    if isinstance(r, ss.SetRuleSchema):
        expr = _expr(r.expr, f"{key}.expr", problems)
        return SetRule(targets=targets, expr=expr, name=r.name, when=when, auto_cost=r.auto_cost)
    total = None if r.total is None else _expr(r.total, f"{key}.total", problems)
    return KeepProductRule(targets=targets, total=total, name=r.name, when=when, auto_cost=r.auto_cost)
