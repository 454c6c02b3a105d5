"""What the public pages show, built from storage: the meetups still to come,
those already held, and one meetup with how to sign up.

Public means no personal data: places are shown as a band, never a figure or
a name, and past meetups only as a count of organisations. The only contact
shown is ORGANISER_CONTACT, the organising team's.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from bot.common.formatting import format_date, format_when, plural
from bot.meetups.agenda import item_time, timed_agenda
from bot.meetups.calendar import CalendarUser, meetup_ics
from bot.meetups.meetups import is_taking_signups
from bot.meetups.stats import series_stats
from bot.signups.eligibility import audience_sentence
from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage.db import Database
from storage.models import MEETUP_CANCELLED, Meetup

PLACES_AVAILABLE = "Places available"
FEW_PLACES = "Few places left"
FULL = "Full: join the waitlist"
CLOSED = "Sign-up closed"
CANCELLED = "Cancelled"


def place_band(meetup: Meetup, confirmed: int, now: datetime) -> str:
    """How full a meetup is, in words that give away no figure."""
    if meetup.status == MEETUP_CANCELLED:
        return CANCELLED
    if not is_taking_signups(meetup, now):
        return CLOSED
    left = meetup.capacity - confirmed
    if left <= 0:
        return FULL
    # A tenth of the room, and never fewer than 3, so a small meetup's band
    # does not tell anyone how many exactly have signed up.
    if left <= max(3, meetup.capacity // 10):
        return FEW_PLACES
    return PLACES_AVAILABLE


@dataclass(frozen=True)
class Site:
    """Every meetup and its places taken, read once per request: both the
    pages and their ETag come from it."""

    meetups: list[Meetup]
    confirmed: dict[int, int]
    now: datetime

    def band(self, meetup: Meetup) -> str:
        return place_band(meetup, self.confirmed.get(meetup.id, 0), self.now)

    def ended(self, meetup: Meetup) -> bool:
        return meetup.ends_at <= self.now

    def find(self, meetup_id: int) -> Meetup | None:
        return next((m for m in self.meetups if m.id == meetup_id), None)

    @cached_property
    def _state(self) -> bytes:
        """What a page can show of every meetup: edited (updated_at),
        cancelled (status), its band, and once held, its places."""
        digest = hashlib.sha256()
        for m in self.meetups:
            state = (m.id, m.updated_at.isoformat(), m.status, self.band(m), self.ended(m), self.confirmed.get(m.id, 0))
            digest.update(repr(state).encode())
        return digest.digest()

    def version(self, *extra: str) -> str:
        """Changes whenever anything a page shows changes: the meetups, and
        `extra` (the page's path and the settings it shows)."""
        digest = hashlib.sha256(self._state)
        for part in extra:
            digest.update(part.encode() + b"\0")
        return digest.hexdigest()[:32]


def read_site(db: Database, now: datetime) -> Site:
    with db.read() as session:
        return Site(meetup_store.list_meetups(session), registration_store.confirmed_by_meetup(session), now)


@dataclass(frozen=True)
class TalkView:
    title: str
    speaker: str
    organisation: str
    time: str | None


@dataclass(frozen=True)
class MeetupView:
    id: int
    title: str
    when: str
    venue: str
    host: str
    description: str
    who_can_come: str
    talks: list[TalkView]
    band: str
    held: bool = False

    @property
    def timed(self) -> bool:
        return any(talk.time for talk in self.talks)

    @property
    def open(self) -> bool:
        return self.band in (PLACES_AVAILABLE, FEW_PLACES, FULL)


def meetup_view(site: Site, meetup: Meetup, tz: ZoneInfo) -> MeetupView:
    # The talks of the timed agenda (bot/meetups/agenda.py), as the card shows them.
    talks = [TalkView(t.title, t.speaker, t.organisation, item_time(t, tz) or None) for t in timed_agenda(meetup, tz)]
    return MeetupView(
        id=meetup.id,
        title=meetup.title,
        when=format_when(meetup.starts_at, meetup.ends_at, tz),
        venue=meetup.venue,
        host=meetup.host_organisation,
        description=meetup.description,
        who_can_come=audience_sentence(meetup.audience, meetup.sectors),
        talks=talks,
        band=site.band(meetup),
        held=site.ended(meetup) and meetup.status != MEETUP_CANCELLED,
    )


@dataclass(frozen=True)
class PastMeetup:
    id: int
    title: str
    date: str
    reached: str


@dataclass(frozen=True)
class FrontPage:
    upcoming: list[MeetupView]
    past: list[PastMeetup]


def front_page(db: Database, site: Site, tz: ZoneInfo) -> FrontPage:
    """Meetups to come, soonest first; then those held, latest first, each
    with the organisations it brought together (counted as the series
    figures count them, which stay right after the purge)."""
    upcoming = [meetup_view(site, m, tz) for m in site.meetups if not site.ended(m)]
    held = [m for m in site.meetups if site.ended(m) and m.status != MEETUP_CANCELLED]
    reached: dict[int, int] = {}
    if held:
        reached = {row.meetup.id: row.organisations for row in series_stats(db, site.now).meetups}
    past = [
        PastMeetup(m.id, m.title, format_date(m.starts_at, tz), _reached(reached.get(m.id, 0))) for m in reversed(held)
    ]
    return FrontPage(upcoming, past)


def _reached(organisations: int) -> str:
    if not organisations:
        return ""
    return f"People from {plural(organisations, 'organisation')}"


def calendar_file(site: Site, meetup_id: int, tz: ZoneInfo, organiser: CalendarUser | None) -> str | None:
    """The calendar file the bot sends with a place, for anyone to download."""
    meetup = site.find(meetup_id)
    return None if meetup is None else meetup_ics(meetup, tz, now=site.now, public=True, organiser=organiser)


@dataclass(frozen=True)
class Contact:
    """ORGANISER_CONTACT as a page shows it: a link for an email address or
    a web address, plain words otherwise."""

    text: str
    href: str | None


def contact(value: str) -> Contact:
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        return Contact(value, f"mailto:{value}")
    if re.match(r"https?://", value):
        return Contact(value, value)
    return Contact(value, None)
