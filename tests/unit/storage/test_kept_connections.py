"""The driver connections kept for single statements on hot paths
(Database.single_write, single_read): bounded, reused, and never reused
after a failure or a long idle."""

import sqlite3
import threading
from datetime import UTC, datetime

import psycopg
import pytest

import storage.db
from storage.db import Database
from storage.driver_sql import to_driver_time


def test_a_thread_waits_for_a_kept_connection_rather_than_opening_more(db, monkeypatch):
    monkeypatch.setattr(storage.db._KeptConnections, "LIMIT", 2)
    got_third = threading.Event()
    with db.single_read(), db.single_read():
        third = threading.Thread(target=lambda: _take_and_signal(db, got_third))
        third.start()
        assert not got_third.wait(0.3), "a third connection was opened beyond the limit"
    assert got_third.wait(5)
    third.join()
    assert db._kept._open == 2


def _take_and_signal(db: Database, event: threading.Event) -> None:
    with db.single_read():
        event.set()


def test_a_connection_whose_statement_failed_is_not_reused(db):
    with db.single_read() as first:
        pass
    with pytest.raises((sqlite3.Error, psycopg.Error)), db.single_read() as failing:
        assert failing is first
        failing.execute("SELECT no_such_column FROM meetups")
    with db.single_read() as after:
        assert after is not first
    assert db._kept._open == 1


def test_a_connection_idle_too_long_is_replaced(db, monkeypatch):
    with db.single_read() as first:
        pass
    monkeypatch.setattr(storage.db, "PING_AFTER_IDLE_SECONDS", 0.0)
    with db.single_read() as after:
        assert after is not first
    assert db._kept._open == 1


def test_the_replay_guard_sees_a_write_at_once(db):
    # Each statement commits on its own: the next reader sees it.
    table = "seen_requests"
    with db.single_write() as connection:
        placeholder = "?" if not db.is_postgres else "%s"
        connection.execute(
            f"INSERT INTO {table} (signature, seen_at) VALUES ({placeholder}, {placeholder})",
            ("v0=kept", to_driver_time(db.engine.dialect.name, datetime.now(UTC))),
        )
    with db.single_read() as connection:
        cursor = connection.execute(f"SELECT count(*) FROM {table}")
        assert cursor.fetchone()[0] == 1
