"""Whose Home tab is out of date. The session records it as it flushes a
registration's new status, so it is written in the same transaction as the
change, whichever rule made it (sign-up, cancellation, a promotion, an
approval); the worker reads and clears it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, CursorResult, delete, event, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Registration, StaleHome, utcnow
from storage.upserts import for_each_dialect

_TABLE = StaleHome.__table__


def watch_registrations(sessions: sessionmaker) -> None:
    """Called once for each Database's writing sessions."""
    event.listen(sessions, "before_flush", _record_changes)


def _record_changes(session: Session, _flush_context, _instances) -> None:
    people = {r.slack_user_id for r in session.new if isinstance(r, Registration)}
    people |= {
        r.slack_user_id
        for r in session.dirty
        if isinstance(r, Registration) and inspect(r).attrs.status.history.has_changes()
    }
    if people:
        # The session's own connection: the rows go with the change, or not at all.
        mark_stale(session.connection(), people, now=utcnow())


def _mark(insert):
    statement = insert(_TABLE)
    return statement.on_conflict_do_update(
        index_elements=["slack_user_id"],
        set_={
            "changed_at": statement.excluded.changed_at,
            "version": _TABLE.c.version + 1,
            "claimed_until": None,
            "attempts": 0,
        },
    )


# Built once, given its rows at each run: building it cost a change of
# status more CPU than the change itself (docs/performance.md).
_MARK = for_each_dialect(_mark)


# _MARK for one person as driver SQL ({0}: the driver's placeholder,
# storage.driver_sql.per_driver), for a new sign-up under the meetup's lock
# (storage.registrations.add_registration). Change the two together.
MARK_ONE_SQL = (
    "INSERT INTO stale_homes (slack_user_id, changed_at, version, attempts) VALUES ({0}, {0}, 1, 0)"
    " ON CONFLICT (slack_user_id) DO UPDATE SET changed_at = excluded.changed_at,"
    " version = stale_homes.version + 1, claimed_until = NULL, attempts = 0"
)


def mark_stale(connection: Connection, user_ids: Iterable[str], *, now: datetime) -> None:
    rows = [{"slack_user_id": u, "changed_at": now, "version": 1, "attempts": 0} for u in sorted(set(user_ids))]
    # One row (most changes) as a single statement: a list of one would take
    # the driver's slower path for many rows.
    connection.execute(_MARK[connection.dialect.name], rows[0] if len(rows) == 1 else rows)


def _unclaimed(now: datetime):
    return StaleHome.claimed_until.is_(None) | (StaleHome.claimed_until <= now)


def any_due(session: Session, now: datetime) -> bool:
    return session.scalar(select(StaleHome.slack_user_id).where(_unclaimed(now)).limit(1)) is not None


def claim(session: Session, now: datetime, *, limit: int, until: datetime) -> list[tuple[str, int]]:
    """Up to `limit` people, those failed least and changed first, held
    until `until`: another worker skips them (FOR UPDATE SKIP LOCKED; on
    SQLite the transaction holds the write lock). (user id, version) pairs."""
    query = (
        select(StaleHome)
        .where(_unclaimed(now))
        .order_by(StaleHome.attempts, StaleHome.changed_at, StaleHome.slack_user_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.scalars(query))
    for row in rows:
        row.claimed_until = until
    return [(row.slack_user_id, row.version) for row in rows]


def clear(session: Session, published: Iterable[tuple[str, int]]) -> None:
    """Published: gone, unless it changed again since (a newer version)."""
    for user_id, version in published:
        session.execute(delete(StaleHome).where(StaleHome.slack_user_id == user_id, StaleHome.version == version))


def release(session: Session, failed: Iterable[tuple[str, int]], *, give_up_after: int) -> list[str]:
    """Not published: back for the next round, after the others; dropped
    after `give_up_after` failures in a row. Returns the user ids dropped."""
    dropped = []
    for user_id, version in failed:
        session.execute(
            update(StaleHome)
            .where(StaleHome.slack_user_id == user_id, StaleHome.version == version)
            .values(claimed_until=None, attempts=StaleHome.attempts + 1)
        )
        gone = delete(StaleHome).where(StaleHome.slack_user_id == user_id, StaleHome.attempts >= give_up_after)
        # Not storage.db.rowcount: storage.db imports this module.
        if cast(CursorResult, session.execute(gone)).rowcount:
            dropped.append(user_id)
    return dropped


def forget(session: Session, user_id: str) -> None:
    session.execute(delete(StaleHome).where(StaleHome.slack_user_id == user_id))
