"""Data access for registrations (a person's place at a meetup)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, func, inspect, or_, select
from sqlalchemy.orm import Session, make_transient_to_detached

from storage.driver_sql import (
    dialect_of,
    driver_of,
    first_row,
    from_driver_time,
    insert_row,
    per_driver,
    to_driver_time,
)
from storage.models import (
    ACTIVE_STATUSES,
    CONFIRMED,
    MEETUP_OPEN,
    WAITLISTED,
    Meetup,
    Registration,
    utcnow,
)
from storage.signup_guards import GuardState
from storage.stale_homes import MARK_STALE


def get_registration(session: Session, meetup_id: int, slack_user_id: str) -> Registration | None:
    return session.scalars(
        select(Registration).where(Registration.meetup_id == meetup_id, Registration.slack_user_id == slack_user_id)
    ).one_or_none()


def registration_and_confirmed(
    session: Session, meetup_id: int, slack_user_id: str, person: str
) -> tuple[Registration | None, int, GuardState | None]:
    """A person's registration for a meetup, how many people have a place
    there, and the person's sign-up guard (`person` is its key,
    bot/signups/limits.py), in one round trip: sign-up runs this while it
    holds the meetup's lock, which every other sign-up is waiting for. As
    plain SQL on the session's driver connection (storage/driver_sql.py);
    a registration found (signing up again) is then loaded by the ORM."""
    dialect = dialect_of(session)
    registration_id, count, declined, window_started_at, signups = first_row(
        driver_of(session), _MINE_AND_CONFIRMED[dialect], (meetup_id, CONFIRMED, slack_user_id, person, meetup_id)
    )
    registration = None if registration_id is None else session.get(Registration, registration_id)
    # `declined` is never NULL in a guard's row: NULL says there is none.
    guard = None if declined is None else GuardState(bool(declined), from_driver_time(window_started_at), signups)
    return registration, count, guard


# The count is not correlated with the registration: it counts the whole meetup.
_MINE_AND_CONFIRMED_SQL = (
    "SELECT registrations.id,"
    " (SELECT count(*) FROM registrations WHERE meetup_id = {0} AND status = {0}),"
    " signup_guards.declined, signup_guards.window_started_at, signup_guards.signups"
    " FROM meetups LEFT OUTER JOIN registrations"
    " ON registrations.meetup_id = meetups.id AND registrations.slack_user_id = {0}"
    " LEFT OUTER JOIN signup_guards ON signup_guards.meetup_id = meetups.id AND signup_guards.person = {0}"
    " WHERE meetups.id = {0}"
)
_MINE_AND_CONFIRMED = per_driver(_MINE_AND_CONFIRMED_SQL)


def get_registration_by_id(session: Session, registration_id: int) -> Registration | None:
    return session.get(Registration, registration_id)


def add_registration(session: Session, registration: Registration) -> Registration:
    """Store a registration, new (with its meetup_id set) or signing up
    again, and set its id and defaults for the caller."""
    if inspect(registration).persistent:  # a cancelled sign-up's row, reused
        session.flush()
        return registration
    # A new one goes in with one INSERT … RETURNING on the session's driver
    # connection rather than the ORM's flush: this runs under the meetup's
    # lock for every sign-up, where the flush's bookkeeping cost more CPU
    # than the insert (docs/performance.md).
    given = {key: value for key, value in vars(registration).items() if key in _TABLE.c}
    new_id, stored = insert_row(session, _TABLE, given)
    assert new_id is not None  # None only when a conflict is allowed
    registration.id = new_id
    for column in _TABLE.columns:
        if column.key != "id":  # every column, so the copy never has to read one
            setattr(registration, column.key, stored.get(column.key))
    # Now the stored row: its history reset, so nothing is written again.
    make_transient_to_detached(registration)
    session.add(registration)
    # What the flush's hook (storage/stale_homes.py) would have done.
    dialect = dialect_of(session)
    now = to_driver_time(dialect, utcnow())
    driver_of(session).execute(MARK_STALE[dialect], (now, registration.slack_user_id)).close()
    return registration


_TABLE = cast(Table, Registration.__table__)  # declarative types it as any FromClause


def count_by_status(session: Session, meetup_id: int) -> dict[str, int]:
    rows = session.execute(
        select(Registration.status, func.count())
        .where(Registration.meetup_id == meetup_id)
        .group_by(Registration.status)
    )
    return {status: count for status, count in rows}


def count_confirmed(session: Session, meetup_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(Registration.meetup_id == meetup_id, Registration.status == CONFIRMED)
        )
        or 0
    )


def list_registrations(session: Session, meetup_id: int, status: str | None = None) -> list[Registration]:
    """Registrations in the order they reached their status."""
    query = select(Registration).where(Registration.meetup_id == meetup_id)
    if status:
        query = query.where(Registration.status == status)
    return list(session.scalars(query.order_by(Registration.status_changed_at, Registration.id)))


def first_on_waitlist(session: Session, meetup_id: int) -> Registration | None:
    return session.scalars(
        select(Registration)
        .where(Registration.meetup_id == meetup_id, Registration.status == WAITLISTED)
        .order_by(Registration.waitlist_number)
        .limit(1)
    ).first()


def next_waitlist_number(session: Session, meetup_id: int) -> int:
    """Call with the meetup locked, so no two people get the same number."""
    highest = session.scalar(select(func.max(Registration.waitlist_number)).where(Registration.meetup_id == meetup_id))
    return (highest or 0) + 1


def count_waitlisted_before(session: Session, registration: Registration) -> int:
    return (
        session.scalar(
            select(func.count()).where(
                Registration.meetup_id == registration.meetup_id,
                Registration.status == WAITLISTED,
                Registration.waitlist_number < registration.waitlist_number,
            )
        )
        or 0
    )


def registrations_of(session: Session, meetup_id: int, slack_user_ids: set[str]) -> list[Registration]:
    """These people's registrations for a meetup, in any status; none for
    someone who never signed up."""
    if not slack_user_ids:
        return []
    return list(
        session.scalars(
            select(Registration).where(
                Registration.meetup_id == meetup_id, Registration.slack_user_id.in_(sorted(slack_user_ids))
            )
        )
    )


def list_active_registrations_for_user(session: Session, slack_user_id: str) -> list[Registration]:
    return list(session.scalars(_ACTIVE_FOR_USER, {"user_id": slack_user_id}))


# The active statuses as equalities, not IN: SQLAlchemy renders an IN list
# again each time the statement runs (an "expanding" parameter), which cost
# more CPU than SQLite's running of the whole statement (docs/performance.md).
_IS_ACTIVE = or_(*(Registration.status == status for status in ACTIVE_STATUSES))

# Built once: every `/meetup signup` runs it before its modal opens.
_ACTIVE_FOR_USER = (
    select(Registration)
    .join(Meetup)
    .where(Registration.slack_user_id == bindparam("user_id"), _IS_ACTIVE)
    .order_by(Meetup.starts_at)
)


def upcoming_with_own_registration(
    driver_connection, dialect: str, slack_user_id: str, now: datetime
) -> list[tuple[int, datetime, int | None]]:
    """Open meetups still to come, each as (id, updated_at, the id of this
    person's active registration for it or None), on a driver connection
    (Database.single_read): every `/meetup signup` runs it, and SQLAlchemy's
    execution cost several times SQLite's running of the statement
    (docs/performance.md). storage.meetups.MeetupCopies has the meetups."""
    cursor = driver_connection.execute(_UPCOMING_WITH_MINE[dialect], (slack_user_id, to_driver_time(dialect, now)))
    try:
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return [(meetup_id, from_driver_time(at), registration_id) for meetup_id, at, registration_id in rows]


_ACTIVE_SQL = ", ".join(f"'{status}'" for status in ACTIVE_STATUSES)  # constants, not input
_UPCOMING_WITH_MINE_SQL = (
    "SELECT meetups.id, meetups.updated_at, registrations.id FROM meetups"
    " LEFT OUTER JOIN registrations ON registrations.meetup_id = meetups.id"
    f" AND registrations.slack_user_id = {{0}} AND registrations.status IN ({_ACTIVE_SQL})"
    f" WHERE meetups.ends_at > {{0}} AND meetups.status = '{MEETUP_OPEN}'"
    " ORDER BY meetups.starts_at, meetups.id"
)
_UPCOMING_WITH_MINE = per_driver(_UPCOMING_WITH_MINE_SQL)


def get_registrations(session: Session, registration_ids: list[int]) -> list[Registration]:
    return list(session.scalars(select(Registration).where(Registration.id.in_(registration_ids))))


def list_registrations_for_user(session: Session, slack_user_id: str) -> list[Registration]:
    """Everything registered by one person, any status, soonest meetup first."""
    return list(
        session.scalars(
            select(Registration)
            .join(Meetup)
            .where(Registration.slack_user_id == slack_user_id)
            .order_by(Meetup.starts_at)
        )
    )


def delete_registration(session: Session, registration: Registration) -> None:
    session.delete(registration)
    session.flush()


def anonymise_registrations(session: Session, meetup_id: int, key_of: Callable[[str], str] | None = None) -> int:
    """Blank every personal field, keeping organisation, status and the person
    key so the series statistics can still count who came from where, and who
    came back. A sign-up made before person keys existed gets one from
    `key_of(slack_user_id)` first, while the user ID is still there."""
    rows = list(session.scalars(select(Registration).where(Registration.meetup_id == meetup_id)))
    for registration in rows:
        if registration.person_key is None and key_of is not None:
            registration.person_key = key_of(registration.slack_user_id)
        registration.slack_user_id = f"purged-{registration.id}"
        registration.full_name = ""
        registration.email = ""
        registration.government_team = ""
        registration.dietary_needs = ""
        registration.access_needs = ""
        registration.needs_consent_at = None
        registration.reason = ""
        registration.decided_by = None
        # Who answered the feedback form goes; the answers, which name nobody, stay.
        registration.feedback_given = False
        # Who checked them in is a user ID (their own, when they used the
        # venue's code); when is kept, for the attendance figures.
        registration.checked_in_by = None
    session.flush()
    return len(rows)


def drop_person_key(session: Session, person_key: str) -> int:
    """Take a person key off every sign-up that has it (the purged ones, which
    no longer name the person): how many there were."""
    rows = list(session.scalars(select(Registration).where(Registration.person_key == person_key)))
    for registration in rows:
        registration.person_key = None
    session.flush()
    return len(rows)


def find_meetup_id(session: Session, registration_id: int) -> int | None:
    """The meetup a registration belongs to, read without loading the row, so
    the caller can lock the meetup before reading the registration itself."""
    return session.scalar(select(Registration.meetup_id).where(Registration.id == registration_id))


def list_all_registrations(session: Session) -> list[Registration]:
    return list(session.scalars(select(Registration).order_by(Registration.meetup_id, Registration.id)))


def confirmed_by_meetup(session: Session) -> dict[int, int]:
    """Places taken at every meetup, in one query: the public pages show each
    meetup's places as a band."""
    rows = session.execute(
        select(Registration.meetup_id, func.count())
        .where(Registration.status == CONFIRMED)
        .group_by(Registration.meetup_id)
    )
    return {meetup_id: count for meetup_id, count in rows}
