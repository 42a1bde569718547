"""Malformed inputs: `zigzag-opt validate FILE` must exit 2 with every problem named, never a traceback.

Each file in `data/` (native and ZigZag format; accelerators, workloads, mappings; plus files that are no input at
all) is validated in-process. The error output must name the file, the key path and a phrase of the rule, on one
line per problem; a file with several problems must report each of them. `tiny_accelerator.yaml` and
`tiny_workload.yaml` are valid: the `check_map_*` cases are checked against them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from zigzag_opt.cli import main

DATA = Path(__file__).parent / "data"
VALID = ("tiny_accelerator.yaml", "tiny_workload.yaml")
WITH_ACCELERATOR = ("--accelerator", str(DATA / "tiny_accelerator.yaml"))
WITH_BOTH = (str(DATA / "tiny_accelerator.yaml"), str(DATA / "tiny_workload.yaml"))

Expect = list[tuple[str, str]]  # (key path, phrase of the rule) per problem

CASES: dict[str, tuple[tuple[str, ...], Expect]] = {
    # --- not an input file at all
    "empty.yaml": ((), [("", "the YAML document is empty")]),
    "yaml_syntax_error.yaml": ((), [("", "YAML syntax error at line 4, column 6")]),
    "a_directory.yaml": ((), [("", "expected a file, found a directory")]),
    "non_utf8.yaml": ((), [("", "a YAML file must be UTF-8 text")]),
    "unknown_content.yaml": ((), [("", "cannot tell which kind of input this file is")]),
    "scalar.yaml": ((), [("", "cannot tell which kind of input this file is")]),
    "native_unknown_kind.yaml": ((), [("kind", "unknown file kind")]),
    # --- native accelerators
    "native_acc_unknown_key.yaml": ((), [("cores[0].memories[0].colour", "Extra inputs are not permitted")]),
    "native_acc_wrong_type.yaml": ((), [("cores[0].memories[2].size_bits", "should be a valid integer")]),
    "native_acc_negative_size.yaml": ((), [("cores[0].memories[2].size_bits", "greater than or equal to 1")]),
    "native_acc_operand_without_memory.yaml": ((), [("cores[0].memories", "operand I2 is served by no memory")]),
    "native_acc_served_dim_not_in_array.yaml": (
        (),
        [("cores[0].memories[1].served_dims", "a served dimension must be a dimension of the operational array")],
    ),
    "native_acc_bandwidth_min_over_max.yaml": (
        (),
        [("cores[0].memories[2].ports[0].bandwidth_min_bits_per_cycle", "bandwidth_min must not exceed bandwidth_max")],
    ),
    "native_acc_read_port_fh.yaml": ((), [("cores[0].memories[0].ports[0].serves[1]", "a read port can only carry")]),
    "native_acc_bad_direction.yaml": ((), [("cores[0].memories[0].ports[0].serves[0][1]", "'fh', 'tl', 'fl' or 'th'")]),
    "native_acc_missing_key.yaml": ((), [("cores[0].pe_array.mac_energy_pj", "Field required")]),
    "native_acc_duplicate_memory.yaml": ((), [("cores[0].memories[1]", "memory names must be unique")]),
    "native_acc_several_problems.yaml": (
        (),
        [
            ("cores[0].pe_array.sizes[1]", "should be a valid integer"),
            ("cores[0].memories[0].size_bits", "greater than or equal to 1"),
            ("cores[0].memories[1].colour", "Extra inputs are not permitted"),
            ("cores[0].memories[2].ports[1].type", "'read', 'write' or 'read_write'"),
        ],
    ),
    "native_acc_several_rule_problems.yaml": (
        (),
        [
            ("cores[0].memories[0].ports[0].serves[1]", "a read port can only carry tl/th"),
            ("cores[0].memories[1].served_dims", "a served dimension must be a dimension of the operational array"),
            ("cores[0].memories[2].ports[1].bandwidth_min_bits_per_cycle", "bandwidth_min must not exceed"),
        ],
    ),
    "native_imc_digital_with_adc.yaml": ((), [("cores[0].imc.adc_bits", "a digital IMC core has no ADC")]),
    "native_imc_bit_serial_over_act.yaml": (
        (),
        [("cores[0].imc.bit_serial_bits", "bit_serial_precision must not exceed the activation precision")],
    ),
    "native_imc_cells_not_multiple.yaml": (
        (),
        [("cores[0].memories[0].size_bits", "the cells size must be a multiple of the weight precision")],
    ),
    # --- ZigZag accelerators
    "zigzag_acc_unknown_key.yaml": ((), [("memories.rf_w.colour", "unknown key")]),
    "zigzag_acc_wrong_type.yaml": ((), [("memories.sram.size", "must be an integer")]),
    "zigzag_acc_negative_size.yaml": ((), [("memories.sram.size", "must be >= 1")]),
    "zigzag_acc_operand_without_memory.yaml": ((), [("memories", "operand I2 is served by no memory")]),
    "zigzag_acc_served_dim_not_in_array.yaml": (
        (),
        [("memories.rf_o.served_dimensions", "a served dimension must be a dimension of the operational array")],
    ),
    "zigzag_acc_bad_port_allocation.yaml": (
        (),
        [("memories.sram.ports[0].allocation[0]", "must match the pattern (I[12]|O), (fh|tl|fl|th)")],
    ),
    "zigzag_acc_bandwidth_min_over_max.yaml": (
        (),
        [("memories.sram.ports[0].bandwidth_min", "bandwidth_min must not exceed bandwidth_max")],
    ),
    "zigzag_acc_read_port_fh.yaml": ((), [("memories.rf_w.ports[0].allocation[1]", "a read port can only carry")]),
    "zigzag_acc_port_foreign_operand.yaml": (
        (),
        [("memories.rf_w.ports[0].allocation[0]", "names an operand this memory does not hold")],
    ),
    "zigzag_acc_missing_key.yaml": ((), [("memories.sram.size", "required key is missing")]),
    "zigzag_acc_zero_array_size.yaml": ((), [("operational_array.sizes[1]", "must be >= 1")]),
    "zigzag_acc_several_problems.yaml": (
        (),
        [
            ("operational_array.sizes[1]", "must be an integer"),
            ("memories.rf_w.size", "must be >= 1"),
            ("memories.rf_o.colour", "unknown key"),
            ("memories.sram.ports[1].bandwidth_min", "bandwidth_min must not exceed bandwidth_max"),
        ],
    ),
    "zigzag_imc_digital_with_adc.yaml": ((), [("operational_array.adc_resolution", "a digital IMC core has no ADC")]),
    "zigzag_imc_bit_serial_over_act.yaml": (
        (),
        [("operational_array.bit_serial_precision", "must not exceed the activation precision")],
    ),
    "zigzag_imc_cells_not_multiple.yaml": (
        (),
        [("memories.cells.size", "the cells size must be a multiple of the weight precision")],
    ),
    # --- native workloads
    "native_wl_unknown_key.yaml": ((), [("layers[0].colour", "Extra inputs are not permitted")]),
    "native_wl_operand_unknown_index.yaml": (
        (),
        [("layers[0].operands", "index of operand W is neither a loop dim nor a derived dim")],
    ),
    "native_wl_relation_unknown_dim.yaml": (
        (),
        [("layers[0].relations", "a dimension relation must use loop dims of the layer")],
    ),
    "native_wl_duplicate_id.yaml": ((), [("layers[1].id", "layer ids must be unique")]),
    "native_wl_cycle.yaml": ((), [("layers", "the network must be acyclic")]),
    "native_wl_negative_size.yaml": ((), [("layers[0].dims.K", "greater than or equal to 1")]),
    "native_wl_missing_key.yaml": ((), [("layers[0].precision", "Field required")]),
    # --- ZigZag workloads
    "zigzag_wl_duplicate_id.yaml": ((), [("[1].id", "layer ids must be unique")]),
    "zigzag_wl_cycle.yaml": ((), [("operand_source", "the network must be acyclic (operand_source forms a cycle)")]),
    "zigzag_wl_equation_unknown_index.yaml": (
        (),
        [("[0].equation", "index of operand W is neither a loop dim nor a derived dim")],
    ),
    "zigzag_wl_relation_unknown_dim.yaml": (
        (),
        [("[0].dimension_relations", "a dimension relation must use loop dims of the layer")],
    ),
    "zigzag_wl_missing_key.yaml": ((), [("[0].loop_sizes", "required key is missing")]),
    "zigzag_wl_wrong_type.yaml": ((), [("[0].loop_sizes[1]", "must be an integer")]),
    "zigzag_wl_sizes_length.yaml": ((), [("[0].loop_sizes", "loop_dims and loop_sizes must have the same length")]),
    "zigzag_wl_negative_size.yaml": ((), [("[0].loop_sizes[1]", "must be >= 1")]),
    "zigzag_wl_unknown_source.yaml": (
        (),
        [("[1].operand_source.I", "operand_source names a layer id that does not exist")],
    ),
    "zigzag_wl_unknown_key.yaml": ((), [("[0].colour", "unknown key")]),
    # --- native mappings
    "native_map_unknown_key.yaml": ((), [("entries[0].colour", "Extra inputs are not permitted")]),
    "native_map_zero_factor.yaml": ((), [("entries[0].spatial.D1.K", "greater than or equal to 1")]),
    "native_map_bad_loop_size.yaml": (
        (),
        [("entries[0].temporal_ordering[0][1]", 'a temporal loop size must be a positive integer or "*"')],
    ),
    # --- ZigZag mappings
    "zigzag_map_unknown_key.yaml": ((), [("[0].colour", "unknown key")]),
    "zigzag_map_bad_unrolling.yaml": ((), [("[0].spatial_mapping.D1[0]", "must match the pattern")]),
    "zigzag_map_no_default.yaml": ((), [("", "a mapping file needs an entry named 'default'")]),
    "zigzag_map_unknown_array_dim.yaml": ((), [("[0].spatial_mapping.D5", "unknown key")]),
    "zigzag_map_bad_link.yaml": ((), [("[0].memory_operand_links.W", "value not allowed")]),
    "zigzag_map_zero_loop_size.yaml": ((), [("[0].temporal_ordering[0][1]", "must be >= 1")]),
    # --- mappings checked against an accelerator (and a workload)
    "check_map_exceeds_array.yaml": (
        WITH_ACCELERATOR,
        [("[0].spatial_mapping.D1", "the unrollings on an array dimension multiply to more than its size")],
    ),
    "check_map_unknown_array_dim.yaml": (
        WITH_ACCELERATOR,
        [("[0].spatial_mapping.D3", "names an array dimension the accelerator does not have")],
    ),
    "check_map_loop_not_dividing.yaml": (
        WITH_BOTH,
        [("entries[0].temporal_ordering", "the fixed loop sizes of a dim must divide its temporal trip count")],
    ),
}


def test_every_data_file_is_a_case() -> None:
    files = sorted(p.name for p in DATA.iterdir())
    assert sorted([*CASES, *VALID]) == files
    assert len(CASES) >= 40


@pytest.mark.parametrize("name", VALID)
def test_reference_files_are_valid(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(DATA / name)]) == 0, capsys.readouterr().err


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_input(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    extra, expected = CASES[name]
    path = DATA / name
    code = main(["validate", str(path), *extra])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert "Traceback" not in out + err
    assert "unexpected" not in err, "a loader let an exception escape: " + err
    lines = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(lines) == len(expected), err
    for key_path, phrase in expected:
        where = f"{path}: {key_path}: " if key_path else f"{path}: "
        assert any(line.startswith(f"error: {where}") and phrase in line for line in lines), (key_path, phrase, err)
    assert name in err.splitlines()[-1]  # the closing line names the invalid file
