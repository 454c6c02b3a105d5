"""Creating and finding meetups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import overload
from zoneinfo import ZoneInfo

from bot.meetups.agenda import Talk, agenda_to_json
from bot.signups.eligibility import OPTIONAL_SECTORS
from storage import meetups as meetup_store
from storage.db import Database
from storage.models import AUDIENCES, MEETUP_OPEN, Meetup


class ValidationError(Exception):
    """Field name -> message saying how to fix it."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def parse_audience(value: str) -> str:
    """Accept the CLI's spelling (public-sector) as well as the stored one."""
    return value.strip().lower().replace("-", "_")


# A time in gives a time out; only None gives None.
@overload
def _aware(moment: datetime, tz: ZoneInfo) -> datetime: ...
@overload
def _aware(moment: datetime | None, tz: ZoneInfo) -> datetime | None: ...
def _aware(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    """Naive times are read as local time in `tz`."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=tz)


def validate_meetup(
    *,
    title: str,
    starts: datetime,
    ends: datetime,
    venue: str,
    capacity: int,
    audience: str,
    extra_sectors: frozenset[str],
    signup_closes: datetime | None,
    now: datetime,
) -> dict[str, str]:
    """Field name -> message saying how to fix it, for a new or changed meetup.
    Times must be aware. Empty means valid."""
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Enter a title"
    elif len(title) > 200:
        errors["title"] = "Title must be 200 characters or fewer"
    if not venue.strip():
        errors["venue"] = "Enter the venue"
    elif len(venue) > 300:
        errors["venue"] = "Venue must be 300 characters or fewer"
    if capacity < 1:
        errors["capacity"] = "Capacity must be 1 or more"
    if ends <= starts:
        errors["ends"] = "The end time must be after the start time"
    if starts <= now:
        errors["starts"] = "The start must be in the future"
    if parse_audience(audience) not in AUDIENCES:
        errors["audience"] = "Audience must be government, public-sector or open"
    unknown = set(extra_sectors) - set(OPTIONAL_SECTORS)
    if unknown:
        errors["extra_sectors"] = "Extra sectors can only be " + ", ".join(OPTIONAL_SECTORS)
    if signup_closes is not None and signup_closes > starts:
        errors["signup_closes"] = "Sign-up must close before the meetup starts"
    return errors


def create_meetup(
    db: Database,
    *,
    title: str,
    starts: datetime,
    ends: datetime,
    venue: str,
    capacity: int,
    audience: str = "government",
    extra_sectors: frozenset[str] = frozenset(),
    host_organisation: str = "",
    description: str = "",
    signup_closes: datetime | None = None,
    agenda: Sequence[Talk] = (),
    tz: ZoneInfo,
    now: datetime,
    created_by: str | None = None,
    reminder_plan=None,
) -> Meetup:
    """Validate and store a meetup, with its reminder plan (bot.reminders;
    pass `ReminderPlan.from_settings(settings)`, or get the default offsets).
    Naive times are read as local time in `tz`."""
    from bot.reminders.reminders import ReminderPlan, create_reminders  # bot.reminders imports this module

    starts, ends, signup_closes = _aware(starts, tz), _aware(ends, tz), _aware(signup_closes, tz)
    audience = parse_audience(audience)
    errors = validate_meetup(title=title, starts=starts, ends=ends, venue=venue, capacity=capacity,
                             audience=audience, extra_sectors=extra_sectors, signup_closes=signup_closes, now=now)
    if errors:
        raise ValidationError(errors)

    with db.transaction() as session:
        meetup = meetup_store.create_meetup(
            session,
            title=title.strip(),
            description=description.strip(),
            venue=venue.strip(),
            host_organisation=host_organisation.strip(),
            starts_at=starts,
            ends_at=ends,
            capacity=capacity,
            audience=audience,
            extra_sectors=",".join(sorted(extra_sectors)),
            signup_closes_at=signup_closes,
            agenda=agenda_to_json(list(agenda)),
            status=MEETUP_OPEN,
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
        create_reminders(session, meetup, reminder_plan or ReminderPlan(tz=tz), now=now)
        return meetup


def is_taking_signups(meetup: Meetup, now: datetime) -> bool:
    if meetup.status != MEETUP_OPEN or meetup.starts_at <= now:
        return False
    return meetup.signup_closes_at is None or now < meetup.signup_closes_at


def open_meetups(db: Database, now: datetime) -> list[Meetup]:
    with db.read() as session:
        return [m for m in meetup_store.list_upcoming_meetups(session, now) if is_taking_signups(m, now)]


def upcoming_meetups(db: Database, now: datetime) -> list[Meetup]:
    with db.read() as session:
        return meetup_store.list_upcoming_meetups(session, now, status=None)


def all_meetups(db: Database) -> list[Meetup]:
    with db.read() as session:
        return meetup_store.list_meetups(session)


def get_meetup(db: Database, meetup_id: int) -> Meetup | None:
    with db.read() as session:
        return meetup_store.get_meetup(session, meetup_id)
