"""Data access for meetups."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from storage.db import Database, added
from storage.driver_sql import dialect_of, driver_of, first_row, from_driver_time
from storage.models import MEETUP_OPEN, Meetup


def create_meetup(session: Session, **fields) -> Meetup:
    return added(session, Meetup(**fields))


def get_meetup(session: Session, meetup_id: int) -> Meetup | None:
    return session.get(Meetup, meetup_id)


def lock_meetup(session: Session, meetup_id: int) -> Meetup | None:
    """Fetch a meetup and hold its row lock until the transaction ends.

    Every change to who holds a place goes through this lock, so two sign-ups
    for the last place are decided one after the other. On PostgreSQL it is
    SELECT ... FOR UPDATE; on SQLite the transaction already holds the
    database's write lock (BEGIN IMMEDIATE), and FOR UPDATE is ignored.
    """
    return session.scalars(_LOCK, {"id": meetup_id}).one_or_none()


# Built once, as every sign-up runs it.
_LOCK = select(Meetup).where(Meetup.id == bindparam("id")).with_for_update()
# As plain SQL on the session's driver connection (storage/driver_sql.py).
# SQLite has no FOR UPDATE: its transaction holds the write lock already.
_LOCK_VERSION = {
    "sqlite": "SELECT updated_at FROM meetups WHERE id = ?",
    "postgresql": "SELECT updated_at FROM meetups WHERE id = %s FOR UPDATE",
}


class MeetupCopies:
    """Meetups as last read, each kept with the updated_at it had then.

    Every `/meetup signup` and *Sign up* button needs the meetups open for
    sign-up, and loading them as ORM objects cost more CPU than the rest of
    that request's reading (docs/performance.md). So that request reads each
    meetup's id and updated_at only, and a meetup is loaded again only when
    its updated_at has moved on, which every UPDATE of it does (the column's
    onupdate). The copies are detached and shared between threads: read
    them, never change them.
    """

    def __init__(self) -> None:
        # Replaced whole, never changed in place: a thread still reading the
        # previous dict sees whole copies.
        self._kept: dict[int, Meetup] = {}

    def current(self, db: Database, versions: Iterable[tuple[int, datetime]]) -> list[Meetup]:
        """The meetups with these ids, each as of its updated_at or later, in
        the order given; one deleted in the meantime is left out."""
        versions = list(versions)
        kept = self._kept
        stale = {meetup_id for meetup_id, at in versions if meetup_id not in kept or kept[meetup_id].updated_at != at}
        if stale:
            with db.read() as session:
                fresh = {m.id: m for m in session.scalars(select(Meetup).where(Meetup.id.in_(stale)))}
            # Only the meetups asked for now: past ones drop out.
            kept = self._kept = {
                meetup_id: fresh[meetup_id] if meetup_id in stale else kept[meetup_id]
                for meetup_id, _ in versions
                if meetup_id in fresh or meetup_id not in stale
            }
        return [kept[meetup_id] for meetup_id, _ in versions if meetup_id in kept]

    def locked(self, session: Session, meetup_id: int) -> Meetup | None:
        """lock_meetup for a caller that only reads the meetup (sign-up):
        the same lock, reading one column, and the kept copy, loaded again
        only if the meetup changed. Loading the whole meetup as an ORM object
        was most of the lock's CPU, and every other sign-up waits for it."""
        dialect = dialect_of(session)
        found = first_row(driver_of(session), _LOCK_VERSION[dialect], (meetup_id,))
        if found is None:
            return None
        at = from_driver_time(found[0])
        kept = self._kept.get(meetup_id)
        if kept is not None and kept.updated_at == at:
            return kept
        fresh = session.get(Meetup, meetup_id)
        assert fresh is not None  # locked above, so still there
        session.expunge(fresh)  # shared between threads from now on: detached
        self._kept = {**self._kept, meetup_id: fresh}
        return fresh


def list_meetups(session: Session) -> list[Meetup]:
    return list(session.scalars(select(Meetup).order_by(Meetup.starts_at, Meetup.id)))


def list_upcoming_meetups(session: Session, now: datetime) -> list[Meetup]:
    """Meetups not yet over, whatever their status, soonest first."""
    return list(session.scalars(_UPCOMING, {"now": now}))


# Built once: the Home tab and several commands run it.
_UPCOMING = select(Meetup).where(Meetup.ends_at > bindparam("now")).order_by(Meetup.starts_at, Meetup.id)


def list_meetups_to_purge(session: Session, ended_before: datetime) -> list[Meetup]:
    return list(
        session.scalars(
            select(Meetup)
            .where(Meetup.ends_at < ended_before, Meetup.purged_at.is_(None))
            .order_by(Meetup.id)
            .with_for_update()
        )
    )


def list_closed_cards(session: Session, now: datetime, *, lock: bool = False, limit: int = 20) -> list[Meetup]:
    """Open, announced meetups whose sign-up closed since their card last
    said so. With `lock`, another worker skips the ones this one takes (FOR
    UPDATE SKIP LOCKED; on SQLite the transaction holds the write lock)."""
    shown = Meetup.closed_card_for
    query = (
        select(Meetup)
        .where(
            Meetup.status == MEETUP_OPEN,
            Meetup.announcement_ts.is_not(None),
            Meetup.signup_closes_at <= now,
            Meetup.starts_at > now,
            shown.is_(None) | (shown != Meetup.signup_closes_at),
        )
        .order_by(Meetup.id)
        .limit(limit)
    )
    if lock:
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))
