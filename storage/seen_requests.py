"""Data access for the replay guard.

Core statements on a bare connection (Database.connection): this runs on
every request, where an ORM session's bookkeeping is pure cost.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.models import SeenRequest

_TABLE = SeenRequest.__table__


def record_request(connection: Connection, signature: str, seen_at: datetime) -> bool:
    """True the first time a signature is seen, False for a replay."""
    insert = postgres_insert if connection.dialect.name == "postgresql" else sqlite_insert
    # RETURNING says whether the row went in; rowcount is not reliable for
    # upserts on every driver.
    return connection.execute(
        insert(_TABLE)
        .values(signature=signature, seen_at=seen_at)
        .on_conflict_do_nothing()
        .returning(_TABLE.c.signature)
    ).first() is not None


def forget_requests(connection: Connection, *, seen_before: datetime) -> int:
    """Remove signatures older than a moment; returns how many."""
    return connection.execute(delete(_TABLE).where(_TABLE.c.seen_at < seen_before)).rowcount
