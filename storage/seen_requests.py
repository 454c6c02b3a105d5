"""Data access for the replay guard."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import SeenRequest


def record_request(session: Session, signature: str, seen_at: datetime, *, keep: timedelta) -> bool:
    """True the first time a signature is seen, False for a replay.

    Also forgets signatures older than `keep`: Slack refuses to sign for a
    timestamp that old, so a replay of them fails the timestamp check anyway.
    """
    insert = postgres_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    # RETURNING says whether the row went in; rowcount is not reliable
    # through the ORM on every driver.
    first = session.execute(
        insert(SeenRequest)
        .values(signature=signature, seen_at=seen_at)
        .on_conflict_do_nothing()
        .returning(SeenRequest.signature)
    ).first() is not None
    session.execute(delete(SeenRequest).where(SeenRequest.seen_at < seen_at - keep))
    return first
