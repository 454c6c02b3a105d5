"""Attendance on the day: the door list organisers check people in from,
letting in people from the waitlist when there is room, and the code people
check themselves in with at the venue.

A check-in is recorded once (storage.check_in.mark_checked_in), however
often and by however many organisers it is pressed. Checking in, at the
door or with the code, works only on the day of the meetup (local time).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.common.formatting import escape, format_date, format_time
from bot.common.pseudonyms import Pseudonyms
from storage import check_in as store
from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage.db import Database
from storage.models import CONFIRMED, MEETUP_CANCELLED, WAITLISTED, Meetup, Registration

# No 0/O, 1/I/L or 5/S look-alikes: read off a screen across a room.
CODE_ALPHABET = "ABCDEFGHJKMNPQRTUVWXYZ2346789"
CODE_LENGTH = 6
# Codes one person may try for a meetup: enough for typos, far too few to
# find one of 29^6 (about 600 million) codes by trying.
CODE_TRIES = 5
# People the door list shows at once: a modal holds at most 100 blocks.
SHOWN = 40

WRONG_CODE = "That code is not right. Check the code on the screen at the venue, or ask at the door."
TOO_MANY_TRIES = "You have tried too many codes. Ask at the door and they will check you in."


def door_code(pseudonyms: Pseudonyms, meetup_id: int) -> str:
    """The meetup's self check-in code: a keyed hash of its id, so it differs
    for each meetup and cannot be worked out without the bot's secret."""
    number = int(pseudonyms.of("door", meetup_id), 16)
    letters = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(CODE_ALPHABET))
        letters.append(CODE_ALPHABET[index])
    return "".join(letters)


def _same_code(typed: str, code: str) -> bool:
    cleaned = "".join(typed.split()).replace("-", "").upper()
    return hmac.compare_digest(cleaned.encode(), code.encode())


def is_meetup_day(meetup: Meetup, now: datetime, tz: ZoneInfo) -> bool:
    today = now.astimezone(tz).date()
    return meetup.starts_at.astimezone(tz).date() <= today <= meetup.ends_at.astimezone(tz).date()


@dataclass(frozen=True)
class DoorPerson:
    registration_id: int
    name: str
    organisation: str
    status: str
    checked_in_at: datetime | None
    walk_in: bool


@dataclass(frozen=True)
class DoorList:
    meetup: Meetup
    code: str
    query: str
    people: list[DoorPerson]  # the first SHOWN of those matching
    matching: int
    everyone: int
    checked_in: int
    places: int
    on_the_day: bool

    started: bool

    @property
    def room(self) -> bool:
        """Whether someone from the waitlist can be let in (see has_room)."""
        return self.on_the_day and has_room(self.meetup, came=self.checked_in, places=self.places, started=self.started)


def has_room(meetup: Meetup, *, came: int, places: int, started: bool) -> bool:
    """Until the meetup starts, a place is kept for everyone who has one, so
    the waitlist gets in only where a place is free. Once it has started,
    those who have not come free theirs: room is fewer people checked in than
    there are places."""
    return (came if started else places) < meetup.capacity


def _matches(row, words: list[str]) -> bool:
    text = " ".join([row.full_name, row.organisation, row.domain_organisation or ""]).casefold()
    return all(word in text for word in words)


def _person(row) -> DoorPerson:
    organisation = row.domain_organisation or row.organisation
    return DoorPerson(row.id, row.full_name, organisation, row.status, row.checked_in_at, row.walk_in)


def door_list(
    db: Database, meetup: Meetup, query: str, *, pseudonyms: Pseudonyms, now: datetime, tz: ZoneInfo
) -> DoorList:
    """Who is on the door list of this meetup, searched by name or organisation."""
    with db.read() as session:
        everyone = store.door_rows(session, meetup.id)
    words = query.casefold().split()
    matching = [r for r in everyone if _matches(r, words)]
    return DoorList(
        meetup=meetup,
        code=door_code(pseudonyms, meetup.id),
        query=query,
        people=[_person(r) for r in matching[:SHOWN]],
        matching=len(matching),
        everyone=len(everyone),
        checked_in=sum(1 for r in everyone if r.checked_in_at is not None),
        places=sum(1 for r in everyone if r.status == CONFIRMED),
        on_the_day=is_meetup_day(meetup, now, tz),
        started=now >= meetup.starts_at,
    )


def _not_today(meetup: Meetup, tz: ZoneInfo) -> str:
    return f"You can check people in only on the day of the meetup, {format_date(meetup.starts_at, tz)}."


def check_in(db: Database, meetup: Meetup, registration_id: int, *, by: str, now: datetime, tz: ZoneInfo) -> str:
    """Check someone with a place in at the door; what happened, in words."""
    if not is_meetup_day(meetup, now, tz):
        return _not_today(meetup, tz)
    with db.transaction() as session:
        recorded = store.mark_checked_in(session, registration_id, by=by, now=now)
        registration = registration_store.get_registration_by_id(session, registration_id)
        if registration is None or registration.meetup_id != meetup.id:
            return "That person is no longer on the list."
        name = escape(registration.full_name)
        if recorded:
            return f"{name} is checked in."
        if registration.checked_in_at is not None:
            return f"{name} was already checked in at {format_time(registration.checked_in_at, tz)}."
        return f"{name} no longer has a place."


def let_in(
    db: Database,
    meetup_id: int,
    registration_id: int,
    *,
    by: str,
    now: datetime,
    tz: ZoneInfo,
    tell: Callable[[Session, Meetup, Registration], object] = lambda *_: None,
) -> str:
    """Give someone on the waitlist a place at the door, checked in, when
    fewer people have come than there are places. Under the meetup's lock, so
    two organisers letting people in at once never let in one too many.
    `tell` queues the message to them in the same transaction."""
    with db.transaction() as session:
        meetup = meetup_store.lock_meetup(session, meetup_id)
        registration = registration_store.get_registration_by_id(session, registration_id)
        if meetup is None or registration is None or registration.meetup_id != meetup_id:
            return "That person is no longer on the list."
        if not is_meetup_day(meetup, now, tz):
            return _not_today(meetup, tz)
        name = escape(registration.full_name)
        if registration.status != WAITLISTED:
            return f"{name} is no longer on the waitlist."
        came = store.count_checked_in(session, meetup_id)
        places = registration_store.count_confirmed(session, meetup_id)
        started = now >= meetup.starts_at
        if not has_room(meetup, came=came, places=places, started=started):
            if not started:
                return (
                    f"There is no room to let {name} in yet: every place is taken. "
                    f"Places of people who have not come are free once the meetup starts, "
                    f"at {format_time(meetup.starts_at, tz)}."
                )
            return (
                f"There is no room to let {name} in: "
                f"{came} people have checked in and there are {meetup.capacity} places."
            )
        # Leaving the waitlist renumbers nobody: a position counts the people
        # still waiting ahead (storage.registrations.count_waitlisted_before).
        registration.set_status(CONFIRMED, now)
        registration.walk_in = True
        registration.checked_in_at = now
        registration.checked_in_by = by
        session.flush()
        tell(session, meetup, registration)
        return f"{name} has been let in from the waitlist and is checked in."


def _todays_places(db: Database, user_id: str, now: datetime, tz: ZoneInfo) -> list[tuple[Meetup, Registration]]:
    """This person's registrations for meetups happening today, any status."""
    midnight = datetime.combine(now.astimezone(tz).date(), time(), tzinfo=tz)
    with db.read() as session:
        today = [
            m
            for m in meetup_store.list_upcoming_meetups(session, midnight)
            if m.status != MEETUP_CANCELLED and m.starts_at < midnight + timedelta(days=1)
        ]
        found = [(m, registration_store.get_registration(session, m.id, user_id)) for m in today]
    return [(m, r) for m, r in found if r is not None]


def check_in_with_code(
    db: Database, user_id: str, typed: str, *, pseudonyms: Pseudonyms, now: datetime, tz: ZoneInfo
) -> str:
    """`/meetup here CODE`: someone with a place checks themselves in with
    the code shown at the venue. The code names the meetup, so someone at
    one of two meetups that day needs no meetup ID."""
    mine = _todays_places(db, user_id, now, tz)
    with_place = [(m, r) for m, r in mine if r.status == CONFIRMED]
    if not with_place:
        if any(r.status == WAITLISTED for _, r in mine):
            return (
                "You are on the waitlist, so you do not have a place yet. "
                "Ask at the door: they can let you in if there is room."
            )
        return "You do not have a place at a meetup today. Ask at the door."
    waiting = [(m, r) for m, r in with_place if r.checked_in_at is None]
    if not waiting:
        meetup, registration = with_place[0]
        since = format_time(registration.checked_in_at or now, tz)
        return f"You are already checked in to {escape(meetup.title)}, since {since}."
    with db.transaction() as session:
        # A try is counted before the code is compared, so guesses sent all
        # at once cannot outrun the count.
        if not store.use_code_try(session, waiting[0][1].id, allowed=CODE_TRIES):
            return TOO_MANY_TRIES
        for meetup, registration in waiting:
            if _same_code(typed, door_code(pseudonyms, meetup.id)):
                store.mark_checked_in(session, registration.id, by=user_id, now=now)
                return f"You are checked in to {escape(meetup.title)}. Welcome!"
    return WRONG_CODE
