"""`read_yaml`: the safe loader, and an `InputError` naming the file for every way reading can fail."""

from __future__ import annotations

from pathlib import Path

import pytest

from zigzag_opt.errors import InputError
from zigzag_opt.io.yaml_io import parse_yaml, read_yaml


def _file(tmp_path: Path, text: str, name: str = "in.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_a_document(tmp_path: Path) -> None:
    assert read_yaml(_file(tmp_path, "a: [1, 2]\nb: {c: x}\n")) == {"a": [1, 2], "b": {"c": "x"}}
    assert read_yaml(str(_file(tmp_path, "- 1\n- 2\n"))) == [1, 2]


def test_duplicated_key_keeps_the_last(tmp_path: Path) -> None:
    assert read_yaml(_file(tmp_path, "ports: [1]\nports: [2]\n")) == {"ports": [2]}


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    with pytest.raises(InputError) as exc:
        read_yaml(path)
    assert exc.value.file == str(path)
    assert "file not found" in str(exc.value) and "nope.yaml" in str(exc.value)


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="directory"):
        read_yaml(tmp_path)


def test_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    path = _file(tmp_path, "name: x\nmemories:\n  a: b: c\n", "broken.yaml")
    with pytest.raises(InputError) as exc:
        read_yaml(path)
    message = str(exc.value)
    assert message.startswith(f"{path}: YAML syntax error at line 3, column 7")
    assert "mapping values are not allowed" in message


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n", "---\n", "null\n"])
def test_empty_document(tmp_path: Path, text: str) -> None:
    with pytest.raises(InputError, match="empty"):
        read_yaml(_file(tmp_path, text, "empty.yaml"))


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="UTF-8"):
        read_yaml(path)


def test_python_tags_are_refused() -> None:
    """The safe loader never builds Python objects from a file."""
    with pytest.raises(InputError, match="YAML syntax error") as exc:
        parse_yaml("x: !!python/object/apply:os.system ['true']\n", file="evil.yaml")
    assert exc.value.file == "evil.yaml"


def test_several_documents_are_refused() -> None:
    with pytest.raises(InputError, match="single document"):
        parse_yaml("a: 1\n---\nb: 2\n", file="two.yaml")
