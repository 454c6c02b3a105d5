"""SQLite writers in one process queue on a lock of their own before SQLite's
(storage/db.py): it must always be released, and never block readers."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import SeenRequest
from storage.seen_requests import record_request

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def sqlite_db(sqlite_url):
    database = Database(sqlite_url)
    yield database
    database.dispose()


def count(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(SeenRequest))


def test_a_write_that_fails_lets_the_next_one_in(sqlite_db):
    with pytest.raises(ValueError), sqlite_db.transaction() as session:
        session.add(SeenRequest(signature="v0=first", seen_at=NOW))
        session.flush()
        raise ValueError("something went wrong mid-way")
    with pytest.raises(RuntimeError), sqlite_db.connection() as connection:
        record_request(connection, "v0=rolled-back", NOW)
        raise RuntimeError("and again")
    with sqlite_db.transaction() as session:
        session.add(SeenRequest(signature="v0=second", seen_at=NOW))
    assert count(sqlite_db) == 1


def test_fifty_writers_at_once_all_write(sqlite_db):
    def write(n):
        with sqlite_db.connection() as connection:
            return record_request(connection, f"v0={n}", NOW)

    with ThreadPoolExecutor(max_workers=50) as pool:
        assert all(pool.map(write, range(50)))
    assert count(sqlite_db) == 50


def test_a_reader_does_not_wait_for_a_writer(sqlite_db):
    writing, done = threading.Event(), threading.Event()

    def hold_a_write():
        with sqlite_db.transaction() as session:
            session.add(SeenRequest(signature="v0=held", seen_at=NOW))
            session.flush()
            writing.set()
            done.wait(timeout=30)

    writer = threading.Thread(target=hold_a_write)
    writer.start()
    try:
        assert writing.wait(timeout=10)
        assert count(sqlite_db) == 0  # read while the write is open: not blocked, not seen
    finally:
        done.set()
        writer.join()
    assert count(sqlite_db) == 1
