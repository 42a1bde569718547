"""Typed field access over loaded YAML that records every problem (with its key path) instead of stopping.

Each getter returns the value when it is present and valid, a default when it is absent, and None when it
is missing or invalid (a problem is then recorded). Callers compare `Checker.mark()` before and after a
section to know whether that section parsed cleanly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import NoReturn, TypeGuard, TypeVar

from zigzag_opt.errors import InputError, Problem

__all__ = ["Checker", "all_or_none", "at", "join"]

T = TypeVar("T")

_TYPE_NAMES = {
    int: "an integer",
    float: "a number",
    bool: "true or false",
    str: "a string",
    list: "a list",
    dict: "a mapping",
}


def join(path: str, key: str) -> str:
    """The key path of `key` inside the mapping at `path`."""
    return f"{path}.{key}" if path else key


def at(path: str, index: int) -> str:
    """The key path of item `index` of the list at `path`."""
    return f"{path}[{index}]"


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass
class Checker:
    """Collects the problems of one input file."""

    file: str = ""
    problems: list[Problem] = field(default_factory=list)
    blocking: int = 0  # problems that leave a value unusable; unknown keys do not

    # --- recording -----------------------------------------------------------------------------------------
    def add(self, key_path: str, rule: str, *, value: object = None, accepted: str = "", blocks: bool = True) -> None:
        """Record a problem; `blocks=False` for one that does not stop the value from being built and checked."""
        self.problems.append(Problem(rule=rule, key_path=key_path, value=value, accepted=accepted, file=self.file))
        self.blocking += blocks

    def extend(self, problems: Iterable[Problem], prefix: str = "") -> None:
        """Adopt problems found by the core objects, placing them under `prefix` in this file."""
        before = len(self.problems)
        self.problems.extend(p.under(prefix).in_file(self.file) for p in problems)
        self.blocking += len(self.problems) - before

    def mark(self) -> int:
        return self.blocking

    def clean_since(self, mark: int) -> bool:
        """No blocking problem since `mark`: the section can be built (and checked further)."""
        return self.blocking == mark

    def finish(self, result: T | None) -> T:
        """Return `result`, or raise one `InputError` with every recorded problem."""
        if self.problems or result is None:
            self.fail()
        return result

    def fail(self) -> NoReturn:
        raise InputError(self.problems or [Problem(rule="invalid input", file=self.file)])

    # --- containers -----------------------------------------------------------------------------------------
    def mapping(self, value: object, path: str) -> dict[str, object] | None:
        """`value` as a mapping with string keys (non-string keys are reported)."""
        if not isinstance(value, Mapping):
            self._wrong_type(path, value, dict)
            return None
        out: dict[str, object] = {}
        for key, item in value.items():
            if isinstance(key, str):
                out[key] = item
            else:
                self.add(join(path, str(key)), "keys must be strings", value=key)
        return out

    def sequence(self, value: object, path: str) -> list[object] | None:
        if not isinstance(value, list | tuple):
            self._wrong_type(path, value, list)
            return None
        return list(value)

    def keys(
        self,
        data: Mapping[str, object],
        path: str,
        *,
        allowed: Collection[str],
        required: Collection[str] = (),
    ) -> None:
        """Report unknown keys (ZigZag's validator rejects them) and missing required keys."""
        accepted = ", ".join(allowed)
        for key in data:
            if key not in allowed:
                # Reported, but the rest of the section is still built so its other rules get checked.
                self.add(join(path, key), "unknown key", value=key, accepted=accepted, blocks=False)
        for key in required:
            if key not in data:
                self.add(join(path, key), "required key is missing", accepted=f"a value for '{key}'")

    # --- scalars --------------------------------------------------------------------------------------------
    def integer(
        self,
        data: Mapping[str, object],
        key: str,
        path: str,
        *,
        default: int | None = None,
        minimum: int | None = None,
    ) -> int | None:
        """An integer field; absent gives `default` (absent without default is reported by `keys`)."""
        if key not in data:
            return default
        return self.int_value(data[key], join(path, key), minimum=minimum)

    def int_value(self, value: object, path: str, *, minimum: int | None = None) -> int | None:
        if not _is_int(value):
            self._wrong_type(path, value, int)
            return None
        if minimum is not None and value < minimum:
            self.add(path, f"must be >= {minimum}", value=value, accepted=f"integers >= {minimum}")
            return None
        return value

    def number(
        self,
        data: Mapping[str, object],
        key: str,
        path: str,
        *,
        default: float | None = None,
        nullable: bool = False,
    ) -> float | None:
        """A number (int or float) field; `nullable` accepts an explicit null as "not given"."""
        if key not in data or (nullable and data[key] is None):
            return default
        value = data[key]
        if not _is_number(value):
            self._wrong_type(join(path, key), value, float)
            return None
        if not math.isfinite(value):
            self.add(join(path, key), "must be a finite number", value=value, accepted="finite numbers")
            return None
        return float(value)

    def boolean(self, data: Mapping[str, object], key: str, path: str, *, default: bool) -> bool | None:
        if key not in data:
            return default
        value = data[key]
        if not isinstance(value, bool):
            self._wrong_type(join(path, key), value, bool)
            return None
        return value

    def string(
        self,
        data: Mapping[str, object],
        key: str,
        path: str,
        *,
        default: str | None = None,
        nullable: bool = False,
        allowed: Collection[str] = (),
        pattern: str = "",
        accepted: str = "",
    ) -> str | None:
        if key not in data or (nullable and data[key] is None):
            return default
        return self.str_value(data[key], join(path, key), allowed=allowed, pattern=pattern, accepted=accepted)

    def str_value(
        self,
        value: object,
        path: str,
        *,
        allowed: Collection[str] = (),
        pattern: str = "",
        accepted: str = "",
    ) -> str | None:
        """A string; `allowed` lists the accepted values, `pattern` a regex it must match entirely."""
        if not isinstance(value, str):
            self._wrong_type(path, value, str)
            return None
        if allowed and value not in allowed:
            self.add(path, "value not allowed", value=value, accepted=accepted or ", ".join(allowed))
            return None
        if pattern and re.fullmatch(pattern, value) is None:
            self.add(path, f"must match the pattern {pattern}", value=value, accepted=accepted)
            return None
        return value

    # --- lists of scalars -----------------------------------------------------------------------------------
    def str_list(
        self,
        data: Mapping[str, object],
        key: str,
        path: str,
        *,
        pattern: str = "",
        accepted: str = "",
        default: list[str] | None = None,
        nullable: bool = False,
    ) -> list[str] | None:
        """A list of strings; None if absent (without default) or if any item is invalid."""
        if key not in data or (nullable and data[key] is None):
            return default
        where = join(path, key)
        items = self.sequence(data[key], where)
        if items is None:
            return None
        out = [self.str_value(v, at(where, i), pattern=pattern, accepted=accepted) for i, v in enumerate(items)]
        return all_or_none(out)

    def int_list(
        self,
        data: Mapping[str, object],
        key: str,
        path: str,
        *,
        default: list[int] | None = None,
        nullable: bool = False,
        minimum: int | None = None,
    ) -> list[int] | None:
        if key not in data or (nullable and data[key] is None):
            return default
        where = join(path, key)
        items = self.sequence(data[key], where)
        if items is None:
            return None
        return all_or_none([self.int_value(v, at(where, i), minimum=minimum) for i, v in enumerate(items)])

    # --- helpers --------------------------------------------------------------------------------------------
    def _wrong_type(self, path: str, value: object, expected: type) -> None:
        name = _TYPE_NAMES[expected]
        if value is None:
            self.add(path, f"must be {name}, not null", accepted=name)
        else:
            self.add(path, f"must be {name}", value=value, accepted=f"{name}, not {type(value).__name__}")


def all_or_none(items: list[T | None]) -> list[T] | None:
    if any(item is None for item in items):
        return None
    return [item for item in items if item is not None]
