"""Data access for the replay guard.

Core statements on a bare connection (Database.connection): this runs on
every request, where an ORM session's bookkeeping is pure cost.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, delete, inspect, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.schema import CreateIndex, CreateTable

from storage.db import Database
from storage.driver_sql import per_driver, to_driver_time
from storage.models import SeenRequest
from storage.upserts import for_each_dialect

_TABLE = cast(Table, SeenRequest.__table__)  # declarative types it as any FromClause


# A file of its own beside an SQLite database (Database.beside).
SQLITE_FILE_SUFFIX = ".replay-guard"


def seen_requests_database(db: Database) -> Database:
    """Where the replay guard keeps its signatures. On an SQLite file, a file
    of its own beside the database, whose table is made here if it is not
    there yet: the guard writes before every ack, and in the database's own
    file it queued behind every sign-up's transaction for SQLite's one
    writer. Elsewhere, the database itself (PostgreSQL writes rows in
    parallel), whose migrations made the table."""
    store = db.beside(SQLITE_FILE_SUFFIX)
    if store is not db:
        # IF NOT EXISTS: several server processes may start at once.
        with store.engine.begin() as connection:
            connection.execute(CreateTable(_TABLE, if_not_exists=True))
            for index in _TABLE.indexes:
                connection.execute(CreateIndex(index, if_not_exists=True))
        _move_rows(db, store)
    return store


def _move_rows(db: Database, store: Database) -> None:
    """Signatures a version before this one kept in the database itself:
    moved, so a request captured just before an upgrade is still refused,
    and so nothing is left there that no purge would reach."""
    if not inspect(db.engine).has_table(_TABLE.name):  # not migrated: nothing kept
        return
    with db.connection() as connection:
        rows = [row._asdict() for row in connection.execute(select(_TABLE))]
        if rows:
            with store.connection() as into:
                into.execute(sqlite_insert(_TABLE).on_conflict_do_nothing(), rows)
            connection.execute(delete(_TABLE))


# Built once: this runs on every request.
_RECORD = for_each_dialect(lambda insert: insert(_TABLE).on_conflict_do_nothing().returning(_TABLE.c.signature))


def record_request(connection: Connection, signature: str, seen_at: datetime) -> bool:
    """True the first time a signature is seen, False for a replay."""
    # RETURNING says whether the row went in; rowcount is not reliable for
    # upserts on every driver.
    added = connection.execute(_RECORD[connection.dialect.name], {"signature": signature, "seen_at": seen_at})
    return added.first() is not None


# The same insert as driver SQL, for Database.single_write.
_RECORD_SQL = per_driver(
    "INSERT INTO seen_requests (signature, seen_at) VALUES ({0}, {0}) ON CONFLICT DO NOTHING RETURNING signature"
)


def record_request_directly(driver_connection, dialect: str, signature: str, seen_at: datetime) -> bool:
    """record_request on a driver connection that commits each statement."""
    cursor = driver_connection.execute(_RECORD_SQL[dialect], (signature, to_driver_time(dialect, seen_at)))
    try:
        # All of it: SQLite commits once the statement has run to its end.
        return bool(cursor.fetchall())
    finally:
        cursor.close()


def forget_requests(connection: Connection, *, seen_before: datetime) -> int:
    """Remove signatures older than a moment; returns how many."""
    return connection.execute(delete(_TABLE).where(_TABLE.c.seen_at < seen_before)).rowcount
