"""Fuzzing every input kind: malformed files end in a valid object or an `InputError` naming file and key path.

Hypothesis mutates valid inputs — the bundled accelerators and mappings (native format), ZigZag's own accelerator
and mapping files (from the installed `zigzag` package), ZigZag-format and native workloads, the search spaces and
the study files — by deleting keys and list items, changing types, putting negative, zero, huge, NaN and infinite
numbers, wrong strings, unknown keys and duplicate entries in, and by damaging the YAML text itself (truncation,
duplicated lines, garbage bytes). Each result is written to a file and loaded the way the tool loads it. A load
must give a valid object or an `InputError` whose every problem names the file, and — when the document parsed —
the key path of at least one problem, unless the rule is about the document as a whole. Any other exception fails
the test. A sample also goes through `zigzag-opt validate`, which must exit 2 with `error:` lines only.

`ZIGZAG_OPT_FUZZ_EXAMPLES` multiplies the number of examples (default 1; CI runs > 1000 examples in all).
"""

from __future__ import annotations

import contextlib
import copy
import importlib.util
import io
import math
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from zigzag_opt.cli import main
from zigzag_opt.errors import InputError
from zigzag_opt.io.files import load_input
from zigzag_opt.io.native import dump_native_workload
from zigzag_opt.io.space_io import load_search_space
from zigzag_opt.io.study_io import load_study_config
from zigzag_opt.io.zigzag_compat import load_zigzag_workload
from zigzag_opt.library import list_accelerators, load_accelerator
from zigzag_opt.tuning.design import check_space
from zigzag_opt.tuning.study import load_inputs

ROOT = Path(__file__).resolve().parents[2]
SCALE = max(1, int(os.environ.get("ZIGZAG_OPT_FUZZ_EXAMPLES", "1")))

#: Problems about the document as a whole (no key path expected): it is not YAML, empty, of no known kind, ...
DOCUMENT_RULES = (
    "YAML syntax error",
    "invalid YAML",
    "the YAML document is empty",
    "a YAML file must be UTF-8 text",
    "cannot tell which kind of input this file is",
    "Input should be a valid dictionary",
    "a mapping file needs an entry named 'default'",
)


# --------------------------------------------------------------------------------------------------------------
# Seeds: valid inputs of every kind
# --------------------------------------------------------------------------------------------------------------


def _zigzag_inputs() -> Path | None:
    spec = importlib.util.find_spec("zigzag")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "inputs"


def _read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _absolute_refs(doc: dict[str, Any], folder: Path) -> dict[str, Any]:
    """A study file whose relative file references are made absolute (the fuzzed copy lives elsewhere)."""
    out = dict(doc)
    for key in ("workload", "accelerator", "mapping", "search_space"):
        value = out.get(key)
        if isinstance(value, str) and (folder / value).is_file():
            out[key] = str((folder / value).resolve())
    return out


def _seeds() -> dict[str, list[tuple[str, Any]]]:
    lib = ROOT / "zigzag_opt" / "library"
    zz = _zigzag_inputs()
    seeds: dict[str, list[tuple[str, Any]]] = {
        "native_accelerator": [(p.name, _read(p)) for p in sorted((lib / "accelerators").glob("*.yaml"))],
        "native_mapping": [(p.name, _read(p)) for p in sorted((lib / "mappings").glob("*.yaml"))],
        "native_workload": [("tiny_workload.yaml", _read(ROOT / "tests/errors/data/tiny_workload.yaml"))],
        "zigzag_workload": [
            (p.name, _read(p))
            for p in [
                *sorted((ROOT / "tests/data/zigzag_workloads").glob("*.yaml")),
                ROOT / "tests/data/distributed/workload.yaml",
            ]
        ],
        "search_space": [(p.name, _read(p)) for p in sorted((ROOT / "search_spaces").glob("*.yaml"))],
        "study": [
            (f"{p.parent.name}/study.yaml", _absolute_refs(_read(p), p.parent))
            for p in [*sorted((ROOT / "studies").glob("*/study.yaml")), ROOT / "tests/data/distributed/study.yaml"]
        ],
    }
    for name, doc in seeds["zigzag_workload"][:2]:
        network = load_zigzag_workload(doc, file=name)
        seeds["native_workload"].append((f"native_{name}", yaml.safe_load(dump_native_workload(network))))
    if zz is not None:
        seeds["zigzag_accelerator"] = [(p.name, _read(p)) for p in sorted((zz / "hardware").glob("*.yaml"))]
        seeds["zigzag_mapping"] = [(p.name, _read(p)) for p in sorted((zz / "mapping").glob("*.yaml"))]
    return seeds


SEEDS = _seeds()
ALL_SEEDS = [(kind, name, doc) for kind, docs in SEEDS.items() for name, doc in docs]


# --------------------------------------------------------------------------------------------------------------
# Mutations
# --------------------------------------------------------------------------------------------------------------

Key = str | int
KeyPath = tuple[Key, ...]

NUMBERS = st.one_of(
    st.sampled_from([0, -1, 1, -0.0, 0.5, 2**31, 2**63, 10**30, -(10**30), 1e308, -1e-320]),
    st.sampled_from([math.nan, math.inf, -math.inf]),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
)
STRINGS = st.one_of(
    st.sampled_from(
        ["", " ", "K, 32", "D1", "D9", "I1", "I2", "O", "W", "K", "C", "???", "1e3", "true", "null", "-5", "x" * 300]
    ),
    st.sampled_from(["rf_128B", "sram_2MB", "dram", "fh", "tl", "read", "write", "read_write", "Conv", "pow2"]),
    st.text(max_size=12),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, STRINGS)
GARBAGE = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=4),
    st.dictionaries(STRINGS, SCALARS, max_size=3),
    st.lists(st.lists(SCALARS, max_size=3), max_size=3),
)


def _paths(node: Any, here: KeyPath = ()) -> Iterator[KeyPath]:
    yield here
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*here, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*here, i))


def _get(doc: Any, path: KeyPath) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _mutate(doc: Any, draw: Callable[[st.SearchStrategy[Any]], Any]) -> Any:
    """One random change at one random place of `doc` (in place where possible; returns the new root)."""
    paths = list(_paths(doc))
    path = draw(st.sampled_from(paths))
    node = _get(doc, path)
    ops = ["replace", "retype", "scale"]
    if path:
        ops.append("delete")
    if isinstance(node, dict):
        ops += ["unknown_key", "rename_key", "empty"]
    if isinstance(node, list):
        ops += ["duplicate", "empty", "append"]
    op = draw(st.sampled_from(ops))
    if op == "replace" or (op == "scale" and not isinstance(node, int | float)):
        new: Any = draw(GARBAGE)
    elif op == "scale":
        new = draw(st.sampled_from([-node, 0, node * 10**12, node + 0.5, -1, node * 1e300, str(node)]))
    elif op == "retype":
        new = draw(st.sampled_from([str(node), [node], {"value": node}, None, bool(node)]))
    elif op == "empty":
        new = type(node)()
    elif op == "duplicate":
        if not node:
            return doc
        new = [*node, copy.deepcopy(node[draw(st.integers(0, len(node) - 1))])]
    elif op == "append":
        new = [*node, draw(GARBAGE)]
    elif op == "unknown_key":
        new = dict(node) | {draw(STRINGS): draw(GARBAGE)}
    elif op == "rename_key":
        if not node:
            return doc
        keys = list(node)
        old = keys[draw(st.integers(0, len(keys) - 1))]
        target = draw(st.one_of(STRINGS, st.sampled_from(keys)))
        new = {(target if k == old else k): v for k, v in node.items()}
    else:  # delete
        parent = _get(doc, path[:-1])
        del parent[path[-1]]
        return doc
    if not path:
        return new
    _get(doc, path[:-1])[path[-1]] = new
    return doc


@st.composite
def mutated_documents(draw: st.DrawFn, kinds: tuple[str, ...]) -> tuple[str, str, str]:
    """(kind, seed name, YAML text): a seed of one of `kinds` with one to three changes."""
    kind, name, seed = draw(st.sampled_from([s for s in ALL_SEEDS if s[0] in kinds]))
    doc = copy.deepcopy(seed)
    for _ in range(draw(st.integers(1, 3))):
        doc = _mutate(doc, draw)
    text = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    return kind, name, text


@st.composite
def damaged_texts(draw: st.DrawFn, kinds: tuple[str, ...]) -> tuple[str, str, bytes]:
    """(kind, seed name, file bytes): a seed's YAML text damaged as text (cut, lines duplicated or dropped, bytes)."""
    kind, name, seed = draw(st.sampled_from([s for s in ALL_SEEDS if s[0] in kinds]))
    raw = yaml.safe_dump(seed, sort_keys=False, allow_unicode=True).encode()
    op = draw(st.sampled_from(["cut", "dup_line", "drop_line", "bytes", "flip", "indent"]))
    lines = raw.split(b"\n")
    i = draw(st.integers(0, max(0, len(lines) - 1)))
    if op == "cut":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif op == "dup_line":  # duplicated keys and entries
        raw = b"\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])
    elif op == "drop_line":
        raw = b"\n".join(lines[:i] + lines[i + 1 :])
    elif op == "bytes":
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=16)) + raw[at:]
    elif op == "flip":
        at = draw(st.integers(0, max(0, len(raw) - 1)))
        raw = raw[:at] + bytes([raw[at] ^ (1 << draw(st.integers(0, 7)))]) + raw[at + 1 :] if raw else raw
    else:
        raw = b"\n".join([*lines[:i], b"\t" + lines[i], *lines[i + 1 :]])
    return kind, name, raw


# --------------------------------------------------------------------------------------------------------------
# Loading and checking
# --------------------------------------------------------------------------------------------------------------


def _load(kind: str, path: Path) -> object:
    """Load a file the way the tool does for its kind (a study: its referenced inputs too)."""
    if kind == "search_space":
        space = load_search_space(path)
        if space.base in list_accelerators():
            check_space(load_accelerator(space.base), space)
        return space
    if kind == "study":
        inputs = load_inputs(load_study_config(path))
        check_space(inputs.accelerator, inputs.space)
        return inputs
    return load_input(path)


def _parsed(raw: bytes) -> bool:
    with contextlib.suppress(Exception):
        return isinstance(yaml.safe_load(raw.decode("utf-8")), dict | list)
    return False


def _check(kind: str, path: Path) -> InputError | None:
    """Load; return the `InputError` (checked) or None when the input was valid. Anything else propagates."""
    try:
        _load(kind, path)
    except InputError as exc:
        error = exc
    else:
        return None
    file = str(path)
    message = error.message
    if kind == "study":  # a problem may be inside a file the study names: the problem names that file
        assert all(p.file for p in error.problems), message
    else:
        assert all(p.file == file for p in error.problems), message
    if _parsed(path.read_bytes()):
        document_level = all(any(p.rule.startswith(r) for r in DOCUMENT_RULES) for p in error.problems)
        assert document_level or any(p.key_path for p in error.problems), message
    return error


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _file(folder: Path, kind: str, data: bytes) -> Path:
    path = folder / f"{kind}.yaml"
    path.write_bytes(data)
    return path


def _fuzz_settings(n: int) -> settings:
    return settings(
        max_examples=n * SCALE,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        database=None,
    )


KINDS = {
    "accelerators": ("native_accelerator", "zigzag_accelerator"),
    "workloads": ("native_workload", "zigzag_workload"),
    "mappings": ("native_mapping", "zigzag_mapping"),
    "search_spaces": ("search_space",),
    "studies": ("study",),
}
EXAMPLES = {"accelerators": 260, "workloads": 220, "mappings": 180, "search_spaces": 200, "studies": 160}


def test_every_seed_is_valid(folder: Path) -> None:
    for kind, name, doc in ALL_SEEDS:
        path = _file(folder, kind, yaml.safe_dump(doc, sort_keys=False).encode())
        assert _check(kind, path) is None, name
    assert {"zigzag_accelerator", "zigzag_mapping"} <= set(SEEDS), "zigzag-dse is installed by `make test`"


@pytest.mark.parametrize("group", list(KINDS))
def test_mutated_documents(group: str, folder: Path) -> None:
    outcomes: list[bool] = []

    @_fuzz_settings(EXAMPLES[group])
    @given(mutated_documents(KINDS[group]))
    def run(case: tuple[str, str, str]) -> None:
        kind, _, text = case
        outcomes.append(_check(kind, _file(folder, kind, text.encode())) is not None)

    run()
    assert len(outcomes) >= 0.9 * EXAMPLES[group] * SCALE  # the examples did run
    assert sum(outcomes) >= 0.3 * len(outcomes)  # and most were malformed


def test_damaged_texts(folder: Path) -> None:
    count: list[int] = []

    @_fuzz_settings(200)
    @given(damaged_texts(tuple(SEEDS)))
    def run(case: tuple[str, str, bytes]) -> None:
        kind, _, raw = case
        _check(kind, _file(folder, kind, raw))
        count.append(1)

    run()
    assert len(count) >= 180 * SCALE


@_fuzz_settings(25)
@given(case=mutated_documents(("native_accelerator", "zigzag_accelerator", "native_mapping", "zigzag_workload")))
def test_cli_validate_exits_2_without_traceback(case: tuple[str, str, str], tmp_path_factory: Any) -> None:
    kind, _, text = case
    folder = tmp_path_factory.mktemp("cli", numbered=True)
    path = _file(folder, kind, text.encode())
    try:
        load_input(path)
    except InputError:
        pass
    else:
        assume(False)  # still valid: nothing to check here
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["validate", str(path)])
    lines = err.getvalue().splitlines()
    assert status == 2
    assert "Traceback" not in err.getvalue() and "unexpected" not in err.getvalue()
    assert lines and all(line.startswith("error: ") for line in lines[:-1]), lines
    assert lines[-1] == f"1 of 1 file(s) invalid: {path}"


def test_no_unsafe_yaml(folder: Path) -> None:
    """YAML goes through the safe loader only: a Python object tag is refused, not built."""
    marker = folder / "pwned"
    payload = f"!!python/object/apply:os.system ['touch {marker}']\n"
    for kind in ("native_accelerator", "search_space", "study"):
        path = _file(folder, kind, payload.encode())
        error = _check(kind, path)
        assert error is not None and "could not determine a constructor" in error.message
    assert not marker.exists()


def _python_sources() -> Iterator[Path]:
    yield from (ROOT / "zigzag_opt").rglob("*.py")


def test_no_unsafe_loaders_in_the_package() -> None:
    """No unsafe YAML loader and no unpickling anywhere in the package."""
    banned = ("yaml.load(", "yaml.unsafe_load", "yaml.full_load", "yaml.Loader", "yaml.FullLoader", "yaml.UnsafeLoader")
    banned += ("pickle.load", "Unpickler", "allow_pickle=True", "joblib.load", "dill.load", "marshal.load")
    hits = [f"{p}: {b}" for p in _python_sources() for b in banned if b in p.read_text(encoding="utf-8")]
    assert not hits


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
