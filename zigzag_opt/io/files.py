"""Any input file, native or ZigZag format: detect what it is, load it, and cross-check a mapping against hardware.

A native file is a YAML mapping with a `kind:` key (accelerator, workload or mapping); anything else is judged by
its keys as one of ZigZag's own input files (`detect_zigzag_kind`). Every failure is an `InputError` naming the
file, the key path and the rule.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from zigzag_opt.errors import InputError, Problem
from zigzag_opt.hardware import Accelerator, Core
from zigzag_opt.io.native import accelerator_from_native, mapping_from_native, workload_from_native
from zigzag_opt.io.schema import FileKind
from zigzag_opt.io.yaml_io import read_yaml
from zigzag_opt.io.zigzag_compat import (
    detect_zigzag_kind,
    load_zigzag_accelerator,
    load_zigzag_mapping,
    load_zigzag_workload,
)
from zigzag_opt.mapping.legality import zigzag_temporal_sizes
from zigzag_opt.mapping.spec import MappingSpec, select_spec
from zigzag_opt.search.allocation import reduce_user_spatial
from zigzag_opt.workload import Layer, Network

__all__ = [
    "FILE_KINDS",
    "FileFormat",
    "InputFile",
    "detect_input",
    "load_input",
    "mapping_problems",
]

FileFormat = Literal["native", "zigzag"]
FILE_KINDS: tuple[FileKind, ...] = ("accelerator", "workload", "mapping")
_ACCEPTED_FILES = (
    "an accelerator, workload or mapping file: native YAML with a `kind:` key (accelerator, workload, mapping), or "
    "ZigZag's accelerator YAML (a mapping with `memories` and `operational_array`), workload YAML (a list of layers "
    "with `equation`, `loop_dims`, `loop_sizes`, ...) or mapping YAML (a list of entries with `name`, "
    "`spatial_mapping`, ...)"
)

Loaded = Accelerator | Network | tuple[MappingSpec, ...]


@dataclass(frozen=True, slots=True)
class InputFile:
    """A loaded input file: its path (as given), kind, format and the core object(s) it holds."""

    path: str
    kind: FileKind
    format: FileFormat
    value: Loaded


def detect_input(data: object, *, file: str = "") -> tuple[FileKind, FileFormat]:
    """The kind and format of parsed YAML `data`; `InputError` when it is none of the accepted inputs."""
    if isinstance(data, dict) and "kind" in data:
        for kind in FILE_KINDS:
            if data["kind"] == kind:
                return kind, "native"
        raise InputError.one(
            "unknown file kind", key_path="kind", value=data["kind"], accepted=", ".join(FILE_KINDS), file=file
        )
    zigzag_kind = detect_zigzag_kind(data)
    if zigzag_kind is None:
        shape = type(data).__name__
        raise InputError.one(
            "cannot tell which kind of input this file is (accelerator, workload or mapping)",
            value=f"a YAML {shape}" + (f" with keys {sorted(map(str, data))}" if isinstance(data, dict) else ""),
            accepted=_ACCEPTED_FILES,
            file=file,
        )
    return zigzag_kind, "zigzag"


def _build(kind: FileKind, fmt: FileFormat, data: object, file: str) -> Loaded:
    if fmt == "native":
        if kind == "accelerator":
            return accelerator_from_native(data, file=file)
        if kind == "workload":
            return workload_from_native(data, file=file)
        return mapping_from_native(data, file=file)
    if kind == "accelerator":
        assert isinstance(data, dict)  # detect_zigzag_kind says so
        return load_zigzag_accelerator(data, file=file)
    assert isinstance(data, list)
    if kind == "workload":
        return load_zigzag_workload(data, file=file)
    return load_zigzag_mapping(data, file=file)


def load_input(path: str | Path, *, expect: FileKind | None = None) -> InputFile:
    """Read, detect and load one input file. With `expect`, a file of another kind is an error."""
    file = os.fspath(path)
    if Path(file).is_dir():
        raise InputError.one("expected a file, found a directory", value=file, file=file)
    data = read_yaml(file)
    kind, fmt = detect_input(data, file=file)
    if expect is not None and kind != expect:
        raise InputError.one(
            f"expected {_article(expect)} {expect} file, found {_article(kind)} {kind} file ({fmt} format)",
            key_path="kind" if fmt == "native" else "",
            value=kind,
            accepted=expect,
            file=file,
        )
    return InputFile(path=file, kind=kind, format=fmt, value=_build(kind, fmt, data, file))


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


# --------------------------------------------------------------------------------------------------------------
# A mapping file against an accelerator (and a workload)
# --------------------------------------------------------------------------------------------------------------


def _paths(fmt: FileFormat, index: int) -> tuple[str, str, str]:
    if fmt == "native":
        return f"entries[{index}].spatial", f"entries[{index}].hints", f"entries[{index}].temporal_ordering"
    return f"[{index}].spatial_mapping", f"[{index}].spatial_mapping_hint", f"[{index}].temporal_ordering"


def _entry_problems(core: Core, spec: MappingSpec, fmt: FileFormat, index: int) -> list[Problem]:
    spatial_key, hint_key, _ = _paths(fmt, index)
    arr = core.pe_array
    problems: list[Problem] = []
    for oa, pairs in spec.spatial.unrolling:
        if oa not in arr.dims:
            problems.append(
                Problem(
                    rule="the spatial mapping names an array dimension the accelerator does not have",
                    key_path=f"{spatial_key}.{oa}",
                    value=oa,
                    accepted=", ".join(arr.dims),
                )
            )
        elif math.prod(f for _, f in pairs) > arr.size(oa):
            problems.append(
                Problem(
                    rule="the unrollings on an array dimension multiply to more than its size (ZigZag would clip them)",
                    key_path=f"{spatial_key}.{oa}",
                    value=" · ".join(f"{d}{f}" for d, f in pairs),
                    accepted=f"a product <= {arr.size(oa)}",
                )
            )
    for oa, _ in spec.spatial.hints:
        if oa not in arr.dims:
            problems.append(
                Problem(
                    rule="the spatial mapping hint names an array dimension the accelerator does not have",
                    key_path=f"{hint_key}.{oa}",
                    value=oa,
                    accepted=", ".join(arr.dims),
                )
            )
    return problems


def _ordering_problems(layer: Layer, core: Core, spec: MappingSpec, fmt: FileFormat, index: int) -> list[Problem]:
    """Fixed loop sizes in the ordering must divide the trip counts the spatial mapping leaves for that layer."""
    if any(oa not in spec.spatial.oa_dims for oa in core.pe_array.dims):
        return []  # the spatial mapping is searched: the trip counts are not known yet
    spatial = reduce_user_spatial(layer, core, spec.spatial, spec.operand_links)
    if any(f < 1 for _, pairs in spatial.unrolling for _, f in pairs):
        return []
    needed = zigzag_temporal_sizes(layer, core, spatial, spec.operand_links)
    fixed: dict[str, int] = {}
    for dim, size in spec.temporal_ordering:
        if size is not None and dim in layer.dims:
            fixed[dim] = fixed.get(dim, 1) * size
    return [
        Problem(
            rule=f"the fixed loop sizes of a dim must divide its temporal trip count (layer {layer.name!r})",
            key_path=_paths(fmt, index)[2],
            value=f"{dim}{product}",
            accepted=f"divisors of {dim}{needed.get(dim, 1)}",
        )
        for dim, product in fixed.items()
        if needed.get(dim, 1) % product != 0
    ]


def mapping_problems(
    core: Core, specs: tuple[MappingSpec, ...], *, fmt: FileFormat, file: str, network: Network | None = None
) -> list[Problem]:
    """What a mapping file gets wrong for `core` (array dims it names, unrollings over the array size) and, given a
    `network`, for each layer's selected entry (fixed loop sizes that do not divide the trip counts)."""
    problems: list[Problem] = []
    for i, spec in enumerate(specs):
        problems += _entry_problems(core, spec, fmt, i)
    if network is not None and not problems:
        for layer in network.layers:
            chosen = select_spec(specs, layer)
            if chosen is not None:
                problems += _ordering_problems(layer, core, chosen, fmt, specs.index(chosen))
    unique = {p.render(): p for p in problems}  # a shared entry reports each problem once
    return [p.in_file(file) for p in unique.values()]
