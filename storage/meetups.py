"""Data access for meetups."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from storage.db import added
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
