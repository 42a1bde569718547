"""The worker loop with a stand-in objective: exact counts under contention, lost trials retried, storage URLs.

Workers are forked processes sharing a journal file or the PostgreSQL test database; one of them may die in the
middle of a trial (`os._exit`), as a killed worker would.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any

import optuna
import pytest
from optuna.trial import TrialState

from zigzag_opt.errors import InputError
from zigzag_opt.tuning.distributed import (
    OWNER_KEY,
    FaultTolerance,
    census,
    open_storage,
    parse_storage,
    redact_text,
    retried_numbers,
    sigterm_as_interrupt,
    work,
)

FAST = FaultTolerance(heartbeat_interval=1, grace_period=2, max_retry=3, poll_interval=0.1)


def _worker(url: str, name: str, target: int, crash_at: int, delay: float, queue: Any) -> None:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = open_storage(url, fault=FAST)
    study = optuna.create_study(
        study_name=name,
        storage=storage.storage,
        load_if_exists=True,
        sampler=optuna.samplers.RandomSampler(seed=os.getpid()),
    )

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        if trial.number == crash_at:
            time.sleep(delay)
            os._exit(1)  # dies mid-trial: no tell, no heartbeat
        time.sleep(delay)
        return x

    result = work(study, objective, target=target, storage=storage, fault=FAST)
    queue.put((os.getpid(), [r.number for r in result.ran]))


def _run_workers(url: str, *, n: int, target: int, crash_at: int = -1, delay: float = 0.02) -> tuple[str, list[Any]]:
    name = f"w_{uuid.uuid4().hex[:10]}"
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(url, name, target, crash_at, delay, queue)) for _ in range(n)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
        assert p.exitcode is not None, "a worker hung"
    reports = []
    while not queue.empty():
        reports.append(queue.get())
    return name, [p.exitcode for p in procs] + reports


def _check_exact(url: str, name: str, target: int) -> list[optuna.trial.FrozenTrial]:
    storage = open_storage(url, fault=FAST)
    trials = optuna.load_study(study_name=name, storage=storage.storage).get_trials()
    now = census(trials)
    assert (now.finished, now.running, now.waiting) == (target, 0, 0)
    assert now.total == target + now.retried  # no surplus trial was ever created
    assert all(t.state == TrialState.COMPLETE for t in trials if t.number not in retried_numbers(trials))
    return trials


@pytest.fixture
def journal(tmp_path: Path) -> str:
    return str(tmp_path / "study.log")


def test_exact_count_under_contention_journal(journal: str) -> None:
    name, out = _run_workers(journal, n=4, target=30, delay=0.0)
    assert out[:4] == [0, 0, 0, 0]
    trials = _check_exact(journal, name, 30)
    ran = [n for _, numbers in out[4:] for n in numbers]
    assert sorted(ran) == [t.number for t in trials]  # every trial run by exactly one worker


def test_dead_worker_trial_is_retried_journal(journal: str) -> None:
    """No heartbeat on a journal: a trial whose worker process (this host) has exited is failed and retried."""
    name, out = _run_workers(journal, n=3, target=12, crash_at=4, delay=0.05)
    assert sorted(out[:3]) == [0, 0, 1]
    trials = _check_exact(journal, name, 12)
    lost = trials[4]
    assert lost.state == TrialState.FAIL
    (retry,) = [t for t in trials if t.system_attrs.get("retry_history") == [4]]
    assert retry.state == TrialState.COMPLETE and retry.params == lost.params
    assert retry.system_attrs[OWNER_KEY]["pid"] != lost.system_attrs[OWNER_KEY]["pid"]


def test_exact_count_and_heartbeat_retry_postgres(postgres_url: str) -> None:
    """PostgreSQL: the advisory claim lock makes the count exact; the heartbeat finds the dead worker's trial."""
    name, out = _run_workers(postgres_url, n=4, target=16, crash_at=3, delay=0.2)
    assert sorted(out[:4]) == [0, 0, 0, 1]
    trials = _check_exact(postgres_url, name, 16)
    (retry,) = [t for t in trials if t.system_attrs.get("retry_history") == [3]]
    assert trials[3].state == TrialState.FAIL
    assert retry.state == TrialState.COMPLETE and retry.params == trials[3].params


def test_orphaned_trial_is_retried(journal: str) -> None:
    """A running trial no worker tagged (its asker died at once, or a foreign client) is retried after the grace."""
    storage = open_storage(journal, fault=FAST)
    study = optuna.create_study(study_name="orphan", storage=storage.storage)
    orphan = study.ask()
    orphan.suggest_float("x", 0.0, 1.0)
    time.sleep(FAST.grace_period + 0.5)
    result = work(study, lambda t: t.suggest_float("x", 0.0, 1.0), target=3, storage=storage, fault=FAST)
    assert result.requeued == [0]
    trials = study.get_trials()
    assert census(trials).finished == 3 and trials[0].state == TrialState.FAIL
    assert [t.system_attrs.get("retry_history") for t in trials[1:]] == [[0], None, None]
    assert trials[1].params == trials[0].params


def test_interrupt_requeues_the_running_trial(journal: str) -> None:
    storage = open_storage(journal, fault=FAST)
    study = optuna.create_study(study_name="interrupt", storage=storage.storage)

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        if trial.number == 1:
            raise KeyboardInterrupt
        return x

    with pytest.raises(KeyboardInterrupt):
        work(study, objective, target=4, storage=storage, fault=FAST)
    trials = study.get_trials()
    assert [t.state for t in trials] == [TrialState.COMPLETE, TrialState.FAIL, TrialState.WAITING]
    assert trials[2].params == trials[1].params
    result = work(study, lambda t: t.suggest_float("x", 0.0, 1.0), target=4, storage=storage, fault=FAST)
    assert [r.number for r in result.ran] == [2, 3, 4]
    assert result.ran[0].retry_of == 1
    assert census(study.get_trials()).finished == 4


def _interrupted_inside_storage(url: str, queue: Any) -> None:
    """A worker whose SIGINT lands inside a storage call, which then fails with its own error instead (as Optuna's
    journal-file lock does when interrupted between its rename and unlink)."""
    optuna.logging.set_verbosity(optuna.logging.CRITICAL)
    sigterm_as_interrupt()
    storage = open_storage(url, fault=FAST)
    study = optuna.create_study(study_name="mid_storage", storage=storage.storage, load_if_exists=True)

    def objective(trial: optuna.Trial) -> float:
        x = trial.suggest_float("x", 0.0, 1.0)
        if trial.number == 1:
            try:
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(5)
            except KeyboardInterrupt:
                raise FileNotFoundError("lock file gone") from None
        return x

    try:
        work(study, objective, target=3, storage=storage, fault=FAST)
        queue.put("finished")
    except KeyboardInterrupt as exc:
        queue.put(f"interrupted ({type(exc.__cause__).__name__})")


def test_an_interrupt_surfacing_as_a_storage_error_is_an_interrupt(journal: str) -> None:
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_interrupted_inside_storage, args=(journal, queue))
    proc.start()
    proc.join(timeout=120)
    assert proc.exitcode == 0
    assert queue.get(timeout=5) == "interrupted (FileNotFoundError)"
    trials = optuna.load_study(study_name="mid_storage", storage=open_storage(journal).storage).get_trials()
    assert [t.state for t in trials] == [TrialState.COMPLETE, TrialState.FAIL, TrialState.WAITING]
    assert trials[2].params == trials[1].params and trials[2].system_attrs["retry_history"] == [1]


def test_a_storage_error_without_an_interrupt_stays_an_error(journal: str) -> None:
    storage = open_storage(journal, fault=FAST)
    study = optuna.create_study(study_name="plain_error", storage=storage.storage)

    def objective(trial: optuna.Trial) -> float:
        raise FileNotFoundError("a real error")

    with pytest.raises(FileNotFoundError, match="a real error"):
        work(study, objective, target=2, storage=storage, fault=FAST)
    assert [t.state for t in study.get_trials()] == [TrialState.FAIL]  # failed, not re-queued


def test_a_retry_keeps_what_an_interrupted_replay_lost(journal: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Optuna's journal replay counts a log line as read before applying it: an interrupt between the two (here:
    right after the trial's first parameter was written) leaves this process blind to that line. The retry must
    still carry the parameter, so the re-queueing reads the study through a fresh connection."""
    from optuna.storages.journal._storage import JournalOperation, JournalStorageReplayResult

    apply_logs = JournalStorageReplayResult.apply_logs
    armed = [True]

    def interrupted(self: JournalStorageReplayResult, logs: Any) -> None:
        for log in logs:
            if armed[0] and log["op_code"] == JournalOperation.SET_TRIAL_PARAM and log["trial_id"] == 1:
                armed[0] = False
                self.log_number_read += 1  # counted as read, never applied
                raise KeyboardInterrupt
            apply_logs(self, [log])

    monkeypatch.setattr(JournalStorageReplayResult, "apply_logs", interrupted)
    storage = open_storage(journal, fault=FAST)
    study = optuna.create_study(study_name="lost_line", storage=storage.storage)

    def objective(trial: optuna.Trial) -> float:
        return trial.suggest_float("x", 0.0, 1.0) + trial.suggest_float("y", 0.0, 1.0)

    with pytest.raises(KeyboardInterrupt):
        work(study, objective, target=3, storage=storage, fault=FAST)
    trials = optuna.load_study(study_name="lost_line", storage=open_storage(journal).storage).get_trials()
    assert [t.state for t in trials] == [TrialState.COMPLETE, TrialState.FAIL, TrialState.WAITING]
    assert set(trials[1].params) == {"x"} and trials[2].params == trials[1].params


def test_max_retry_bounds_retries(journal: str) -> None:
    """A trial that keeps getting lost is retried `max_retry` times, then stays failed (and counts)."""
    fault = FaultTolerance(heartbeat_interval=1, grace_period=2, max_retry=1, poll_interval=0.1)
    storage = open_storage(journal, fault=fault)
    study = optuna.create_study(study_name="retries", storage=storage.storage)

    def objective(trial: optuna.Trial) -> float:
        trial.suggest_float("x", 0.0, 1.0)
        raise KeyboardInterrupt

    for _ in range(2):
        with pytest.raises(KeyboardInterrupt):
            work(study, objective, target=1, storage=storage, fault=fault)
    trials = study.get_trials()
    assert [t.state for t in trials] == [TrialState.FAIL, TrialState.FAIL]
    assert trials[1].system_attrs["retry_history"] == [0]
    assert census(trials).finished == 1


# --------------------------------------------------------------------------------------------------------------
# Storage URLs and settings
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("postgresql://u:p@h:5432/db", "postgresql"),
        ("postgres://u@h/db", "postgresql"),
        ("postgresql+psycopg2://u@h/db", "postgresql"),
        ("sqlite:///x.db", "sqlite"),
        ("mysql+pymysql://u@h/db", "mysql"),
        ("runs/study.log", "journal"),
        ("journal:runs/study.jsonl", "journal"),
    ],
)
def test_parse_storage(url: str, kind: str) -> None:
    spec = parse_storage(url)
    assert spec.kind == kind
    assert "p@" not in spec.display
    if kind == "postgresql":
        assert spec.target.startswith("postgresql+psycopg2://")


@pytest.mark.parametrize("url", ["redis://h:6379", "ftp://u:hunter2@h/x", "study.txt", "journal:", "  "])
def test_bad_storage_urls(url: str) -> None:
    with pytest.raises(InputError) as err:
        parse_storage(url)
    assert err.value.key_path == "storage"
    assert "hunter2" not in err.value.message


def test_redact_text() -> None:
    url = "postgresql://me:s%40cret@db/x"
    assert redact_text("to postgresql://me:s%40cret@db/x failed; pw s@cret", url) == (
        "to postgresql://me:***@db/x failed; pw ***"
    )
    assert redact_text("host=db password=abc user=me") == "host=db password=*** user=me"


def test_unreachable_server_error_has_no_password() -> None:
    with pytest.raises(InputError) as err:
        open_storage("postgresql://zz:Sup3rSecret@127.0.0.1:1/db", fault=FAST)
    assert "cannot open the storage postgresql://zz:***@127.0.0.1:1/db" in err.value.message
    assert "Sup3rSecret" not in err.value.message


def test_missing_journal_folder(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folder does not exist"):
        open_storage(str(tmp_path / "no" / "study.log"))


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"heartbeat_interval": 0}, "--heartbeat"),
        ({"heartbeat_interval": 10, "grace_period": 10}, "--grace-period"),
        ({"max_retry": -1}, "--max-retry"),
        ({"poll_interval": 0.0}, "--poll"),
    ],
)
def test_fault_tolerance_checks(kwargs: dict[str, Any], key: str) -> None:
    with pytest.raises(InputError) as err:
        FaultTolerance(**kwargs)
    assert err.value.key_path == key
