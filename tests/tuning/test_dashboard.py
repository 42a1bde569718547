"""The real optuna-dashboard serves a study: its HTTP API returns the study and the trials' user attrs, and a
headless Chromium renders its pages (screenshot)."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import optuna
import pytest

from zigzag_opt.io.study_io import load_study_config
from zigzag_opt.tuning.study import run_study

pytest.importorskip("optuna_dashboard")
optuna.logging.set_verbosity(optuna.logging.WARNING)
TINY = Path(__file__).resolve().parents[1] / "data" / "study" / "study.yaml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, timeout: float = 30.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return bytes(resp.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    import dataclasses

    tmp = tmp_path_factory.mktemp("dash")
    storage = f"sqlite:///{tmp / 'study.db'}"
    config = dataclasses.replace(load_study_config(TINY), storage=storage)
    run_study(config, n_trials=4, artifact_dir=tmp / "artifacts")
    port = _free_port()
    code = f"from optuna_dashboard import run_server; run_server({storage!r}, host='127.0.0.1', port={port})"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _get(f"http://127.0.0.1:{port}/api/meta")
        yield port, tmp
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_dashboard_api_serves_study_and_user_attrs(served) -> None:  # type: ignore[no-untyped-def]
    port, _ = served
    studies = json.loads(_get(f"http://127.0.0.1:{port}/api/studies"))["study_summaries"]
    mine = next(s for s in studies if s["study_name"] == "tiny")
    detail = json.loads(_get(f"http://127.0.0.1:{port}/api/studies/{mine['study_id']}"))
    trials = detail["trials"]
    assert len(trials) == 4
    attrs = {a["key"]: a["value"] for a in trials[0]["user_attrs"]}
    assert {"energy_pj", "latency_cycles", "area_mm2", "summary"} <= set(attrs)


def test_dashboard_pareto_page_screenshot(served) -> None:  # type: ignore[no-untyped-def]
    port, tmp = served
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("Chromium is not installed on this machine")
    shot = tmp / "dashboard_pareto.png"
    studies = json.loads(_get(f"http://127.0.0.1:{port}/api/studies"))["study_summaries"]
    study_id = next(s for s in studies if s["study_name"] == "tiny")["study_id"]
    url = f"http://127.0.0.1:{port}/dashboard/studies/{study_id}"  # the study page holds the Pareto front
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp / 'chrome'}",
            "--window-size=1280,900",
            "--virtual-time-budget=8000",
            f"--screenshot={shot}",
            url,
        ],
        check=True,
        timeout=120,
        capture_output=True,
    )
    assert shot.exists() and shot.stat().st_size > 10_000
