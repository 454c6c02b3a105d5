"""Participation across the series: the community the meetups exist to build.

- a *sign-up* is anyone who signed up (whatever happened next), at a meetup
  that was not cancelled;
- someone *attended* when they were checked in, at the door by an organiser
  or with the venue's code (bot/organising/door.py); a meetup where nobody
  was checked in (those before check-in existed) has its attendance *not
  recorded*, and counts in no attendance figure;
- a *no-show* had a place before the day (not let in at the door) at a
  meetup that has happened with attendance recorded, and was not checked in;
  the *no-show rate* is no-shows over those places;
- a *person* is counted by the person key kept on each sign-up (a keyed hash
  of their Slack user ID, bot/common/pseudonyms.py PersonKeys), which the
  purge keeps, so the figures stay right once names and user IDs are gone;
- an *organisation* is the one matched from the email address's domain, or
  the one the person typed when the domain matched none; the purge keeps both;
- a meetup *reached* the organisations of the people with a place; an
  organisation is *new* at the first meetup that reached it;
- a *repeat attendee* held a place at more than one meetup.

Sign-ups made before person keys existed have none: they count by Slack user
ID until the purge, which keys them first when it has the secret. Those
purged before that count as a different person each, as do the purged
sign-ups of someone who used `/meetup forget`, which takes the key off.

`compute` is pure, so the rules are tested without a database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage.db import Database
from storage.models import CONFIRMED, MEETUP_CANCELLED, Meetup, Registration


@dataclass(frozen=True)
class OrganisationStats:
    name: str
    signups: int
    attended: int
    meetups: int  # how many meetups its people signed up for


@dataclass(frozen=True)
class MeetupStats:
    meetup: Meetup
    signups: int
    places_taken: int
    organisations: int  # reached: those of the people with a place
    held: bool
    people: int = 0  # different people who signed up
    returning: int = 0  # people with a place who had one at an earlier meetup
    new_organisations: int = 0  # reached here for the first time in the series
    checked_in: int = 0
    booked: int = 0  # places held before the day: not walk-ins
    no_shows: int = 0  # of those booked, not checked in (counted once held)

    @property
    def recorded(self) -> bool:
        """Whether attendance was taken: anyone checked in."""
        return self.checked_in > 0

    @property
    def attended(self) -> int | None:
        """Who came, or None when attendance was not recorded."""
        return self.checked_in if self.recorded else None

    @property
    def no_show_rate(self) -> float | None:
        return _rate(self.no_shows, self.booked) if self.held and self.recorded else None


@dataclass(frozen=True)
class SeriesStats:
    meetups_held: int
    meetups_upcoming: int
    signups: int
    people: int  # different people who signed up
    attended: int
    organisations: list[OrganisationStats]  # of everyone who signed up
    meetups: list[MeetupStats]
    repeat_attendees: int
    organisations_reached: int = 0  # those of the people who had a place
    places_taken: int = 0  # at meetups that have happened
    meetups_recorded: int = 0  # held, with attendance recorded
    no_shows: int = 0  # at those meetups
    booked: int = 0  # places held before the day at those meetups

    @property
    def no_show_rate(self) -> float | None:
        return _rate(self.no_shows, self.booked) if self.meetups_recorded else None


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _organisation_key(name: str) -> str:
    # "Home Office" and "home office " are the same organisation.
    return " ".join(name.split()).casefold()


def _organisation(registration: Registration) -> str:
    return " ".join((registration.domain_organisation or registration.organisation or "Not given").split())


def _people(registrations: list[Registration]) -> Callable[[Registration], str]:
    """Who each sign-up is: its person key, or for one made before keys
    existed, the key of the same user ID on another sign-up, or the user ID
    (a purged one's is unique to it)."""
    keys = {r.slack_user_id: r.person_key for r in registrations if r.person_key}
    return lambda r: r.person_key or keys.get(r.slack_user_id, r.slack_user_id)


def _organisations(registrations: list[Registration], held: set[int]) -> list[OrganisationStats]:
    spellings: dict[str, Counter] = defaultdict(Counter)
    signups: Counter = Counter()
    attended: Counter = Counter()
    org_meetups: dict[str, set[int]] = defaultdict(set)
    for r in registrations:
        key = _organisation_key(_organisation(r))
        spellings[key][_organisation(r)] += 1
        signups[key] += 1
        org_meetups[key].add(r.meetup_id)
        if r.checked_in_at is not None:
            attended[key] += 1
    organisations = [
        OrganisationStats(spellings[key].most_common(1)[0][0], signups[key], attended[key], len(org_meetups[key]))
        for key in signups
    ]
    organisations.sort(key=lambda o: (-o.signups, -o.attended, o.name.casefold()))
    return organisations


def _each_meetup(
    meetups: list[Meetup], registrations: list[Registration], person: Callable[[Registration], str], held: set[int]
) -> tuple[list[MeetupStats], set[str]]:
    """Each meetup in date order, and every organisation reached."""
    rows: dict[int, list[Registration]] = defaultdict(list)
    for r in registrations:
        rows[r.meetup_id].append(r)
    came_before: set[str] = set()
    reached: set[str] = set()
    result = []
    for meetup in meetups:
        with_place = [r for r in rows[meetup.id] if r.status == CONFIRMED]
        people_here = {person(r) for r in with_place}
        organisations_here = {_organisation_key(_organisation(r)) for r in with_place}
        booked = [r for r in with_place if not r.walk_in]
        result.append(
            MeetupStats(
                meetup,
                signups=len(rows[meetup.id]),
                places_taken=len(with_place),
                organisations=len(organisations_here),
                held=meetup.id in held,
                people=len({person(r) for r in rows[meetup.id]}),
                returning=len(people_here & came_before),
                new_organisations=len(organisations_here - reached),
                checked_in=sum(1 for r in with_place if r.checked_in_at is not None),
                booked=len(booked),
                no_shows=sum(1 for r in booked if r.checked_in_at is None),
            )
        )
        came_before |= people_here
        reached |= organisations_here
    return result, reached


def compute(meetups: list[Meetup], registrations: list[Registration], now: datetime) -> SeriesStats:
    counted = {m.id: m for m in meetups if m.status != MEETUP_CANCELLED}
    registrations = [r for r in registrations if r.meetup_id in counted]
    held = {mid for mid, m in counted.items() if m.ends_at <= now}
    person = _people(registrations)
    in_order = sorted(counted.values(), key=lambda m: (m.starts_at, m.id))
    per_meetup, reached = _each_meetup(in_order, registrations, person, held)
    recorded = [m for m in per_meetup if m.held and m.recorded]
    places_by_person: dict[str, set[int]] = defaultdict(set)
    for r in registrations:
        if r.status == CONFIRMED:
            places_by_person[person(r)].add(r.meetup_id)
    return SeriesStats(
        meetups_held=len(held),
        meetups_upcoming=len(counted) - len(held),
        signups=len(registrations),
        people=len({person(r) for r in registrations}),
        attended=sum(m.checked_in for m in recorded),
        organisations=_organisations(registrations, held),
        meetups=per_meetup,
        repeat_attendees=sum(1 for places in places_by_person.values() if len(places) > 1),
        organisations_reached=len(reached),
        places_taken=sum(m.places_taken for m in per_meetup if m.held),
        meetups_recorded=len(recorded),
        no_shows=sum(m.no_shows for m in recorded),
        booked=sum(m.booked for m in recorded),
    )


def series_stats(db: Database, now: datetime) -> SeriesStats:
    with db.read() as session:
        return compute(meetup_store.list_meetups(session), registration_store.list_all_registrations(session), now)
