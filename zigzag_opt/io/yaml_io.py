"""Safe YAML reading: every failure (missing file, syntax error, empty document) becomes an `InputError`."""

from __future__ import annotations

from pathlib import Path

import yaml

from zigzag_opt.errors import InputError

__all__ = ["dump_yaml", "parse_yaml", "read_yaml"]


def read_yaml(path: str | Path) -> object:
    """Load one YAML document from `path` with the safe loader (no arbitrary Python objects).

    Duplicated mapping keys keep the last value, as PyYAML does (ZigZag's tpu_like.yaml relies on it).
    """
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.one("file not found", value=file, file=file) from None
    except IsADirectoryError:
        raise InputError.one("expected a file, found a directory", value=file, file=file) from None
    except UnicodeDecodeError as exc:
        raise InputError.one("a YAML file must be UTF-8 text", value=str(exc), file=file) from None
    except OSError as exc:
        raise InputError.one("the file cannot be read", value=exc.strerror or str(exc), file=file) from None
    return parse_yaml(text, file=file)


def parse_yaml(text: str, *, file: str = "") -> object:
    """Parse YAML `text` (safe loader); `file` only names the source in error messages."""
    try:
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        raise InputError.one(_syntax_rule(exc), file=file) from None
    except yaml.YAMLError as exc:
        raise InputError.one(f"invalid YAML: {exc}", file=file) from None
    if data is None:
        raise InputError.one("the YAML document is empty", file=file, accepted="a mapping or a list")
    return data


def _syntax_rule(exc: yaml.MarkedYAMLError) -> str:
    """A one-line description with a 1-based line and column (PyYAML's marks count from 0)."""
    mark = exc.problem_mark or exc.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    problem = ", ".join(part for part in (exc.context, exc.problem) if part) or "syntax error"
    return f"YAML syntax error at {where}{problem}"


def dump_yaml(data: object) -> str:
    """`data` (plain dicts, lists, strings, numbers) as block-style YAML, keys in their given order."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False)
