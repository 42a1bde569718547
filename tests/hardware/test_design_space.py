"""The core search-space objects: field paths, parameter domains, definition checks, the seeded RandomTrial."""

from __future__ import annotations

import pytest

from zigzag_opt.errors import InputError
from zigzag_opt.hardware.design_space import (
    CategoricalParam,
    Condition,
    FloatParam,
    IntParam,
    KeepProductRule,
    Pow2Param,
    RandomTrial,
    SearchSpace,
    SetRule,
    parse_path,
)
from zigzag_opt.hardware.expr import parse_expr


def test_paths_parse_into_steps() -> None:
    path = parse_path("cores[0].memories[sram_2MB].ports[*].bandwidth_max_bits_per_cycle")
    assert path.steps == (
        ("key", "cores"),
        ("index", 0),
        ("key", "memories"),
        ("name", "sram_2MB"),
        ("key", "ports"),
        ("all", "*"),
        ("key", "bandwidth_max_bits_per_cycle"),
    )
    assert path.has_wildcard and str(path) == path.text
    assert parse_path("cores[0].imc.adc_bits").steps[-1] == ("key", "adc_bits")


@pytest.mark.parametrize("text", ["", ".cores", "cores..x", "cores[]", "[0].x", "cores[0]x", "cores[0", "a b"])
def test_bad_paths_are_input_errors(text: str) -> None:
    with pytest.raises(InputError) as info:
        parse_path(text, key_path="parameters.x.targets[0]")
    assert info.value.problems[0].key_path == "parameters.x.targets[0]"


def _space(*params: IntParam | FloatParam | Pow2Param | CategoricalParam, **kw: object) -> SearchSpace:
    return SearchSpace(name="s", parameters=params, **kw)  # type: ignore[arg-type]


def test_domains() -> None:
    p2 = Pow2Param(name="p", low=4, high=64)
    assert p2.values == (4, 8, 16, 32, 64)
    assert p2.value_problems(16) == [] and p2.value_problems(24) and p2.value_problems(True)
    i = IntParam(name="i", low=2, high=10, step=4)
    assert [v for v in range(12) if not i.value_problems(v)] == [2, 6, 10]
    f = FloatParam(name="f", low=0.5, high=1.5)
    assert f.value_problems(1) == [] and f.value_problems(2.0) and f.value_problems("1")
    c = CategoricalParam(name="c", choices=(1, "a", True))
    assert c.value_problems(True) == [] and c.value_problems(1) == [] and c.value_problems(2)


def test_exponent_encoding_round_trips() -> None:
    space = _space(Pow2Param(name="p", low=4, high=64, encoding="exponent"), IntParam(name="n", low=1, high=3))
    assert space.trial_params({"p": 16, "n": 2}) == {"log2_p": 4, "n": 2}
    assert space.values_from_trial_params({"log2_p": 4, "n": 2, "mapping.engine": "loma"}) == {"p": 16, "n": 2}


def test_conditions_hide_later_parameters() -> None:
    space = _space(
        CategoricalParam(name="kind", choices=("a", "b")),
        IntParam(name="only_a", low=1, high=2, when=(Condition(param="kind", values=("a",)),)),
    )
    assert space.checked_values({"kind": "b", "only_a": 1}) == {"kind": "b"}
    assert space.checked_values({"kind": "a", "only_a": 1}) == {"kind": "a", "only_a": 1}
    for seed in range(20):
        values = space.suggest(RandomTrial(seed))
        assert ("only_a" in values) == (values["kind"] == "a")


def test_definition_problems_are_reported_together() -> None:
    with pytest.raises(InputError) as info:
        _space(
            Pow2Param(name="p", low=3, high=64),
            IntParam(name="p", low=5, high=1),
            FloatParam(name="f", low=0.0, high=1.0, log=True),
            IntParam(name="g", low=1, high=4, when=(Condition(param="later", values=(1,)),)),
            CategoricalParam(name="c", choices=("x",), scale=2),
            IntParam(name="later", low=1, high=2),
            derived=(
                SetRule(targets=(parse_path("a"),), expr=parse_expr("c + nope")),
                KeepProductRule(targets=(parse_path("a[*]"),)),
            ),
        )
    keys = {p.key_path for p in info.value.problems}
    assert keys >= {
        "parameters.p.low",
        "parameters.p",
        "parameters.f.low",
        "parameters.g.when.later",
        "parameters.c.scale",
        "derived[0].expr",
        "derived[1].targets",
    }


def test_random_trial_is_seeded_and_in_range() -> None:
    space = _space(
        IntParam(name="i", low=1, high=1000, log=True),
        FloatParam(name="f", low=0.1, high=10.0, log=True),
        FloatParam(name="s", low=0.0, high=1.0, step=0.25),
        Pow2Param(name="p", low=1, high=256, encoding="exponent"),
    )
    first = [space.suggest(RandomTrial(seed)) for seed in range(30)]
    assert first == [space.suggest(RandomTrial(seed)) for seed in range(30)]
    for values in first:
        assert space.checked_values(values) == values
        assert values["s"] in (0.0, 0.25, 0.5, 0.75, 1.0)
