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


# Built once: this runs on every request.
_RECORD = {
    dialect: insert(_TABLE).on_conflict_do_nothing().returning(_TABLE.c.signature)
    for dialect, insert in (("postgresql", postgres_insert), ("sqlite", sqlite_insert))
}


def record_request(connection: Connection, signature: str, seen_at: datetime) -> bool:
    """True the first time a signature is seen, False for a replay."""
    # RETURNING says whether the row went in; rowcount is not reliable for
    # upserts on every driver.
    added = connection.execute(_RECORD[connection.dialect.name], {"signature": signature, "seen_at": seen_at})
    return added.first() is not None


def forget_requests(connection: Connection, *, seen_before: datetime) -> int:
    """Remove signatures older than a moment; returns how many."""
    return connection.execute(delete(_TABLE).where(_TABLE.c.seen_at < seen_before)).rowcount
