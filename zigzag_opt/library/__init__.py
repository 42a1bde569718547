"""Bundled accelerators and mappings in the native YAML format, loadable by name.

The accelerators carry the parameters of ZigZag 3.9.1's examples of the same names (generic_array is ZigZag's
generic_array_cacti). The mappings are native copies of ZigZag's example mapping files.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from importlib.resources.abc import Traversable

from zigzag_opt.errors import InputError
from zigzag_opt.hardware import Accelerator
from zigzag_opt.io.native import load_native_accelerator, load_native_mapping
from zigzag_opt.mapping.spec import MappingSpec

__all__ = ["list_accelerators", "list_mappings", "load_accelerator", "load_mapping"]


def _folder(kind: str) -> Traversable:
    return files(__name__).joinpath(kind)


def _names(kind: str) -> tuple[str, ...]:
    return tuple(sorted(e.name.removesuffix(".yaml") for e in _folder(kind).iterdir() if e.name.endswith(".yaml")))


def _resource(kind: str, name: str) -> Traversable:
    names = _names(kind)
    if name not in names:
        raise InputError.one(f"no bundled {kind[:-1]} of this name", value=name, accepted=", ".join(names))
    return _folder(kind).joinpath(f"{name}.yaml")


def list_accelerators() -> tuple[str, ...]:
    """Names of the bundled accelerators, sorted."""
    return _names("accelerators")


def load_accelerator(name: str) -> Accelerator:
    """A bundled accelerator by name (see `list_accelerators`); an unknown name raises `InputError`."""
    with as_file(_resource("accelerators", name)) as path:
        return load_native_accelerator(path)


def list_mappings() -> tuple[str, ...]:
    """Names of the bundled mapping files, sorted."""
    return _names("mappings")


def load_mapping(name: str) -> tuple[MappingSpec, ...]:
    """The entries of a bundled mapping file by name (see `list_mappings`)."""
    with as_file(_resource("mappings", name)) as path:
        return load_native_mapping(path)
