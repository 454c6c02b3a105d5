"""Data access for sign-up guards (bot/signups/limits.py)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple, cast

from sqlalchemy import Table, bindparam, case, delete, false, select
from sqlalchemy.orm import Session

from storage.db import added
from storage.models import SignupGuard
from storage.upserts import for_each_dialect

_TABLE = cast(Table, SignupGuard.__table__)


def get_guard(session: Session, meetup_id: int, person: str) -> SignupGuard | None:
    return session.scalars(
        select(SignupGuard).where(SignupGuard.meetup_id == meetup_id, SignupGuard.person == person)
    ).one_or_none()


class GuardState(NamedTuple):
    """A guard's figures alone, as a plain row: every sign-up reads them
    under the meetup's lock (storage/registrations.py)."""

    declined: bool
    window_started_at: datetime
    signups: int


def add_guard(session: Session, guard: SignupGuard) -> SignupGuard:
    return added(session, guard)


def delete_guards(session: Session, meetup_id: int) -> None:
    session.execute(delete(SignupGuard).where(SignupGuard.meetup_id == meetup_id))


def _count(insert):
    statement = insert(_TABLE).values(
        meetup_id=bindparam("meetup_id"),
        person=bindparam("person"),
        declined=false(),
        window_started_at=bindparam("now"),
        signups=1,
    )
    # A day that has ended starts again at this sign-up. Every SET sees the
    # row as it was, on SQLite and PostgreSQL alike.
    ended = _TABLE.c.window_started_at <= bindparam("window_start", type_=_TABLE.c.window_started_at.type)
    return statement.on_conflict_do_update(
        index_elements=["meetup_id", "person"],
        set_={
            "signups": case((ended, 1), else_=_TABLE.c.signups + 1),
            "window_started_at": case((ended, statement.excluded.window_started_at), else_=_TABLE.c.window_started_at),
        },
    )


# Built once: one statement under the meetup's lock instead of a read and an
# ORM insert (docs/performance.md).
_COUNT = for_each_dialect(_count)


def count_signup(session: Session, meetup_id: int, person: str, *, now: datetime, window_start: datetime) -> None:
    """One more sign-up in the person's day, which starts again if it began
    at or before `window_start`."""
    statement = _COUNT[session.get_bind().dialect.name]
    session.execute(statement, {"meetup_id": meetup_id, "person": person, "now": now, "window_start": window_start})
