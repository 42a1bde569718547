"""Search spaces: every file in search_spaces/ loads, fits its base accelerator and yields valid designs under a
seeded fake trial, optuna's FixedTrial and a real study; conditions, layouts, derived rules and auto costs."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import optuna
import pytest
import yaml

from zigzag_opt.errors import InputError
from zigzag_opt.hardware.design_space import Choice, RandomTrial
from zigzag_opt.hardware.memory_tech import DEFAULT_TECH
from zigzag_opt.io.native import accelerator_from_native, accelerator_to_native
from zigzag_opt.io.schema import json_schema
from zigzag_opt.io.space_io import load_search_space, search_space_from_dict
from zigzag_opt.library import load_accelerator
from zigzag_opt.tuning.design import apply_design, check_space, design_values
from zigzag_opt.tuning.space import SearchSpace

SPACES = Path(__file__).resolve().parents[2] / "search_spaces"
FILES = sorted(SPACES.glob("*.yaml"))
optuna.logging.set_verbosity(optuna.logging.WARNING)


def _space(name: str) -> SearchSpace:
    return load_search_space(SPACES / f"{name}.yaml")


def _doc(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((SPACES / f"{name}.yaml").read_text())
    return data


def test_the_three_spaces_exist() -> None:
    assert {f.stem for f in FILES} >= {"edge_tpu_like", "imc_macro", "llm_hierarchy"}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_space_fits_its_base_and_yields_valid_designs(path: Path) -> None:
    space = load_search_space(path)
    assert space.base is not None
    base = load_accelerator(space.base)
    check_space(base, space)
    for seed in range(12):
        trial = RandomTrial(seed)
        values = space.suggest(trial)
        assert space.checked_values(values) == values
        acc = apply_design(base, space, values)
        assert acc.core.pe_array.mac_count >= 1
        assert space.values_from_trial_params(trial.params) == values


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_fixed_trial_replays_the_base_design(path: Path) -> None:
    space = load_search_space(path)
    base = load_accelerator(str(space.base))
    values = design_values(base, space)
    assert space.checked_values(values) == values  # every base lies inside its space
    replayed = space.suggest(optuna.trial.FixedTrial(space.trial_params(values)))
    assert replayed == values
    acc = apply_design(base, space, replayed)
    assert acc.core.pe_array.sizes == base.core.pe_array.sizes
    assert [m.size_bits for m in acc.core.memories] == [m.size_bits for m in base.core.memories]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_a_real_study_asks_and_tells(path: Path) -> None:
    space = load_search_space(path)
    base = load_accelerator(str(space.base))
    study = optuna.create_study(directions=["minimize", "minimize"], sampler=optuna.samplers.RandomSampler(seed=3))
    for _ in range(6):
        trial = study.ask()
        values = space.suggest(trial)
        acc = apply_design(base, space, values)
        study.tell(trial, [acc.core.memory_area_mm2, float(acc.core.pe_array.mac_count)])
        assert space.values_from_trial_params(trial.params) == values
    assert len(study.trials) == 6


class _OnlySuggest:
    """A trial offering nothing but the three suggest methods (suggest must need no more)."""

    def __init__(self) -> None:
        self.inner = RandomTrial(5)
        self.calls: list[str] = []

    def suggest_int(self, name: str, low: int, high: int, *, step: int = 1, log: bool = False) -> int:
        self.calls.append(name)
        return self.inner.suggest_int(name, low, high, step=step, log=log)

    def suggest_float(
        self, name: str, low: float, high: float, *, step: float | None = None, log: bool = False
    ) -> float:
        self.calls.append(name)
        return self.inner.suggest_float(name, low, high, step=step, log=log)

    def suggest_categorical(self, name: str, choices: Sequence[Choice]) -> Choice:
        self.calls.append(name)
        return self.inner.suggest_categorical(name, choices)


def test_suggest_needs_only_the_suggest_methods() -> None:
    trial = _OnlySuggest()
    values = _space("llm_hierarchy").suggest(trial)
    assert "log2_pe_k" in trial.calls  # exponent encoding: an ordinal Optuna parameter ...
    assert values["pe_k"] in (4, 8, 16, 32, 64)  # ... and the design value


# --- conditions and derived rules ----------------------------------------------------------------------------


def test_a_condition_hides_a_parameter_and_a_rule_fills_in() -> None:
    space, base = _space("imc_macro"), load_accelerator("aimc")
    digital = {"imc_kind": "digital", "rows": 64, "cols": 128, "bit_serial_bits": 1, "buffer_kib": 16}
    acc = apply_design(base, space, digital)
    assert acc.core.imc is not None and acc.core.imc.adc_bits == 0 and str(acc.core.imc.kind) == "digital"
    assert acc.core.pe_array.sizes == (64, 128)
    fixed = optuna.trial.FixedTrial(space.trial_params(digital))
    assert space.suggest(fixed) == digital
    with pytest.raises(InputError, match=r"params\.adc_bits: an active parameter needs a value"):
        apply_design(base, space, {**digital, "imc_kind": "analog"})
    analog = apply_design(base, space, {**digital, "imc_kind": "analog", "adc_bits": 5})
    assert analog.core.imc is not None and analog.core.imc.adc_bits == 5


def test_keep_product_keeps_the_mac_count_and_set_rules_follow() -> None:
    space, base = _space("llm_hierarchy"), load_accelerator("ascend_like")
    values = {**design_values(base, space), "pe_k": 64}
    core = apply_design(base, space, values).core
    assert core.pe_array.sizes[:2] == (64, 4) and core.pe_array.mac_count == base.core.pe_array.mac_count
    assert {p.bandwidth_max_bits for p in core.memory("rf_64KB_I").ports} == {8 * 4 * 4}
    assert {p.bandwidth_max_bits for p in core.memory("rf_64KB_W").ports} == {8 * 64 * 4}
    assert {p.bandwidth_max_bits for p in core.memory("sram_256KB_O").ports} == {32 * 64 * 4}


def _tiny_space(derived: list[dict[str, Any]], **param: Any) -> SearchSpace:
    rows = {"type": "int", "low": 1, "high": 64, "targets": ["cores[0].pe_array.sizes[0]"], **param}
    return search_space_from_dict(
        {"kind": "search_space", "name": "tiny", "parameters": {"rows": rows}, "derived": derived}
    )


def test_keep_product_rejects_a_non_integral_split() -> None:
    space = _tiny_space(
        [{"rule": "keep_product", "targets": ["cores[0].pe_array.sizes[0]", "cores[0].pe_array.sizes[1]"]}]
    )
    base = load_accelerator("tpu_like")  # 32 x 32
    assert apply_design(base, space, {"rows": 16}).core.pe_array.sizes == (16, 64)
    with pytest.raises(InputError, match="not a multiple") as info:
        apply_design(base, space, {"rows": 3})
    assert info.value.problems[0].key_path == "derived[0].targets"
    explicit = _tiny_space(
        [
            {
                "rule": "keep_product",
                "targets": ["cores[0].pe_array.sizes[0]", "cores[0].pe_array.sizes[1]"],
                "total": "rows * 8",
            }
        ]
    )
    assert apply_design(base, explicit, {"rows": 5}).core.pe_array.sizes == (5, 8)


def test_set_rule_needs_an_integral_value_for_an_integer_field() -> None:
    space = _tiny_space([{"rule": "set", "targets": ["cores[0].pe_array.sizes[1]"], "expr": "rows / 3"}])
    base = load_accelerator("tpu_like")
    assert apply_design(base, space, {"rows": 6}).core.pe_array.sizes == (6, 2)
    with pytest.raises(InputError, match="integral") as info:
        apply_design(base, space, {"rows": 7})
    assert info.value.problems[0].key_path == "derived[0].targets[0]"


def test_an_invalid_design_names_the_native_key_path() -> None:
    space = _tiny_space(
        [{"rule": "set", "targets": ["cores[0].memories[sram_2MB].ports[0].bandwidth_max_bits_per_cycle"], "expr": 8}]
    )
    with pytest.raises(InputError) as info:
        apply_design(load_accelerator("tpu_like"), space, {"rows": 4})
    problem = info.value.problems[0]
    assert problem.key_path == "cores[0].memories[2].ports[0].bandwidth_min_bits_per_cycle"
    assert "tiny" in problem.file


def test_values_are_checked_against_the_space() -> None:
    space, base = _space("edge_tpu_like"), load_accelerator("tpu_like")
    values = design_values(base, space)
    with pytest.raises(InputError) as info:
        apply_design(base, space, {**values, "pe_rows": 24, "typo": 1})
    assert {p.key_path for p in info.value.problems} == {"params.pe_rows", "params.typo"}


# --- layouts -----------------------------------------------------------------------------------------------------


def test_layouts_split_and_bypass_a_memory() -> None:
    space, base = _space("llm_hierarchy"), load_accelerator("ascend_like")
    values = design_values(base, space)
    split = apply_design(base, space, {**values, "l2_layout": "split", "l2_act_kib": 512}).core
    act, out = split.memory("sram_1MB_A_I1"), split.memory("sram_1MB_A_O")
    assert [str(o) for o in act.operands] == ["I1"] and [str(o) for o in out.operands] == ["O"]
    assert act.size_bits == out.size_bits == 512 * 8192  # a path by the template's name reaches every copy
    assert {str(op) for p in act.ports for op, _ in p.allocation} == {"I1"}
    assert [str(m.name) for m in split.levels(split.memory("sram_1MB_A_O").operands[0])][-2:] == [
        "sram_1MB_A_O",
        "dram",
    ]
    bypass = apply_design(base, space, {**values, "l2_layout": "outputs_bypass"}).core
    assert [m.name for m in bypass.levels(out.operands[0])] == ["rf_2B", "sram_256KB_O", "dram"]
    assert [str(o) for o in bypass.memory("sram_1MB_A").operands] == ["I1"]


def test_a_layout_naming_an_operand_the_memory_lacks_is_rejected() -> None:
    doc = _doc("llm_hierarchy")
    doc["parameters"]["l2_layout"]["choices"]["bad"] = {"sram_1MB_W": [["I1"]]}
    space = search_space_from_dict(doc)
    base = load_accelerator("ascend_like")
    with pytest.raises(InputError, match="does not hold"):
        apply_design(base, space, {**design_values(base, space), "l2_layout": "bad"})
    with pytest.raises(InputError, match="does not hold"):
        check_space(base, space)


# --- automatic costs ----------------------------------------------------------------------------------------------


def test_auto_cost_recomputes_exactly_the_marked_memories() -> None:
    space, base = _space("edge_tpu_like"), load_accelerator("tpu_like")
    values = {**design_values(base, space), "glb_kib": 512, "glb_port_bits": 1024}
    core = apply_design(base, space, values).core
    glb = core.memory("sram_2MB")
    assert glb.size_bits == 512 * 8192
    assert glb.read_energy_pj == pytest.approx(DEFAULT_TECH.read_energy_pj(512 * 8192, 1024, 2))
    assert glb.write_energy_pj == pytest.approx(DEFAULT_TECH.write_energy_pj(512 * 8192, 1024, 2))
    assert glb.area_mm2 == pytest.approx(DEFAULT_TECH.area_mm2(512 * 8192, 1024, 2))
    for name in ("rf_2B", "dram"):  # not targeted by an auto_cost parameter
        assert core.memory(name) == base.core.memory(name)


def test_memory_level_auto_cost_is_honoured_and_dram_keeps_its_costs() -> None:
    space = _tiny_space([])
    base = load_accelerator("tpu_like")
    doc = accelerator_to_native(base)
    for mem in doc["cores"][0]["memories"]:
        if mem["name"] in ("rf_2B", "dram"):
            mem["auto_cost"] = True
            del mem["read_energy_pj"]
        if mem["name"] == "dram":
            mem["mem_type"] = "dram"
    core = apply_design(accelerator_from_native(doc), space, {"rows": 8}).core
    assert core.memory("rf_2B").read_energy_pj == pytest.approx(DEFAULT_TECH.read_energy_pj(16, 16, 4))
    assert core.memory("dram").read_energy_pj == 0.0  # DRAM is outside the SRAM model: left as given


def test_a_design_without_auto_cost_is_the_base_itself() -> None:
    space = _tiny_space([])
    base = load_accelerator("tpu_like")
    assert apply_design(base, space, {"rows": 32}) == base


# --- schema and errors ----------------------------------------------------------------------------------------


def test_schema_errors_point_into_the_file(tmp_path: Path) -> None:
    doc = _doc("edge_tpu_like")
    doc["parameters"]["pe_rows"]["hgih"] = 64
    doc["parameters"]["pe_cols"]["type"] = "pow3"
    doc["derived"] = [{"rule": "set", "targets": ["cores[0]..x"], "expr": "__import__('os')"}]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError) as info:
        load_search_space(path)
    found = {p.key_path: p for p in info.value.problems}
    assert set(found) == {"parameters.pe_rows.hgih", "parameters.pe_cols.type"}
    assert "encoding" in found["parameters.pe_rows.hgih"].accepted
    assert all(p.file == str(path) for p in info.value.problems)
    del doc["parameters"]["pe_rows"]["hgih"]
    doc["parameters"]["pe_cols"]["type"] = "pow2"
    doc["parameters"]["glb_kib"]["when"] = {"later": 1}
    path.write_text(yaml.safe_dump(doc))
    with pytest.raises(InputError) as info:
        load_search_space(path)
    assert {p.key_path for p in info.value.problems} == {
        "derived[0].targets[0]",
        "derived[0].expr",
        "parameters.glb_kib.when.later",
    }


def test_check_space_reports_paths_that_fit_nowhere() -> None:
    doc = _doc("edge_tpu_like")
    doc["parameters"]["glb_kib"]["targets"] = ["cores[0].memories[sram_4MB].size_bits"]
    with pytest.raises(InputError, match="no item named 'sram_4MB'") as info:
        check_space(load_accelerator("tpu_like"), search_space_from_dict(doc))
    assert info.value.problems[0].accepted == "rf_128B, rf_2B, sram_2MB, dram"


def test_the_json_schema_of_a_search_space_is_closed() -> None:
    schema = json_schema("search_space")
    assert json.loads(json.dumps(schema)) == schema
    assert schema["properties"]["kind"]["const"] == "search_space"
    records = [d for d in schema["$defs"].values() if d.get("type") == "object" and "properties" in d]
    assert len(records) >= 7 and all(d["additionalProperties"] is False for d in records)
    assert json_schema("accelerator")["properties"]["kind"]["const"] == "accelerator"


def test_spaces_are_hashable_values() -> None:
    a, b = _space("imc_macro"), _space("imc_macro")
    assert a == b and hash(a) == hash(b)
    doc = copy.deepcopy(_doc("imc_macro"))
    doc["parameters"]["rows"]["high"] = 256
    assert search_space_from_dict(doc) != a


def test_the_example_in_the_formats_doc_loads() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "formats.md").read_text()
    blocks = [b for b in text.split("```yaml\n") if b.startswith("kind: search_space")]
    assert blocks
    space = search_space_from_dict(yaml.safe_load(blocks[-1].split("```")[0]))
    assert space.names == ("pe_rows", "glb_kib", "imc_kind", "adc_bits", "l2_layout")
