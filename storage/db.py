"""Engines and the one place where transactions commit or roll back."""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event, exc, text
from sqlalchemy.orm import Session, sessionmaker

from storage.stale_homes import watch_registrations

# Each SQLite engine's queue of writers, for single statements that bypass
# SQLAlchemy's transactions (Database.single_write).
_WRITER_QUEUES: WeakKeyDictionary[Engine, _WriterQueue] = WeakKeyDictionary()

_READ_ONLY = "meetup_read_only"
_HOLDS_WRITE_LOCK = "meetup_holds_write_lock"
_SQLITE_BUSY_SECONDS = 30


# A pooled connection idle longer than this is checked before use.
PING_AFTER_IDLE_SECONDS = 30.0


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    # hide_parameters: an error's message then leaves out the statement's
    # values (names, dietary and access needs), which Bolt would otherwise
    # log when a listener fails.
    engine = create_engine(url, pool_size=10, max_overflow=10, hide_parameters=True)

    # A load balancer or a failover may drop connections that sit idle: check
    # one that has, and the pool replaces it if it is gone. Not on every
    # checkout (pool_pre_ping): under load that is a round trip more for each
    # unit of work, on connections used a moment ago.
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check_idle(dbapi_connection, record, _proxy):
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool reconnects this one and, as after a failover the others
            # are gone too, replaces every connection opened before now.
            raise exc.InvalidatePoolError() from error

    return engine


def _sqlite_engine(url: str) -> Engine:
    # timeout is the busy timeout: a writer waits for the lock instead of failing.
    engine = create_engine(
        url, connect_args={"timeout": _SQLITE_BUSY_SECONDS, "check_same_thread": False}, hide_parameters=True
    )
    _create_private(engine.url.database)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, decide when transactions start, so we
        # can start them with BEGIN IMMEDIATE below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets readers carry on while one writer writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_SECONDS * 1000}")
        cursor.close()

    write_lock = _WriterQueue(engine.url.database)
    _WRITER_QUEUES[engine] = write_lock

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Take the write lock at the start of every unit of work. A deferred
        # BEGIN would let two sign-ups both read "9 confirmed" and both take the
        # last place; IMMEDIATE makes the second wait until the first commits.
        # Read-only work (Database.read) needs no lock: WAL readers never wait.
        # BEGIN goes straight to the driver: through exec_driver_sql it cost
        # more CPU than most of the statements it begins (docs/performance.md).
        driver = connection.connection.driver_connection
        if connection.get_execution_options().get(_READ_ONLY):
            driver.execute("BEGIN")
            return
        # Writers queue on a lock of our own first. SQLite's busy handler
        # polls with growing sleeps (up to 100 ms) however soon the lock
        # frees, so under load most of a writer's wait was sleep; a writer
        # waiting on this lock wakes the moment it is released.
        if not connection.info.get(_HOLDS_WRITE_LOCK):
            if not write_lock.acquire(timeout=_SQLITE_BUSY_SECONDS):
                raise TimeoutError("waited too long for this process's other SQLite writers")
            connection.info[_HOLDS_WRITE_LOCK] = True
        driver.execute("BEGIN IMMEDIATE")

    # Released when the connection goes back to the pool, which is after
    # its COMMIT or ROLLBACK (SQLAlchemy's commit and rollback events come
    # before them), and also after an error.
    @event.listens_for(engine, "checkin")
    @event.listens_for(engine, "invalidate")
    def _release(_dbapi_connection, record, *_args):
        if record.info.pop(_HOLDS_WRITE_LOCK, False):
            write_lock.release()

    @event.listens_for(engine, "engine_disposed")
    def _close(_engine):
        write_lock.close()

    return engine


def _create_private(database: str | None) -> None:
    """Create the database file readable by its owner only (0600), as the
    lock file beside it is: it holds names, emails and dietary and access
    needs, and SQLite would otherwise create it with the umask (often 0644,
    readable by every local user). Its -wal and -shm files take the same
    mode from it. A file that already exists is left as it is."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        fd = os.open(database, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except OSError:  # it exists, or its folder does not: SQLite says so when it connects
        return
    os.close(fd)


class _WriterQueue:
    """One writer at a time: threads of this process queue on a threading
    lock, and processes sharing the database file (WEB_CONCURRENCY) on an
    flock of a file beside it. Both wake a waiter as soon as they are free."""

    def __init__(self, database: str | None):
        in_memory = not database or database == ":memory:" or database.startswith("file::memory:")
        self._path = None if in_memory else f"{database}.writer-lock"
        self._threads = threading.Lock()
        self._fd: int | None = None
        self._pid = 0

    def acquire(self, timeout: float) -> bool:
        if not self._threads.acquire(timeout=timeout):
            return False
        try:
            if self._path is not None:
                # Blocks until the other process's transaction ends; the
                # kernel releases it if that process dies.
                fcntl.flock(self._file(self._path), fcntl.LOCK_EX)
        except BaseException:
            self._threads.release()
            raise
        return True

    def release(self) -> None:
        try:
            if self._path is not None:
                fcntl.flock(self._file(self._path), fcntl.LOCK_UN)
        finally:
            self._threads.release()

    def close(self) -> None:
        with self._threads:
            if self._fd is not None and self._pid == os.getpid():
                os.close(self._fd)
            self._fd = None

    def _file(self, path: str) -> int:
        # Opened in each process: a descriptor inherited across fork would
        # share its lock with the parent's.
        if self._fd is None or self._pid != os.getpid():
            self._fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            self._pid = os.getpid()
        return self._fd


class _KeptConnections:
    """Driver connections in autocommit, kept apart from SQLAlchemy's pool
    for Database.single_write and single_read: at most LIMIT open in a
    process, and a thread wanting one more waits for one to come back (each
    is held for one statement). Each comes from the engine, so SQLite's
    connect settings (_sqlite_engine) apply. One idle longer than
    PING_AFTER_IDLE_SECONDS is closed and replaced rather than trusted, as
    a load balancer may have dropped it (make_engine)."""

    LIMIT = 8

    def __init__(self, engine: Engine):
        self._engine = engine
        self._free = threading.Condition()
        self._idle: list[tuple[Any, float]] = []
        self._open = 0
        self._pid = os.getpid()

    def take(self) -> Any:
        with self._free:
            if self._pid != os.getpid():
                # Forked: the parent's connections are the parent's, never closed here.
                self._idle, self._open, self._pid = [], 0, os.getpid()
            if not self._free.wait_for(lambda: self._idle or self._open < self.LIMIT, timeout=_SQLITE_BUSY_SECONDS):
                raise TimeoutError("waited too long for a database connection")
            while self._idle:
                driver, since = self._idle.pop()
                if time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
                    return driver
                self._open -= 1
                _close_quietly(driver)
            self._open += 1
        try:
            return self._connect()
        except BaseException:
            self._gone()
            raise

    def _connect(self) -> Any:
        raw = self._engine.raw_connection()
        new: Any = raw.driver_connection
        # Out of the pool for good: the pool neither counts nor resets it.
        raw.detach()
        if self._engine.dialect.name == "postgresql":  # SQLite's are in autocommit already (_on_connect)
            new.rollback()
            new.autocommit = True
            # The replay guard's row need not wait for the disk before the
            # ack: a crash of PostgreSQL could lose the last moment's rows,
            # letting a request captured in that moment through once within
            # Slack's 5 minutes. Every change of data commits durably, in
            # transaction(), on other connections.
            new.execute("SET synchronous_commit TO off")
        return new

    def give_back(self, driver: Any) -> None:
        with self._free:
            if self._pid == os.getpid():
                self._idle.append((driver, time.monotonic()))
                self._free.notify()
                return
        _close_quietly(driver)

    def discard(self, driver: Any) -> None:
        _close_quietly(driver)
        self._gone()

    def _gone(self) -> None:
        with self._free:
            if self._pid == os.getpid():
                self._open -= 1
                self._free.notify()

    def close(self) -> None:
        with self._free:
            idle, self._idle = self._idle, []
            mine = self._pid == os.getpid()
            if mine:
                self._open -= len(idle)
        for driver, _ in idle if mine else []:
            _close_quietly(driver)


def _close_quietly(driver: Any) -> None:
    with contextlib.suppress(Exception):  # already gone: nothing to release
        driver.close()


class Database:
    """An engine plus its session factory."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # A registration's new status marks the person's Home tab out of date.
        watch_registrations(self._sessions)
        # At PostgreSQL's default isolation (READ COMMITTED) each statement
        # has its own snapshot even inside a transaction, so a read needs no
        # transaction around it: autocommit saves the BEGIN and ROLLBACK round
        # trips. (A server configured for REPEATABLE READ would lose the one
        # snapshot across a read's statements.) SQLite's read transaction does
        # keep one snapshot, and costs no round trip.
        self._autocommit_on_postgres = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT") if self.is_postgres else self.engine
        )
        self._read_only = self._autocommit_on_postgres.execution_options(**{_READ_ONLY: True})
        self._read_sessions = sessionmaker(self._read_only, expire_on_commit=False)
        self._kept = _KeptConnections(self.engine)
        self._beside: dict[str, Database] = {}
        self._beside_lock = threading.Lock()

    def beside(self, suffix: str) -> Database:
        """For an SQLite file, a database in a file of its own beside it
        (its name and `suffix`), made once and disposed with this one; for
        any other database, this one. SQLite lets one writer at a time into
        a file, so a table written before every ack queues behind every
        sign-up's transaction if it shares theirs (docs/performance.md)."""
        database = self.engine.url.database
        # A URI names a file its own way (or memory): keep to one database.
        if self.is_postgres or not database or database == ":memory:" or database.startswith("file:"):
            return self
        with self._beside_lock:
            if suffix not in self._beside:
                url = self.engine.url.set(database=f"{database}{suffix}")
                self._beside[suffix] = Database(url.render_as_string(hide_password=False))
            return self._beside[suffix]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commit when the block ends, roll back if it raises."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A bare connection, without an ORM session, for single statements
        on hot paths (the replay guard, the outbox recording a send): each
        commits on its own on PostgreSQL (no BEGIN and COMMIT round trips); on
        SQLite the block is one write transaction, which queues for the lock.
        Statements that must succeed or fail together belong in transaction()."""
        with self._autocommit_on_postgres.begin() as connection:
            yield connection

    @contextmanager
    def single_write(self) -> Iterator[Any]:
        """A driver connection (DBAPI) on which each statement commits on
        its own, for the one statement run before every ack (the replay
        guard). It is one of a few kept apart from SQLAlchemy's pool: the
        pool's checkout and checkin, and SQLAlchemy's connection, transaction
        and events, cost more CPU than the statement itself under a rush
        (docs/performance.md). On SQLite it holds the queue of writers, as
        transaction() does."""
        queue = _WRITER_QUEUES.get(self.engine)
        # The lock first, then the connection: a kept connection is only
        # ever held for one statement by a thread that waits for nothing
        # else, so whoever holds the lock always gets one.
        if queue is not None and not queue.acquire(timeout=_SQLITE_BUSY_SECONDS):
            raise TimeoutError("waited too long for this process's other SQLite writers")
        try:
            with self.single_read() as driver:
                yield driver
        finally:
            if queue is not None:
                queue.release()

    @contextmanager
    def single_read(self) -> Iterator[Any]:
        """A driver connection (DBAPI) in autocommit, of those kept for
        single_write, for one read on a hot path (before the sign-up form;
        the outbox's look for due messages, and its check before each):
        one statement sees one snapshot, and never holds SQLite's write
        lock. One that fails is closed, as its state is unknown (a dropped
        connection)."""
        driver = self._kept.take()
        try:
            yield driver
        except BaseException:
            self._kept.discard(driver)
            raise
        self._kept.give_back(driver)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """Work that only reads: never holds SQLite's write lock."""
        session = self._read_sessions()
        try:
            yield session
        finally:
            # close() (not rollback()) ends the transaction without expiring
            # the objects read, so callers can still use them.
            session.close()

    def ping(self) -> None:
        with self.read() as session:
            session.execute(text("SELECT 1"))

    def dispose(self) -> None:
        for other in self._beside.values():
            other.dispose()
        self._kept.close()
        self.engine.dispose()


def rowcount(result: Result) -> int:
    """How many rows an UPDATE or DELETE run by Session.execute changed. Such a
    statement's result is a CursorResult, but Session.execute is typed to
    return any Result, which has no rowcount."""
    return cast(CursorResult, result).rowcount


Row = TypeVar("Row")


def added(session: Session, row: Row) -> Row:
    """Add a new row and flush, so its id and defaults are set for the caller."""
    session.add(row)
    session.flush()
    return row
