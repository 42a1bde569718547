"""Exception tree. Bad input raises `InputError` carrying every problem found, each with its place and rule."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

__all__ = ["InfeasibleError", "InputError", "MappingError", "Problem", "ZigzagOptError"]


class ZigzagOptError(Exception):
    """Base of every error this package raises on purpose."""


def _short(value: object, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True, slots=True, kw_only=True)
class Problem:
    """One thing wrong with one input.

    `key_path` names the place inside the file (e.g. ``memories.sram.ports[0].bandwidth_min``); `rule` says what
    must hold; `value` is what was found; `accepted` describes what would be accepted.
    """

    rule: str
    key_path: str = ""
    value: object = None
    accepted: str = ""
    file: str = ""

    def render(self) -> str:
        where = self.file or "<input>"
        if self.key_path:
            where += f": {self.key_path}"
        text = f"{where}: {self.rule}"
        if self.value is not None:
            text += f" (got {_short(self.value)})"
        if self.accepted:
            text += f"; accepted: {self.accepted}"
        return text

    def under(self, prefix: str) -> Problem:
        """The same problem with `prefix` prepended to its key path."""
        if not prefix:
            return self
        path = (
            f"{prefix}.{self.key_path}"
            if self.key_path and not self.key_path.startswith("[")
            else (prefix + self.key_path)
        )
        return replace(self, key_path=path)

    def in_file(self, file: str) -> Problem:
        return self if self.file else replace(self, file=file)


@dataclass(eq=False)
class InputError(ZigzagOptError, ValueError):
    """A user input (file, object, argument) is invalid. Holds every problem found, not only the first."""

    problems: tuple[Problem, ...] = field(default_factory=tuple)

    def __init__(self, problems: Problem | Iterable[Problem]) -> None:
        items = (problems,) if isinstance(problems, Problem) else tuple(problems)
        self.problems = items or (Problem(rule="invalid input"),)
        super().__init__(self.message)

    @classmethod
    def one(
        cls, rule: str, *, key_path: str = "", value: object = None, accepted: str = "", file: str = ""
    ) -> InputError:
        return cls(Problem(rule=rule, key_path=key_path, value=value, accepted=accepted, file=file))

    @property
    def message(self) -> str:
        lines = [p.render() for p in self.problems]
        if len(lines) == 1:
            return lines[0]
        return f"{len(lines)} problems:\n" + "\n".join(f"  - {line}" for line in lines)

    @property
    def file(self) -> str:
        return self.problems[0].file

    @property
    def key_path(self) -> str:
        return self.problems[0].key_path

    def in_file(self, file: str) -> InputError:
        return InputError(p.in_file(file) for p in self.problems)

    def under(self, prefix: str) -> InputError:
        return InputError(p.under(prefix) for p in self.problems)

    def __str__(self) -> str:
        return self.message


def raise_if(problems: Sequence[Problem]) -> None:
    """Raise one `InputError` holding all `problems`, if there are any."""
    if problems:
        raise InputError(problems)


class MappingError(ZigzagOptError):
    """A mapping does not fit the layer or the hardware (used where a single mapping is evaluated on request)."""


class InfeasibleError(ZigzagOptError):
    """No legal mapping exists for a layer on a given accelerator."""
