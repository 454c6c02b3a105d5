"""Data access for attendance on the day: the door list and check-ins."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, bindparam, func, select, update
from sqlalchemy.orm import Session

from storage.models import CONFIRMED, WAITLISTED, Registration


def door_rows(session: Session, meetup_id: int) -> list[Row]:
    """Everyone with a place or on the waitlist, by name: the door list.
    Only the columns it shows, as plain rows: each search reads them all,
    and building hundreds of full objects cost most of its time."""
    return list(session.execute(_DOOR_ROWS, {"meetup_id": meetup_id}))


# Built once: every search of the door list runs it.
_DOOR_ROWS = (
    select(
        Registration.id,
        Registration.full_name,
        Registration.organisation,
        Registration.domain_organisation,
        Registration.status,
        Registration.checked_in_at,
        Registration.walk_in,
    )
    .where(Registration.meetup_id == bindparam("meetup_id"), Registration.status.in_((CONFIRMED, WAITLISTED)))
    .order_by(func.lower(Registration.full_name), Registration.id)
)


def count_checked_in(session: Session, meetup_id: int) -> int:
    return (
        session.scalar(
            select(func.count()).where(Registration.meetup_id == meetup_id, Registration.checked_in_at.is_not(None))
        )
        or 0
    )


def mark_checked_in(session: Session, registration_id: int, *, by: str, now: datetime) -> bool:
    """Record the check-in of someone with a place, unless it is recorded
    already: one conditional UPDATE, so two presses at once (from two
    organisers, or two servers) record one check-in. Whether this one did."""
    result = session.execute(
        update(Registration)
        .where(
            Registration.id == registration_id,
            Registration.status == CONFIRMED,
            Registration.checked_in_at.is_(None),
        )
        .values(checked_in_at=now, checked_in_by=by)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def use_code_try(session: Session, registration_id: int, *, allowed: int) -> bool:
    """Count one more code tried, if fewer than `allowed` were: one
    conditional UPDATE, so guesses sent all at once still count one each."""
    result = session.execute(
        update(Registration)
        .where(Registration.id == registration_id, Registration.code_tries < allowed)
        .values(code_tries=Registration.code_tries + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]
