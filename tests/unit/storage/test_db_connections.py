"""PostgreSQL connections that a failover or a load balancer dropped while
they sat in the pool are replaced before use, not handed to a request."""

import pytest
from sqlalchemy import exc, text

import storage.db
from storage.db import Database
from tests.support.pg import postgres_url

pytestmark = pytest.mark.postgres


def backend_pid(db: Database) -> int:
    with db.read() as session:
        return session.execute(text("SELECT pg_backend_pid()")).scalar_one()


def drop_pooled_connection(pg_cluster, url: str) -> tuple[Database, int]:
    db = Database(url)
    pid = backend_pid(db)  # the pool keeps this connection
    other = Database(url)
    with other.connection() as connection:
        # Waits (up to 5 s) until the backend has gone.
        connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    other.dispose()
    return db, pid


def test_a_connection_dropped_while_idle_is_replaced(pg_cluster, monkeypatch):
    db, dropped = drop_pooled_connection(pg_cluster, postgres_url(pg_cluster))
    monkeypatch.setattr(storage.db, "PING_AFTER_IDLE_SECONDS", 0.0)
    try:
        assert backend_pid(db) != dropped
    finally:
        db.dispose()


def test_a_connection_used_a_moment_ago_is_not_checked_first(pg_cluster, monkeypatch):
    # The other side of the trade: without the idle check, the dropped
    # connection reaches the caller. This shows the check above is what helps.
    db, _ = drop_pooled_connection(pg_cluster, postgres_url(pg_cluster))
    monkeypatch.setattr(storage.db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    try:
        with pytest.raises(exc.OperationalError):
            backend_pid(db)
    finally:
        db.dispose()
