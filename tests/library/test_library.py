"""The bundled accelerators and mappings load, and equal ZigZag's example files of the same names."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from zigzag_opt.errors import InputError
from zigzag_opt.io.zigzag_compat import load_zigzag_accelerator, load_zigzag_mapping
from zigzag_opt.library import list_accelerators, list_mappings, load_accelerator, load_mapping

ACCELERATORS = {  # bundled name -> ZigZag 3.9.1 file stem
    "tpu_like": "tpu_like",
    "edge_tpu_like": "edge_tpu_like",
    "ascend_like": "ascend_like",
    "meta_prototype": "meta_prototype",
    "tesla_npu_like": "tesla_npu_like",
    "eyeriss_like": "eyeriss_like",
    "gemm_l1": "gemm_l1",
    "gemm_l1_l3": "gemm_l1_l3",
    "generic_array": "generic_array_cacti",
    "aimc": "aimc",
    "dimc": "dimc",
}


def _zigzag_inputs() -> Path:
    spec = importlib.util.find_spec("zigzag")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("zigzag-dse is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "inputs"


def test_the_library_lists_every_accelerator() -> None:
    assert set(list_accelerators()) == set(ACCELERATORS)


@pytest.mark.parametrize("name", sorted(ACCELERATORS))
def test_bundled_accelerator_loads(name: str) -> None:
    acc = load_accelerator(name)
    assert acc.cores and acc.core.memories
    assert acc.core.is_imc == (name in ("aimc", "dimc"))


def test_unknown_accelerator_lists_the_names() -> None:
    with pytest.raises(InputError) as info:
        load_accelerator("tpu")
    (problem,) = info.value.problems
    assert problem.value == "tpu"
    assert problem.accepted == ", ".join(sorted(ACCELERATORS))


def test_unknown_mapping_lists_the_names() -> None:
    with pytest.raises(InputError, match="default_imc"):
        load_mapping("nope")


@pytest.mark.parametrize(("name", "stem"), sorted(ACCELERATORS.items()))
def test_bundled_accelerator_equals_zigzag_file(name: str, stem: str) -> None:
    zigzag = load_zigzag_accelerator(_zigzag_inputs() / "hardware" / f"{stem}.yaml")
    assert load_accelerator(name) == zigzag


def test_every_zigzag_mapping_is_bundled() -> None:
    stems = {p.stem for p in (_zigzag_inputs() / "mapping").glob("*.yaml")}
    assert set(list_mappings()) == stems


@pytest.mark.parametrize("name", list_mappings())
def test_bundled_mapping_equals_zigzag_file(name: str) -> None:
    zigzag = load_zigzag_mapping(_zigzag_inputs() / "mapping" / f"{name}.yaml")
    assert load_mapping(name) == zigzag
