"""Many workers, one study: storages by URL, an exact trial count, lost trials retried, local worker processes.

Storage URLs (`open_storage`):

=================================  ==============================================================================
``postgresql://user@host:5432/db``  `RDBStorage` with a heartbeat. A worker that dies stops beating; after the grace
                                    period another worker marks its trial failed and `RetryHeartbeatStaleTrialCallback`
                                    queues a copy with the same parameters. For many workers on many machines.
``path/study.log``, ``journal:p``   `JournalStorage(JournalFileBackend)`: several processes on one machine, no
                                    server. No heartbeat: a trial whose worker process (same host) is gone is
                                    failed and re-queued the same way.
``sqlite:///path/study.db``         `RDBStorage` as Optuna makes it (one process, or a few on one machine).
``mysql://…``                       `RDBStorage` with a heartbeat; the count may overshoot (no claim lock).
=================================  ==============================================================================

How N workers reach a target count exactly (`work`): a worker takes the study's *claim lock* (a PostgreSQL
advisory lock; a file lock beside a SQLite or journal file), fails and re-queues trials whose worker is gone, counts
the trials that hold a slot of the target (every trial except failed ones that were retried: the retry stands for
them), and only then asks for a trial: a queued retry if there is one, a new trial if fewer than the target hold a
slot. It tags the trial with its identity and releases the lock inside the objective, so asking is serialised and
the trials themselves run in parallel. A worker with nothing to ask for waits while trials are still running (one
may be lost and come back as a retry) and leaves when none are running or queued. A worker interrupted by SIGINT
or SIGTERM re-queues its trial before it exits, so rerunning resumes without losing it.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import importlib.util
import math
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any, Literal, Protocol
from urllib.parse import unquote, urlsplit

import optuna
from optuna.trial import FrozenTrial, TrialState

from zigzag_opt.errors import InputError, Problem
from zigzag_opt.io.study_io import StudyConfig
from zigzag_opt.tuning.study import build_objective, load_inputs, make_sampler, open_study, redact

__all__ = [
    "OWNER_KEY",
    "RETRY_REASON_KEY",
    "STORAGE_ENV",
    "Census",
    "FaultTolerance",
    "LocalRun",
    "OpenStorage",
    "StorageSpec",
    "WorkerResult",
    "adopt_sqlite_study",
    "census",
    "default_storage",
    "open_storage",
    "parse_storage",
    "redact_text",
    "retried_numbers",
    "run_local_workers",
    "run_worker",
    "sigterm_as_interrupt",
    "study_census",
    "work",
]

#: Environment variable holding the storage URL (keeps a password off command lines; `tune --workers` uses it).
STORAGE_ENV = "ZIGZAG_OPT_STORAGE"
#: Trial system attribute naming the worker running the trial: {"host", "pid", "start"}.
OWNER_KEY = "zigzag_opt:worker"
#: System attribute of a retry this package queued: why the original was lost (worker gone, interrupted, orphaned).
#: (Retries queued by Optuna's heartbeat check have none.)
RETRY_REASON_KEY = "zigzag_opt:retry_reason"

StorageKind = Literal["postgresql", "mysql", "sqlite", "journal"]
_SCHEMES: dict[str, StorageKind] = {
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "sqlite": "sqlite",
    "mysql": "mysql",
}
_JOURNAL_SUFFIXES = (".log", ".journal")
_ACCEPTED_STORAGE = (
    "postgresql://user[:password]@host[:port]/database, sqlite:///path/study.db, a journal file path/study.log "
    "(or journal:path), mysql://..."
)
_DRIVERS = {"postgresql": "psycopg2 (pip install 'zigzag-opt[postgres]')", "mysql": "a MySQL driver (pymysql)"}


# --------------------------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class FaultTolerance:
    """How lost trials are found and retried.

    heartbeat_interval: seconds between a running trial's heartbeats (RDB storages).
    grace_period: seconds without a heartbeat after which a trial counts as lost (must exceed the interval); also
        the age after which a running trial no worker has tagged counts as orphaned.
    max_retry: how many times one trial is retried (then it stays failed).
    poll_interval: seconds an idle worker waits before looking again while other trials run.
    """

    heartbeat_interval: int = 10
    grace_period: int = 30
    max_retry: int = 3
    poll_interval: float = 2.0

    def __post_init__(self) -> None:
        problems: list[tuple[str, object, str]] = []
        if not isinstance(self.heartbeat_interval, int) or self.heartbeat_interval < 1:
            problems.append(("--heartbeat", self.heartbeat_interval, "a whole number of seconds >= 1"))
        if not isinstance(self.grace_period, int) or self.grace_period <= self.heartbeat_interval:
            problems.append(("--grace-period", self.grace_period, "whole seconds, more than the heartbeat interval"))
        if not isinstance(self.max_retry, int) or self.max_retry < 0:
            problems.append(("--max-retry", self.max_retry, "an integer >= 0"))
        if not self.poll_interval > 0:
            problems.append(("--poll", self.poll_interval, "seconds > 0"))
        if problems:
            raise InputError(
                Problem(rule="invalid fault-tolerance setting", key_path=k, value=v, accepted=a) for k, v, a in problems
            )


# --------------------------------------------------------------------------------------------------------------
# Storage URLs
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StorageSpec:
    """A parsed storage URL: its kind, what Optuna is given (an SQLAlchemy URL or a journal path), a display form."""

    kind: StorageKind
    target: str
    display: str


def _password(url: str) -> str | None:
    with contextlib.suppress(ValueError):
        return urlsplit(url).password
    return None


def redact_text(text: str, url: str | None = None) -> str:
    """`text` with the password of `url` (raw and URL-decoded) and any ``scheme://user:password@`` masked."""
    out = text
    secret = _password(url) if url else None
    if secret:
        for form in {secret, unquote(secret)}:
            out = out.replace(form, "***")
    out = re.sub(r"(\w[\w+.-]*://[^/\s:@]*):[^@\s]*@", r"\1:***@", out)
    return re.sub(r"(?i)\b(password|passwd)=[^&\s]*", r"\1=***", out)


def parse_storage(url: str, *, key_path: str = "storage") -> StorageSpec:
    """Which storage a URL names; `InputError` (the URL without its password) for anything else."""
    text = url.strip()
    shown = redact_text(redact(text), text)
    if text.startswith("journal:"):
        path = text[len("journal:") :]
        if not path:
            raise InputError.one("a journal storage needs a file path", key_path=key_path, value=shown)
        return StorageSpec("journal", path, f"journal file {path}")
    if "://" not in text:
        if text.endswith(_JOURNAL_SUFFIXES):
            return StorageSpec("journal", text, f"journal file {text}")
        raise InputError.one(
            "not a storage URL or journal file", key_path=key_path, value=shown, accepted=_ACCEPTED_STORAGE
        )
    scheme, rest = text.split("://", 1)
    base, _, driver = scheme.lower().partition("+")
    kind = _SCHEMES.get(base)
    if kind is None:
        raise InputError.one("unknown storage URL scheme", key_path=key_path, value=shown, accepted=_ACCEPTED_STORAGE)
    if kind == "postgresql":  # SQLAlchemy knows only "postgresql"; its default driver differs between versions
        text = f"postgresql+{driver or _postgres_driver()}://{rest}"
    return StorageSpec(kind, text, shown)


def _postgres_driver() -> str:
    """psycopg2 if installed (the `postgres` extra), else psycopg 3 if installed, else psycopg2 (then missing)."""
    for module, driver in (("psycopg2", "psycopg2"), ("psycopg", "psycopg")):
        if importlib.util.find_spec(module) is not None:
            return driver
    return "psycopg2"


def adopt_sqlite_study(config: StudyConfig, journal: OpenStorage) -> int:
    """Before local workers first run a study on the study folder's journal file: copy the study from the folder's
    SQLite file `study.db` into it, if the study is there and not yet in the journal, so that they resume it.
    Returns the number of trials copied."""
    sqlite_file = config.directory / "study.db"
    if journal.spec.kind != "journal" or not sqlite_file.is_file():
        return 0
    if config.name in optuna.get_all_study_names(journal.storage):
        return 0
    source = open_storage(f"sqlite:///{sqlite_file}")
    if config.name not in optuna.get_all_study_names(source.storage):
        return 0
    optuna.copy_study(from_study_name=config.name, from_storage=source.storage, to_storage=journal.storage)
    return len(optuna.load_study(study_name=config.name, storage=journal.storage).get_trials(deepcopy=False))


def default_storage(config: StudyConfig, *, workers: int = 1) -> str:
    """The storage of a study when none is given: the study file's `storage:`; without one, the journal
    `study.log` in the study folder if it exists or several workers will run, else the SQLite `study.db` there."""
    sqlite_default = f"sqlite:///{config.directory / 'study.db'}"
    if config.storage != sqlite_default:
        return config.storage
    journal = config.directory / "study.log"
    return str(journal) if workers > 1 or journal.exists() else sqlite_default


class ClaimLock(Protocol):
    """Serialises claiming trials across the workers of one study. `release` may be called when not held."""

    def acquire(self) -> None: ...

    def release(self) -> None: ...

    def close(self) -> None: ...


class _NoLock:
    def acquire(self) -> None:
        pass

    def release(self) -> None:
        pass

    def close(self) -> None:
        pass


class _FileLock:
    """An exclusive `flock` on a file (released by the kernel if the process dies)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd: int | None = None
        self._held = False

    def acquire(self) -> None:
        import fcntl

        if self._fd is None:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        self._held = True

    def release(self) -> None:
        import fcntl

        if self._held and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            self._held = False

    def close(self) -> None:
        self.release()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class _AdvisoryLock:
    """A PostgreSQL session-level advisory lock on its own connection (released by the server if the worker dies)."""

    def __init__(self, engine: Any, key: int) -> None:
        self._engine = engine
        self._key = key
        self._conn: Any = None
        self._held = False

    def _execute(self, sql: str) -> None:
        import sqlalchemy

        if self._conn is None:
            self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._conn.execute(sqlalchemy.text(sql), {"k": self._key})

    def _reset(self) -> None:
        with contextlib.suppress(Exception):
            self._conn.close()
        self._conn = None

    def acquire(self) -> None:
        """Wait for the lock; reconnect once if the connection was lost (a server restart)."""
        import sqlalchemy

        try:
            self._execute("SELECT pg_advisory_lock(:k)")
        except sqlalchemy.exc.DBAPIError:
            self._reset()
            self._execute("SELECT pg_advisory_lock(:k)")
        self._held = True

    def release(self) -> None:
        import sqlalchemy

        if self._held:
            self._held = False
            try:
                self._execute("SELECT pg_advisory_unlock(:k)")
            except sqlalchemy.exc.DBAPIError:  # the session is gone, and its lock with it
                self._reset()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.release()
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"zigzag_opt:{name}".encode()).digest()[:8], "big", signed=True)


@dataclass(eq=False)
class OpenStorage:
    """An opened storage: the Optuna object, how it shows in messages, and its claim lock."""

    spec: StorageSpec
    storage: Any  # optuna.storages.BaseStorage
    engine: Any = None  # SQLAlchemy engine (PostgreSQL: for the advisory lock)
    lock_path: Path | None = None

    @property
    def heartbeat(self) -> bool:
        from optuna.storages._heartbeat import is_heartbeat_enabled

        return bool(is_heartbeat_enabled(self.storage))

    def claim_lock(self, study_name: str) -> ClaimLock:
        if self.spec.kind == "postgresql" and self.engine is not None:
            return _AdvisoryLock(self.engine, _lock_key(study_name))
        if self.lock_path is not None and sys.platform != "win32":
            return _FileLock(self.lock_path)
        return _NoLock()


@contextlib.contextmanager
def _quiet_experimental() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        yield


def _retry_callback(max_retry: int) -> Any:
    with _quiet_experimental():
        return optuna.storages.RetryHeartbeatStaleTrialCallback(max_retry=max_retry)


def _open_journal(spec: StorageSpec, key_path: str) -> OpenStorage:
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    path = Path(spec.target)
    if not path.parent.is_dir():
        raise InputError.one(
            "the journal file's folder does not exist",
            key_path=key_path,
            value=str(path),
            accepted="an existing folder",
        )
    return OpenStorage(spec, JournalStorage(JournalFileBackend(str(path))), lock_path=Path(f"{path}.claim"))


def _open_sqlite(spec: StorageSpec) -> OpenStorage:
    import sqlalchemy

    storage = optuna.storages.RDBStorage(spec.target, engine_kwargs={"connect_args": {"timeout": 60}})
    database = sqlalchemy.engine.make_url(spec.target).database
    lock = Path(f"{database}.claim") if database and database != ":memory:" else None
    return OpenStorage(spec, storage, engine=storage.engine, lock_path=lock)


def _open_server(spec: StorageSpec, fault: FaultTolerance) -> OpenStorage:
    """PostgreSQL or MySQL with a heartbeat. On PostgreSQL the schema is created under an advisory lock, so that
    workers starting together on an empty database do not race to create Optuna's tables."""
    import sqlalchemy

    def make() -> Any:
        with _quiet_experimental():
            return optuna.storages.RDBStorage(
                spec.target,
                engine_kwargs={"pool_pre_ping": True},
                heartbeat_interval=fault.heartbeat_interval,
                grace_period=fault.grace_period,
                heartbeat_stale_trial_callback=_retry_callback(fault.max_retry),
            )

    if spec.kind != "postgresql":
        storage = make()
        return OpenStorage(spec, storage, engine=storage.engine)
    engine = sqlalchemy.create_engine(spec.target, pool_pre_ping=True)
    schema_lock = _AdvisoryLock(engine, _lock_key("schema"))
    try:
        schema_lock.acquire()
        storage = make()
    finally:
        schema_lock.close()
    return OpenStorage(spec, storage, engine=engine)


def open_storage(url: str, *, fault: FaultTolerance | None = None, key_path: str = "storage") -> OpenStorage:
    """Open the storage a URL names (see the module docstring). Every failure is an `InputError` whose message
    shows the URL without its password (nor anywhere else the password could appear)."""
    import sqlalchemy

    spec = parse_storage(url, key_path=key_path)
    try:
        if spec.kind == "journal":
            return _open_journal(spec, key_path)
        if spec.kind == "sqlite":
            return _open_sqlite(spec)
        return _open_server(spec, fault or FaultTolerance())
    except ImportError as exc:
        raise InputError.one(
            f"the database driver for {spec.kind} is not installed",
            key_path=key_path,
            value=exc.name,
            accepted=_DRIVERS.get(spec.kind, "its SQLAlchemy driver"),
        ) from None
    except (sqlalchemy.exc.SQLAlchemyError, ValueError, OSError) as exc:
        message = redact_text(" ".join(str(exc).split()), spec.target)
        raise InputError.one(
            f"cannot open the storage {spec.display}", key_path=key_path, value=message[:500]
        ) from None


# --------------------------------------------------------------------------------------------------------------
# Counting trials
# --------------------------------------------------------------------------------------------------------------


def retried_numbers(trials: Sequence[FrozenTrial]) -> set[int]:
    """Numbers of the trials that were retried (Optuna's `retry_history` of every retry names them)."""
    return {int(n) for t in trials for n in t.system_attrs.get("retry_history", ())}


@dataclass(frozen=True, slots=True)
class Census:
    """The trials of a study, counted as the target counts them.

    finished: complete, pruned and failed trials, not counting a failed trial that was retried (its retry counts).
    held: trials that hold a slot of the target: finished + running + waiting.
    """

    finished: int
    running: int
    waiting: int
    retried: int
    total: int

    @property
    def held(self) -> int:
        return self.finished + self.running + self.waiting


def census(trials: Sequence[FrozenTrial]) -> Census:
    retried = retried_numbers(trials)
    finished = sum(1 for t in trials if t.state.is_finished() and t.number not in retried)
    running = sum(1 for t in trials if t.state == TrialState.RUNNING)
    waiting = sum(1 for t in trials if t.state == TrialState.WAITING)
    return Census(finished, running, waiting, len(retried), len(trials))


# --------------------------------------------------------------------------------------------------------------
# Workers and lost trials
# --------------------------------------------------------------------------------------------------------------


def _proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (Linux): state first, start time at [19]."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _start_ticks(pid: int) -> int | None:
    """A process's start time in clock ticks since boot (Linux), to tell a live worker from a reused pid."""
    fields = _proc_stat(pid)
    try:
        return int(fields[19]) if fields else None
    except (ValueError, IndexError):
        return None


def _pid_namespace() -> str | None:
    try:
        return os.readlink("/proc/self/ns/pid")
    except OSError:
        return None


def worker_identity() -> dict[str, Any]:
    """Who runs a trial: host, process id, process start time and pid namespace (to check it is still alive)."""
    pid = os.getpid()
    return {"host": socket.gethostname(), "pid": pid, "start": _start_ticks(pid), "pidns": _pid_namespace()}


def _alive(owner: object) -> bool | None:
    """Whether the worker process `owner` (a worker identity) still runs; None if it runs on another host."""
    if not isinstance(owner, dict) or owner.get("host") != socket.gethostname():
        return None
    if owner.get("pidns") != _pid_namespace():  # another container on this host: its pids are not ours
        return None
    pid = owner.get("pid")
    if not isinstance(pid, int):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    fields = _proc_stat(pid)
    if fields and fields[0] in ("Z", "X"):  # exited, not yet reaped by its parent
        return False
    start = owner.get("start")
    now = _start_ticks(pid)
    return not (isinstance(start, int) and now is not None and now != start)


def _age_seconds(when: datetime | None) -> float:
    if when is None:
        return 0.0
    now = datetime.now(UTC) if when.tzinfo is not None else datetime.now()
    return (now - when).total_seconds()


def _requeue(study: optuna.Study, trial_id: int, retry: Any, reason: str) -> bool:
    """Fail a trial (if still running) and queue a retry with the same parameters; False if it had finished."""
    storage = study._storage
    trial = storage.get_trial(trial_id)
    if trial.state == TrialState.RUNNING:
        try:
            if not storage.set_trial_state_values(trial_id, state=TrialState.FAIL):
                return False
        except optuna.exceptions.UpdateFinishedTrialError:
            return False
    elif trial.state != TrialState.FAIL:
        return False
    failed = copy.deepcopy(storage.get_trial(trial_id))
    attrs = {k: v for k, v in failed.system_attrs.items() if k not in (OWNER_KEY, RETRY_REASON_KEY)}
    failed.system_attrs = attrs | {RETRY_REASON_KEY: reason}  # copied onto the retry
    with _quiet_experimental():
        retry(study, failed)
    return True


def _recover(study: optuna.Study, storage: OpenStorage, fault: FaultTolerance, retry: Any) -> list[int]:
    """Under the claim lock: fail and re-queue the trials whose worker is gone. Returns their numbers.

    With a heartbeat (RDB storages) Optuna finds them (`fail_stale_trials`); otherwise a trial whose worker ran on
    this host and has exited is lost. A running trial no worker has tagged while nobody holds the lock was asked by a
    worker that died before tagging it (or by a client that is no worker): after the grace period it is lost too.
    """
    before = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))}
    if storage.heartbeat:
        with _quiet_experimental():
            optuna.storages.fail_stale_trials(study)
    lost = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        owner = t.system_attrs.get(OWNER_KEY)
        if owner is None and _age_seconds(t.datetime_start) > fault.grace_period:
            reason = "orphaned"
        elif owner is not None and not storage.heartbeat and _alive(owner) is False:
            reason = "worker gone"
        else:
            continue
        if _requeue(study, t._trial_id, retry, reason):
            lost.append(t.number)
    failed_now = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,))}
    return sorted((before & failed_now) | set(lost))


class _Claimed:
    """The objective as a worker runs it: tag the asked trial with the worker, release the claim lock, evaluate."""

    def __init__(self, objective: Callable[[optuna.Trial], Any], lock: ClaimLock, owner: dict[str, Any]) -> None:
        self.objective = objective
        self.lock = lock
        self.owner = owner
        self.trial_id: int | None = None
        self.number: int | None = None

    def __call__(self, trial: optuna.Trial) -> Any:
        self.trial_id, self.number = trial._trial_id, trial.number
        trial.study._storage.set_trial_system_attr(trial._trial_id, OWNER_KEY, self.owner)
        self.lock.release()
        return self.objective(trial)


@dataclass(frozen=True, slots=True)
class TrialRun:
    number: int
    state: str
    seconds: float
    retry_of: int | None = None


@dataclass
class WorkerResult:
    """What one worker did: the trials it ran, those it found lost and re-queued, the study at the end."""

    worker: dict[str, Any]
    ran: list[TrialRun] = field(default_factory=list)
    requeued: list[int] = field(default_factory=list)
    final: Census | None = None
    interrupted: bool = False


def _after_interrupt(study: optuna.Study, storage: OpenStorage, fault: FaultTolerance) -> optuna.Study:
    """The study through a fresh connection: after an interrupt the old one may hold an inconsistent view (Optuna's
    journal replay counts a log line as read before applying it, so an interrupt between the two loses the line
    for that process — e.g. a parameter its trial had drawn)."""
    spec = storage.spec
    try:
        with _quiet_experimental():
            if spec.kind == "journal":
                fresh = _open_journal(spec, "storage")
            elif spec.kind == "sqlite":
                fresh = _open_sqlite(spec)
            else:
                fresh = _open_server(spec, fault)
            return optuna.load_study(study_name=study.study_name, storage=fresh.storage)
    except Exception:  # cannot reconnect now: the old connection is the best there is
        return study


def _requeue_own(study: optuna.Study, claimed: _Claimed, retry: Any) -> None:
    """After an interrupt: re-queue the trial this worker was running (or had just asked for, untagged)."""
    if claimed.trial_id is not None:
        _requeue(study, claimed.trial_id, retry, "interrupted")
        return
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if OWNER_KEY not in t.system_attrs:  # we hold the claim lock: an untagged running trial is ours
            _requeue(study, t._trial_id, retry, "interrupted")


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to handle
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _run_one(
    study: optuna.Study,
    objective: Callable[[optuna.Trial], Any],
    lock: ClaimLock,
    owner: dict[str, Any],
    retry: Any,
    callbacks: Sequence[Callable[[optuna.Study, FrozenTrial], None]],
    reconnect: Callable[[], optuna.Study],
) -> TrialRun:
    claimed = _Claimed(objective, lock, owner)
    start = time.perf_counter()
    try:
        with _quiet_experimental():
            study.optimize(claimed, n_trials=1, callbacks=list(callbacks))
    except BaseException as exc:
        if not is_interrupt(exc):
            raise
        with _sigint_ignored():  # a second Ctrl-C must not stop the re-queueing
            _requeue_own(reconnect(), claimed, retry)
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise KeyboardInterrupt from exc
    assert claimed.trial_id is not None  # optimize asked a trial and called the objective
    frozen = study._storage.get_trial(claimed.trial_id)
    history = frozen.system_attrs.get("retry_history") or [None]
    return TrialRun(frozen.number, frozen.state.name.lower(), time.perf_counter() - start, history[0])


def work(
    study: optuna.Study,
    objective: Callable[[optuna.Trial], Any],
    *,
    target: int,
    storage: OpenStorage,
    fault: FaultTolerance | None = None,
    callbacks: Sequence[Callable[[optuna.Study, FrozenTrial], None]] = (),
    on_trial: Callable[[TrialRun], None] | None = None,
) -> WorkerResult:
    """Run trials of `study` until `target` trials have finished and none is running or queued (see the module
    docstring). Safe to run in any number of processes and machines at once against the same storage."""
    fault = fault or FaultTolerance()
    _INTERRUPT_REQUESTED.clear()  # an interrupt handled before this run is not this run's
    lock = storage.claim_lock(study.study_name)
    retry = _retry_callback(fault.max_retry)
    result = WorkerResult(worker_identity())

    def reconnect() -> optuna.Study:
        return _after_interrupt(study, storage, fault)

    checked = -math.inf  # lost trials are looked for at most every poll interval (they wait a grace period anyway)
    try:
        while True:
            lock.acquire()
            try:
                if time.monotonic() - checked >= fault.poll_interval:
                    result.requeued += _recover(study, storage, fault, retry)
                    checked = time.monotonic()
                now = census(study.get_trials(deepcopy=False))
                if now.waiting or now.held < target:
                    run = _run_one(study, objective, lock, result.worker, retry, callbacks, reconnect)
                    result.ran.append(run)
                    if on_trial is not None:
                        on_trial(run)
                    continue
            finally:
                lock.release()
            if not (now.running or now.waiting):
                result.final = now
                return result
            time.sleep(fault.poll_interval)
    except BaseException as exc:
        if not is_interrupt(exc):
            raise
        result.interrupted = True
        with _sigint_ignored():
            result.final = census(study.get_trials(deepcopy=False))
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise KeyboardInterrupt from exc
    finally:
        lock.close()


# --------------------------------------------------------------------------------------------------------------
# A worker on a study file
# --------------------------------------------------------------------------------------------------------------


def _derived_seed(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256(repr(parts).encode()).digest()[:4], "big")


def run_worker(
    config: StudyConfig,
    *,
    storage: OpenStorage,
    n_trials: int | None = None,
    sampler: str | None = None,
    seed: int | None = None,
    fault: FaultTolerance | None = None,
    artifacts: bool = True,
    unique_seed: bool = True,
    on_trial: Callable[[TrialRun], None] | None = None,
    callbacks: Sequence[Callable[[optuna.Study, FrozenTrial], None]] = (),
) -> tuple[optuna.Study, WorkerResult]:
    """One worker on the study a study file describes, until the study holds its target count of trials.

    The sampler is seeded with the study's seed when this is the only worker (`unique_seed=False`) of a fresh study
    (reproducible); else with a seed derived from it, the number of trials so far and, with `unique_seed`, this
    process — so that workers started together do not propose the same designs.
    """
    inputs = load_inputs(config)
    base_seed = config.seed if seed is None else seed
    study = open_study(config, storage=storage.storage, sampler=sampler, seed=base_seed, hashes=inputs.hashes)
    so_far = len(study.get_trials(deepcopy=False))
    if unique_seed or so_far:
        who = (socket.gethostname(), os.getpid(), time.time_ns()) if unique_seed else ()
        name = sampler or config.sampler
        args = config.sampler_args if name == config.sampler else {}
        study.sampler = make_sampler(name, args, _derived_seed(base_seed, so_far, *who), len(config.objectives))
    objective = build_objective(inputs, artifacts=artifacts)
    target = config.n_trials if n_trials is None else n_trials
    result = work(study, objective, target=target, storage=storage, fault=fault, callbacks=callbacks, on_trial=on_trial)
    return study, result


_INTERRUPT_REQUESTED = threading.Event()


def sigterm_as_interrupt() -> None:
    """Make SIGTERM (Slurm preemption, `kubectl delete`, `docker stop`) interrupt like Ctrl-C, so the running trial
    is re-queued at once instead of after the heartbeat grace period. Both signals also raise a flag that
    `is_interrupt` reads."""

    def handler(signum: int, frame: FrameType | None) -> None:
        _INTERRUPT_REQUESTED.set()
        raise KeyboardInterrupt

    with contextlib.suppress(ValueError):  # not in the main thread
        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)


def is_interrupt(exc: BaseException) -> bool:
    """An interrupt, or an error one caused: an interrupt landing inside a storage call can surface as that call's
    error instead (Optuna's journal-file lock, interrupted between its rename and unlink, raises FileNotFoundError)."""
    return isinstance(exc, KeyboardInterrupt) or _INTERRUPT_REQUESTED.is_set()


# --------------------------------------------------------------------------------------------------------------
# Local worker processes (`zigzag-opt tune --workers N`)
# --------------------------------------------------------------------------------------------------------------


@dataclass
class LocalRun:
    """Exit codes of the worker processes and the study's trials at the end."""

    exit_codes: list[int]
    final: Census
    interrupted: bool = False


def study_census(storage: OpenStorage, name: str) -> Census:
    """The census of the study `name` in `storage` (all zero if there is no such study yet)."""
    try:
        study = optuna.load_study(study_name=name, storage=storage.storage)
    except KeyError:
        return Census(0, 0, 0, 0, 0)
    return census(study.get_trials(deepcopy=False))


def _stop(procs: Sequence[subprocess.Popen[bytes]], timeout: float) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    deadline = time.monotonic() + timeout
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def run_local_workers(
    study_file: str | Path,
    config: StudyConfig,
    *,
    workers: int,
    storage_url: str,
    worker_args: Sequence[str] = (),
    fault: FaultTolerance | None = None,
    progress: Callable[[Census], None] | None = None,
) -> LocalRun:
    """Start `workers` processes of `zigzag-opt worker` on one study and wait for them.

    The storage URL reaches them through the environment (`ZIGZAG_OPT_STORAGE`), not their command line, so a
    password does not show in `ps`. Each runs in its own session; an interrupt of this process (SIGINT/SIGTERM) is
    passed on to each of them once, and each re-queues its running trial before it exits.
    """
    fault = fault or FaultTolerance()
    storage = open_storage(storage_url, fault=fault)
    inputs = load_inputs(config)  # one clear error here rather than one per worker
    open_study(config, storage=storage.storage, hashes=inputs.hashes)
    env = dict(os.environ)
    env[STORAGE_ENV] = storage_url
    env.setdefault("OMP_NUM_THREADS", "1")
    command = [sys.executable, "-m", "zigzag_opt.cli", "worker", str(study_file), "--quiet", *worker_args]
    command += ["--heartbeat", str(fault.heartbeat_interval), "--grace-period", str(fault.grace_period)]
    command += ["--max-retry", str(fault.max_retry), "--poll", str(fault.poll_interval)]
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(workers):
            procs.append(subprocess.Popen(command, env=env, start_new_session=True))
        while any(p.poll() is None for p in procs):
            if progress is not None:
                progress(study_census(storage, config.name))
            time.sleep(1.0)
    except KeyboardInterrupt:
        _stop(procs, timeout=max(30.0, 3 * fault.poll_interval))
        return LocalRun([p.returncode for p in procs], study_census(storage, config.name), interrupted=True)
    final = study_census(storage, config.name)
    if progress is not None:
        progress(final)
    return LocalRun([p.returncode for p in procs], final)
