"""Fixtures for the distributed-study tests: a PostgreSQL server and small study files.

`postgres_url` is `$ZIGZAG_OPT_TEST_POSTGRES` (set by `.ci/run`); without it, a throwaway server is started with
`tests/tools/pg_server.sh` when PostgreSQL's binaries are installed. In CI (`$CI` set) a missing server is a failure,
not a skip: these tests must run there.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "distributed"
PG_SERVER = ROOT / "tests" / "tools" / "pg_server.sh"
ENV = "ZIGZAG_OPT_TEST_POSTGRES"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL tests must run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    if importlib.util.find_spec("psycopg2") is None:
        _unavailable("psycopg2 is not installed (pip install -e '.[dev]')")
    url = os.environ.get(ENV)
    if url:
        yield url
        return
    folder = Path(tempfile.mkdtemp(prefix="zigzag-pg-"))
    try:
        done = subprocess.run(
            [str(PG_SERVER), "start", str(folder / "server")], capture_output=True, text=True, timeout=180
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(folder, ignore_errors=True)
        _unavailable(f"cannot start a PostgreSQL server: {exc}")
        return
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        _unavailable(f"cannot start a PostgreSQL server (set ${ENV} or install postgresql): {done.stderr.strip()}")
    try:
        yield done.stdout.strip()
    finally:
        subprocess.run([str(PG_SERVER), "stop", str(folder / "server")], capture_output=True, timeout=120)
        shutil.rmtree(folder, ignore_errors=True)


StudyMaker = Callable[..., Path]


@pytest.fixture
def make_study(tmp_path: Path) -> StudyMaker:
    """Write a study file (three ResNet-18 layers on tpu_like) into `tmp_path` with a unique name; LOMA's
    `lpf_limit` sets how long a trial takes (6: ~0.05 s, 8: ~0.4 s, 9: ~3 s on one core; tests that must catch
    a trial running use 9)."""

    def make(*, n_trials: int = 6, lpf: int = 6, sampler: str = "random", storage: str | None = None) -> Path:
        name = f"t_{uuid.uuid4().hex[:10]}"
        lines = [
            "kind: study",
            f"name: {name}",
            f"workload: {DATA / 'workload.yaml'}",
            "workload_compat: zigzag",
            "accelerator: tpu_like",
            "mapping: tpu_like",
            f"search_space: {DATA / 'space.yaml'}",
            "objectives: [energy, latency]",
            f"sampler: {{name: {sampler}}}",
            "seed: 0",
            f"n_trials: {n_trials}",
            f"mapper: {{engine: loma, lpf_limit: {lpf}, criterion: latency}}",
        ]
        if storage is not None:
            lines.append(f"storage: {storage}")
        path = tmp_path / "study.yaml"
        path.write_text("\n".join(lines) + "\n")
        return path

    return make
