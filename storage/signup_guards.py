"""Data access for sign-up guards (bot/signups/limits.py)."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from storage.db import added
from storage.driver_sql import dialect_of, driver_of, per_driver, to_driver_time
from storage.models import SignupGuard

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


# One statement under the meetup's lock instead of a read and an ORM insert,
# as plain SQL on the session's driver connection (storage/driver_sql.py). A
# day that has ended starts again at this sign-up. Every SET sees the row as
# it was, on SQLite and PostgreSQL alike.
_COUNT_SQL = (
    "INSERT INTO signup_guards (meetup_id, person, declined, window_started_at, signups)"
    " VALUES ({0}, {0}, {0}, {0}, 1) ON CONFLICT (meetup_id, person) DO UPDATE SET"
    " signups = CASE WHEN signup_guards.window_started_at <= {0} THEN 1 ELSE signup_guards.signups + 1 END,"
    " window_started_at = CASE WHEN signup_guards.window_started_at <= {0}"
    " THEN excluded.window_started_at ELSE signup_guards.window_started_at END"
)
_COUNT = per_driver(_COUNT_SQL)


def count_signup(session: Session, meetup_id: int, person: str, *, now: datetime, window_start: datetime) -> None:
    """One more sign-up in the person's day, which starts again if it began
    at or before `window_start`."""
    dialect = dialect_of(session)
    start = to_driver_time(dialect, window_start)
    session.flush()  # as Session.execute would
    driver_of(session).execute(
        _COUNT[dialect], (meetup_id, person, False, to_driver_time(dialect, now), start, start)
    ).close()
