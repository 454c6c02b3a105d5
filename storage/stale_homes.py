"""Whose Home tab is out of date. The session records it as it flushes a
registration's new status, so it is written in the same transaction as the
change, whichever rule made it (sign-up, cancellation, a promotion, an
approval); the worker reads and clears it. Only for people who have opened
their Home tab (home_viewers)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, CursorResult, delete, event, inspect, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.driver_sql import dialect_of, per_driver, to_driver_time
from storage.models import HomeViewer, Registration, StaleHome, utcnow
from storage.upserts import for_each_dialect

_VIEWERS = HomeViewer.__table__


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


# Marks a person's Home tab as out of date, if they have ever opened it
# (home_viewers): nobody sees a Home tab that was never opened, and Slack
# asks for it afresh when it is (handlers/home.py). Driver SQL ({0}: the
# driver's placeholder, storage.driver_sql.per_driver), parameters (now,
# user id): a new sign-up runs it under the meetup's lock
# (storage.registrations.add_registration), where the ORM's statement cost
# more CPU than running it (docs/performance.md).
_MARK_SQL = (
    "INSERT INTO stale_homes (slack_user_id, changed_at, version, attempts)"
    " SELECT slack_user_id, {0}, 1, 0 FROM home_viewers WHERE slack_user_id = {0}"
    " ON CONFLICT (slack_user_id) DO UPDATE SET changed_at = excluded.changed_at,"
    " version = stale_homes.version + 1, claimed_until = NULL, attempts = 0"
)
MARK_STALE = per_driver(_MARK_SQL)


def mark_stale(connection: Connection, user_ids: Iterable[str], *, now: datetime) -> None:
    dialect = connection.dialect.name
    at = to_driver_time(dialect, now)
    rows = [(at, user_id) for user_id in sorted(set(user_ids))]
    # One row (most changes) as a single statement: a list of one would take
    # the driver's slower path for many rows.
    connection.exec_driver_sql(MARK_STALE[dialect], rows[0] if len(rows) == 1 else rows)


def record_viewer(session: Session, user_id: str, *, now: datetime) -> None:
    """They opened their Home tab: draw it again when their status changes."""
    session.execute(_RECORD_VIEWER[dialect_of(session)], {"slack_user_id": user_id, "opened_at": now})


def _record_viewer(insert):
    statement = insert(_VIEWERS)
    return statement.on_conflict_do_update(
        index_elements=["slack_user_id"], set_={"opened_at": statement.excluded.opened_at}
    )


_RECORD_VIEWER = for_each_dialect(_record_viewer)


def opened_at(session: Session, user_id: str) -> datetime | None:
    """When they last opened their Home tab, if the bot keeps it."""
    return session.scalar(select(HomeViewer.opened_at).where(HomeViewer.slack_user_id == user_id))


def purge_viewers(session: Session, opened_before: datetime) -> int:
    """Those who have not opened it since: drawn again only once they do."""
    return cast(CursorResult, session.execute(delete(HomeViewer).where(HomeViewer.opened_at < opened_before))).rowcount


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


def forget(session: Session, user_id: str) -> int:
    """1 if the bot kept when they last opened their Home tab, otherwise 0."""
    session.execute(delete(StaleHome).where(StaleHome.slack_user_id == user_id))
    return cast(CursorResult, session.execute(delete(HomeViewer).where(HomeViewer.slack_user_id == user_id))).rowcount
