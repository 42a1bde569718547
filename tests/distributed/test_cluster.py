"""Distributed studies end to end, through the console script on a real co-design study.

- Four `zigzag-opt worker` processes share a study on PostgreSQL; one is killed with SIGKILL in the middle of a
  trial. At the end the study holds exactly its trial count, nothing is running or queued, the killed trial was
  retried with the same parameters, and every trial a worker reported is in the study once.
- `zigzag-opt tune` interrupted with SIGINT (one process on SQLite; two local workers on a journal file) exits 130
  without a traceback; running it again resumes the same study.
- The storage password shows nowhere: not in output, logs, errors, reports or attributes.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna
import pytest
from optuna.trial import FrozenTrial, TrialState

from zigzag_opt.tuning.distributed import OWNER_KEY, STORAGE_ENV, census, open_storage, retried_numbers

FAST = ["--heartbeat", "1", "--grace-period", "3", "--poll", "0.5"]


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    full = {**os.environ, "OMP_NUM_THREADS": "1", **(env or {})}
    full.pop(STORAGE_ENV, None) if env is None or STORAGE_ENV not in env else None
    return subprocess.Popen(
        [sys.executable, "-m", "zigzag_opt.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=full,
    )


def _trials(url: str, name: str) -> list[FrozenTrial]:
    storage = open_storage(url)
    try:
        return list(optuna.load_study(study_name=name, storage=storage.storage).get_trials())
    except KeyError:
        return []


def _wait_for(what: Callable[[], Any], timeout: float, message: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = what()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {message}")


def _running_for(url: str, name: str, seconds: float, pid: int | None = None) -> FrozenTrial | None:
    """A trial running for at least `seconds` (of worker `pid`, if given)."""
    now = time.time()
    for t in _trials(url, name):
        owner = t.system_attrs.get(OWNER_KEY)
        if t.state != TrialState.RUNNING or owner is None or (pid is not None and owner["pid"] != pid):
            continue
        if now - t.datetime_start.timestamp() >= seconds:
            return t
    return None


def _name(study_file: Path) -> str:
    return re.search(r"^name: (\S+)$", study_file.read_text(), re.M).group(1)  # type: ignore[union-attr]


def _check_final(trials: list[FrozenTrial], target: int) -> None:
    now = census(trials)
    assert (now.finished, now.running, now.waiting) == (target, 0, 0), now
    assert now.total == target + now.retried  # no surplus trial


def test_four_workers_one_killed_postgres(postgres_url: str, make_study: Callable[..., Path]) -> None:
    target = 6
    study = make_study(n_trials=target, lpf=9)
    name = _name(study)
    env = {STORAGE_ENV: postgres_url}
    workers = [_cli("worker", str(study), "--no-artifacts", *FAST, env=env) for _ in range(4)]
    victim = workers[0]
    try:
        doomed = _wait_for(lambda: _running_for(postgres_url, name, 0.5, victim.pid), 90, "the victim's trial")
        victim.send_signal(signal.SIGKILL)
        outputs = [w.communicate(timeout=300) for w in workers]
    finally:
        for w in workers:
            if w.poll() is None:
                w.kill()
    assert victim.returncode == -signal.SIGKILL
    for w, (_, err) in zip(workers[1:], outputs[1:], strict=True):
        assert w.returncode == 0, err
        assert "Traceback" not in err
    trials = _trials(postgres_url, name)
    _check_final(trials, target)
    killed = trials[doomed.number]
    assert killed.state == TrialState.FAIL
    retries = [t for t in trials if doomed.number in t.system_attrs.get("retry_history", [])]
    assert len(retries) == 1
    assert retries[0].state == TrialState.COMPLETE and retries[0].params == killed.params
    assert retries[0].system_attrs[OWNER_KEY]["pid"] != victim.pid
    # every trial a worker reported finishing is in the study once; every finished trial was reported once
    reported = [int(n) for out, _ in outputs for n in re.findall(r"trial (\d+) complete", out)]
    assert len(reported) == len(set(reported))
    retried = retried_numbers(trials)
    assert sorted(reported) == sorted(t.number for t in trials if t.number not in retried)
    assert all(t.values is not None and len(t.values) == 2 for t in trials if t.number not in retried)
    assert f"retry of trial {doomed.number}" in "".join(out for out, _ in outputs)


def _interrupt_when(proc: subprocess.Popen[str], ready: Callable[[], bool], snapshot: Callable[[], Any] = dict) -> Any:
    """SIGINT `proc` once `ready()` (right after taking `snapshot()`, which is returned); it must stop as an
    interrupt should: exit 130, a resume hint, no traceback."""
    try:
        _wait_for(ready, 120, "a finished and a running trial")
        taken = snapshot()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "run the same command again to resume" in err, err
    return taken


def _interrupt_and_resume(study: Path, url: str, extra: list[str], target: int) -> list[FrozenTrial]:
    name = _name(study)
    before = _interrupt_when(
        _cli("tune", str(study), "--no-progress", "--no-artifacts", *extra, *FAST),
        lambda: census(_trials(url, name)).finished >= 1 and _running_for(url, name, 0.3) is not None,
        lambda: {t.number: t.values for t in _trials(url, name) if t.state == TrialState.COMPLETE},
    )
    interrupted = _trials(url, name)
    assert not [t for t in interrupted if t.state == TrialState.RUNNING]
    requeued = [t for t in interrupted if t.system_attrs.get("zigzag_opt:retry_reason") == "interrupted"]
    assert requeued and all(t.state == TrialState.WAITING for t in requeued)

    second = _cli("tune", str(study), "--no-progress", "--no-artifacts", *extra, *FAST)
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    assert "Traceback" not in err and f"{target} trials finished" in out
    trials = _trials(url, name)
    _check_final(trials, target)
    assert {t.number: t.values for t in trials if t.number in before} == before  # the first run's results kept
    for t in requeued:
        (original,) = t.system_attrs["retry_history"]
        # A trial interrupted before it sampled everything is re-run with what it had drawn; the rest is sampled anew.
        assert trials[t.number].state == TrialState.COMPLETE
        assert trials[original].params.items() <= trials[t.number].params.items()
    # The trial that ran for 0.3 s had drawn its design, so at least one retry carries drawn parameters over.
    assert any(trials[t.system_attrs["retry_history"][0]].params for t in requeued)
    assert len(optuna.get_all_study_names(open_storage(url).storage)) == 1  # the same study, resumed
    return trials


def test_sigint_then_rerun_resumes_sqlite(make_study: Callable[..., Path]) -> None:
    study = make_study(n_trials=3, lpf=9)
    _interrupt_and_resume(study, f"sqlite:///{study.parent / 'study.db'}", [], 3)


def test_sigint_then_rerun_resumes_local_workers_journal(make_study: Callable[..., Path]) -> None:
    study = make_study(n_trials=4, lpf=9)
    trials = _interrupt_and_resume(study, str(study.parent / "study.log"), ["--workers", "2"], 4)
    assert len({t.system_attrs[OWNER_KEY]["pid"] for t in trials}) >= 2


def test_password_shows_nowhere(postgres_url: str, make_study: Callable[..., Path], tmp_path: Path) -> None:
    secret = re.search(r"://[^:]+:([^@]+)@", postgres_url).group(1)  # type: ignore[union-attr]
    study = make_study(n_trials=3, lpf=6)
    name = _name(study)
    tune = _cli("-vv", "tune", str(study), "--storage", postgres_url, "--no-progress")
    out, err = tune.communicate(timeout=300)
    assert tune.returncode == 0, err
    assert "zigzag:***@" in out
    report = _cli("report", str(study), "--storage", postgres_url, "--out", str(tmp_path / "report"))
    rout, rerr = report.communicate(timeout=300)
    assert report.returncode == 0, rerr
    texts = [out, err, rout, rerr]
    texts += [p.read_text(errors="replace") for p in (tmp_path / "report").iterdir() if p.is_file()]
    texts += [p.read_text(errors="replace") for p in (study.parent / "artifacts").rglob("*") if p.is_file()]
    loaded = optuna.load_study(study_name=name, storage=open_storage(postgres_url).storage)
    texts.append(json.dumps([loaded.user_attrs, loaded._storage.get_study_system_attrs(loaded._study_id)], default=str))
    texts += [json.dumps([t.user_attrs, t.system_attrs], default=str) for t in loaded.get_trials()]
    assert all(secret not in text for text in texts)
    wrong = postgres_url.replace(f":{secret}@", ":Wr0ngPassw0rd@")
    bad = _cli("worker", str(study), env={STORAGE_ENV: wrong})
    out, err = bad.communicate(timeout=120)
    assert bad.returncode == 2 and "Traceback" not in err
    assert (
        "$ZIGZAG_OPT_STORAGE: cannot open the storage postgresql://zigzag:***@" in err
        and "Wr0ngPassw0rd" not in out + err
    )


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["tune", "{study}", "--workers", "0"], "--workers: the number of workers must be at least 1"),
        (["tune", "{study}", "--workers", "2", "--storage", "sqlite:///{dir}/x.db"], "cannot share a SQLite file"),
        (["worker", "{study}", "--storage", "redis://u:pw@h"], "--storage: unknown storage URL scheme"),
        (["worker", "{dir}/bad_storage.yaml"], "bad_storage.yaml: storage: unknown storage URL scheme"),
        (["worker", "{study}", "--grace-period", "1", "--heartbeat", "5"], "--grace-period: invalid fault-tolerance"),
        (["worker", "{dir}/missing.yaml"], "file not found"),
    ],
)
def test_cli_errors(args: list[str], phrase: str, make_study: Callable[..., Path]) -> None:
    study = make_study()
    (study.parent / "bad_storage.yaml").write_text(study.read_text() + "storage: redis://u:pw@h\n")
    argv = [a.format(study=study, dir=study.parent) for a in args]
    proc = _cli(*argv)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2, err
    assert phrase in err and "Traceback" not in err
    assert ":pw@" not in err


def test_local_workers_adopt_the_sqlite_study_and_report_reads_the_journal(make_study: Callable[..., Path]) -> None:
    """`tune --workers 2` on a study begun in the folder's SQLite file copies it into the journal and goes on."""
    study = make_study(n_trials=2, lpf=6)
    name, folder = _name(study), study.parent
    first = _cli("tune", str(study), "--no-progress", "--no-artifacts")
    _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    before = {t.number: t.values for t in _trials(f"sqlite:///{folder / 'study.db'}", name)}
    more = _cli("tune", str(study), "--workers", "2", "--n-trials", "5", "--no-progress", "--no-artifacts", *FAST)
    out, err = more.communicate(timeout=300)
    assert more.returncode == 0, err
    assert "copied the study (2 trials)" in out and "5 trials finished" in out
    trials = _trials(str(folder / "study.log"), name)
    _check_final(trials, 5)
    assert {t.number: t.values for t in trials if t.number in before} == before
    report = _cli("report", str(study), "--out", str(folder / "report"))
    out, err = report.communicate(timeout=300)
    assert report.returncode == 0, err
    assert "5 trials (5 complete)" in out


def test_demo_interrupted_then_rerun_resumes(make_study: Callable[..., Path], tmp_path: Path) -> None:
    """`make demo` (one process, `run_study`) stopped with Ctrl-C: exit 130 without a traceback, the running trial
    queued again; the rerun finishes the study with that design."""
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    study = make_study(n_trials=3, lpf=9, storage=url)
    name = _name(study)

    def running_a_while() -> bool:
        trials = _trials(url, name)
        now = time.time()
        running = [t for t in trials if t.state == TrialState.RUNNING and now - t.datetime_start.timestamp() > 0.3]
        return census(trials).finished >= 1 and bool(running)

    _interrupt_when(_cli("demo", "--study", str(study)), running_a_while)
    interrupted = _trials(url, name)
    (failed,) = [t for t in interrupted if t.state == TrialState.FAIL]
    (queued,) = [t for t in interrupted if t.state == TrialState.WAITING]
    assert queued.system_attrs["retry_history"] == [failed.number] and queued.params == failed.params

    second = _cli("demo", "--study", str(study))
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    trials = _trials(url, name)
    assert trials[queued.number].state == TrialState.COMPLETE and trials[queued.number].params == failed.params
    assert sum(t.state == TrialState.COMPLETE for t in trials) == 3 and "Pareto" in out
