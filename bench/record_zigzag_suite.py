"""Record the expected totals of zigzag-dse's own test suite (installed with the wheel as a top-level `tests`
package) into tests/golden/zigzag_suite.json: per test file, the hardware, mapping, API flags and the expected
(energy, latency[, tclk, area]) per workload. These numbers are ZigZag 3.9.1's own; reading them from its test
files avoids re-running whole-network ZigZag searches (minutes each) in CI.

Usage: .venv/bin/python bench/record_zigzag_suite.py
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "tests" / "golden" / "zigzag_suite.json"
GROUPS = ("test_origin", "test_with_exploit_data_locality", "test_with_mix_spatial_mapping", "test_imc")


def _suite_root() -> Path:
    for entry in sys.path:
        candidate = Path(entry) / "tests" / "main"
        if (candidate / "test_origin").is_dir():
            return candidate
    raise SystemExit("zigzag-dse's installed test suite (site-packages/tests/main) was not found")


def _fixture(tree: ast.Module, name: str) -> str | None:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            for stmt in node.body:
                if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.Constant):
                    return str(stmt.value.value)
    return None


def _expected(tree: ast.Module) -> dict[str, list[float]]:
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else None
        if isinstance(target, ast.Name) and target.id in ("ens_lats", "ens_lats_clks_areas"):
            assert isinstance(node, ast.Assign)
            return {k: list(v) for k, v in ast.literal_eval(node.value).items()}
    return {}


def _workloads(tree: ast.Module) -> list[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "workloads":
            value = ast.literal_eval(node.value)
            return [value] if isinstance(value, str) else list(value)
    return []


def _api_call(tree: ast.Module) -> tuple[str, dict[str, object]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("get_hardware"):
            kwargs = {kw.arg: ast.literal_eval(kw.value) for kw in node.keywords if kw.arg}
            return node.func.id, kwargs
    return "", {}


def main() -> None:
    root = _suite_root()
    cases = []
    for group in GROUPS:
        for path in sorted((root / group).glob("test_*.py")):
            tree = ast.parse(path.read_text())
            api, kwargs = _api_call(tree)
            expected = _expected(tree)
            for workload in _workloads(tree):
                cases.append(
                    {
                        "test": f"{group}/{path.name}",
                        "api": api,
                        "kwargs": kwargs,
                        "accelerator": _fixture(tree, "accelerator"),
                        "mapping": _fixture(tree, "mapping"),
                        "workload": workload,
                        "expected": expected[workload],
                    }
                )
    record = {"zigzag_version": importlib.metadata.version("zigzag-dse"), "source": str(root), "cases": cases}
    OUT.write_text(json.dumps(record, indent=1) + "\n")
    print(f"wrote {len(cases)} cases to {OUT}")


if __name__ == "__main__":
    main()
