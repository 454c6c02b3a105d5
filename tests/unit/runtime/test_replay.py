"""The replay guard: each signature is handled once, and signatures old
enough that Slack's timestamp check refuses them anyway are forgotten."""

import time

from sqlalchemy import func, select

from bot.runtime.replay import KEEP, PURGE_EVERY, ReplayGuard
from storage.models import SeenRequest
from storage.seen_requests import seen_requests_database


class Ticks:
    """An injectable monotonic clock, in seconds."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def stored(db) -> set[str]:
    with seen_requests_database(db).read() as session:
        return set(session.scalars(select(SeenRequest.signature)))


def test_a_signature_is_first_once(db):
    guard = ReplayGuard(db)
    now = str(int(time.time()))
    assert guard.is_first_delivery("v0=aaa", now) is True
    assert guard.is_first_delivery("v0=aaa", now) is False
    assert guard.is_first_delivery("v0=bbb", now) is True


def test_the_guard_is_shared_by_every_instance(db):
    now = str(int(time.time()))
    assert ReplayGuard(db).is_first_delivery("v0=aaa", now) is True
    assert ReplayGuard(db).is_first_delivery("v0=aaa", now) is False


def test_a_timestamp_that_is_not_a_number_is_refused(db):
    assert ReplayGuard(db).is_first_delivery("v0=aaa", "yesterday") is False
    assert stored(db) == set()


def test_old_signatures_are_forgotten_within_a_minute(db):
    ticks = Ticks()
    guard = ReplayGuard(db, monotonic=ticks)
    start = int(time.time()) - 3600
    guard.is_first_delivery("v0=old", str(start))
    later = start + int(KEEP.total_seconds()) + 60

    guard.is_first_delivery("v0=new", str(later))
    ticks.now += PURGE_EVERY
    guard.is_first_delivery("v0=newer", str(later))

    assert stored(db) == {"v0=new", "v0=newer"}


def test_forgetting_does_not_run_on_every_request(db):
    ticks = Ticks()
    guard = ReplayGuard(db, monotonic=ticks)
    start = int(time.time()) - 3600
    guard.is_first_delivery("v0=first", str(start))  # the first request purges (nothing yet)
    guard.is_first_delivery("v0=old", str(start))
    ticks.now += PURGE_EVERY / 2
    guard.is_first_delivery("v0=new", str(start + int(KEEP.total_seconds()) + 60))
    with seen_requests_database(db).read() as session:
        assert session.scalar(select(func.count()).select_from(SeenRequest)) == 3


def test_the_guard_works_on_a_connection_checked_after_idling(db, monkeypatch):
    # Checking a connection that sat idle (storage/db.py) leaves its SELECT 1's
    # transaction open on PostgreSQL; the guard's own statement commits on its own.
    import storage.db

    monkeypatch.setattr(storage.db, "PING_AFTER_IDLE_SECONDS", 0.0)
    guard = ReplayGuard(db)
    now = str(int(time.time()))
    for signature in ("v0=one", "v0=two", "v0=three"):
        assert guard.is_first_delivery(signature, now) is True
    assert guard.is_first_delivery("v0=two", now) is False
    assert stored(db) == {"v0=one", "v0=two", "v0=three"}


def test_on_an_sqlite_file_the_guard_writes_to_a_file_of_its_own(sqlite_url, tmp_path):
    # SQLite has one writer at a time per file: the guard's write before
    # every ack must not queue behind the sign-ups' transactions.
    from storage.db import Database

    db = Database(sqlite_url)
    try:
        guard = ReplayGuard(db)
        assert guard.is_first_delivery("v0=aaa", str(int(time.time()))) is True
        assert (tmp_path / "meetup.db.replay-guard").exists()
        with db.read() as session:  # the database's own table stays empty
            assert session.scalar(select(func.count()).select_from(SeenRequest)) == 0
        # A second server process, starting at the same time, finds the table made.
        other = Database(sqlite_url)
        try:
            assert ReplayGuard(other).is_first_delivery("v0=aaa", str(int(time.time()))) is False
        finally:
            other.dispose()
    finally:
        db.dispose()


def test_signatures_kept_in_the_sqlite_database_before_an_upgrade_are_moved_and_still_refused(sqlite_url):
    from datetime import UTC, datetime

    from storage.db import Database

    db = Database(sqlite_url)
    try:
        now = int(time.time())
        with db.transaction() as session:  # as the version before this one kept them
            session.add(SeenRequest(signature="v0=captured", seen_at=datetime.fromtimestamp(now, tz=UTC)))
        guard = ReplayGuard(db)
        assert guard.is_first_delivery("v0=captured", str(now)) is False
        with db.read() as session:
            assert session.scalar(select(func.count()).select_from(SeenRequest)) == 0
    finally:
        db.dispose()


def test_on_postgresql_the_guard_writes_to_the_database_itself(db):
    # PostgreSQL writes rows in parallel; only SQLite needs a file of its own.
    ReplayGuard(db).is_first_delivery("v0=aaa", str(int(time.time())))
    with db.read() as session:
        in_the_database = session.scalar(select(func.count()).select_from(SeenRequest))
    assert in_the_database == (1 if db.is_postgres else 0)


def test_sqlite_in_memory_has_no_file_to_put_beside():
    from storage.db import Database

    db = Database("sqlite://")
    try:
        assert seen_requests_database(db) is db
    finally:
        db.dispose()
