"""Checking and finding meetups (creating one is in bot/organising/organising.py,
with its reminders)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.meetups.agenda import Talk
from bot.meetups.audience import OPTIONAL_SECTORS
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


@dataclass(frozen=True)
class MeetupFields:
    """The values a meetup stores, as read from the organiser's form or the
    command line (bot.organising)."""

    title: str
    starts: datetime
    ends: datetime
    venue: str
    host_organisation: str
    capacity: int
    audience: str
    extra_sectors: frozenset[str]
    description: str
    agenda: list[Talk]
    signup_closes: datetime | None
    online_link: str = ""


def validate_meetup(fields: MeetupFields, *, now: datetime) -> dict[str, str]:
    """Field name -> message saying how to fix it, for a new or changed meetup.
    Times must be aware. Empty means valid."""
    errors: dict[str, str] = {}
    if not fields.title.strip():
        errors["title"] = "Enter a title"
    elif len(fields.title) > 200:
        errors["title"] = "Title must be 200 characters or fewer"
    if not fields.venue.strip():
        errors["venue"] = "Enter the venue"
    elif len(fields.venue) > 300:
        errors["venue"] = "Venue must be 300 characters or fewer"
    if fields.capacity < 1:
        errors["capacity"] = "Capacity must be 1 or more"
    if fields.ends <= fields.starts:
        errors["ends"] = "The end time must be after the start time"
    if fields.starts <= now:
        errors["starts"] = "The start must be in the future"
    if parse_audience(fields.audience) not in AUDIENCES:
        errors["audience"] = "Audience must be government, public-sector or open"
    unknown = set(fields.extra_sectors) - set(OPTIONAL_SECTORS)
    if unknown:
        errors["extra_sectors"] = "Extra sectors can only be " + ", ".join(OPTIONAL_SECTORS)
    if fields.signup_closes is not None and fields.signup_closes > fields.starts:
        errors["signup_closes"] = "Sign-up must close before the meetup starts"
    link_problem = online_link_problem(fields.online_link)
    if link_problem:
        errors["online_link"] = link_problem
    return errors


MAX_LINK = 500


def online_link_problem(link: str) -> str | None:
    """What is wrong with an online joining link, or None. Empty is fine (no
    link). It goes into Slack as <link>, so it may hold no space, < > or |."""
    if not link:
        return None
    if len(link) > MAX_LINK:
        return f"The online joining link must be {MAX_LINK} characters or fewer"
    if (
        not link.lower().startswith("https://")
        or len(link) <= len("https://")
        or any(c.isspace() or c in "<>|" for c in link)
    ):
        return "Enter the online joining link as a web address starting https://, like https://meet.example.gov.uk/abc"
    return None


def is_taking_signups(meetup: Meetup, now: datetime) -> bool:
    if meetup.status != MEETUP_OPEN or meetup.starts_at <= now:
        return False
    return meetup.signup_closes_at is None or now < meetup.signup_closes_at


def upcoming_meetups(db: Database, now: datetime) -> list[Meetup]:
    with db.read() as session:
        return meetup_store.list_upcoming_meetups(session, now)


def all_meetups(db: Database) -> list[Meetup]:
    with db.read() as session:
        return meetup_store.list_meetups(session)


def get_meetup(db: Database, meetup_id: int) -> Meetup | None:
    with db.read() as session:
        return meetup_store.get_meetup(session, meetup_id)
