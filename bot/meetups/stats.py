"""Participation across the series: the community the meetups exist to build.

- a *sign-up* is anyone who signed up (whatever happened next), at a meetup
  that was not cancelled;
- someone *attended* when they held a place at a meetup that has ended (the
  bot does not take a register at the door);
- a meetup *brought together* the organisations of the people with a place;
- a *repeat attendee* held a place at more than one meetup.

`compute` is pure, so the rules are tested without a database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
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
    organisations: int  # among the people with a place
    held: bool


@dataclass(frozen=True)
class SeriesStats:
    meetups_held: int
    meetups_upcoming: int
    signups: int
    people: int  # different people who signed up
    attended: int
    organisations: list[OrganisationStats]
    meetups: list[MeetupStats]
    repeat_attendees: int


def _organisation_key(name: str) -> str:
    # "Home Office" and "home office " are the same organisation.
    return " ".join(name.split()).casefold()


def compute(meetups: list[Meetup], registrations: list[Registration], now: datetime) -> SeriesStats:
    counted = {m.id: m for m in meetups if m.status != MEETUP_CANCELLED}
    registrations = [r for r in registrations if r.meetup_id in counted]
    held = {mid for mid, m in counted.items() if m.ends_at <= now}

    spellings: dict[str, Counter] = defaultdict(Counter)
    signups: Counter = Counter()
    attended: Counter = Counter()
    org_meetups: dict[str, set[int]] = defaultdict(set)
    per_meetup_orgs: dict[int, set[str]] = defaultdict(set)
    per_meetup_signups: Counter = Counter()
    per_meetup_places: Counter = Counter()
    places_by_person: dict[str, set[int]] = defaultdict(set)
    for r in registrations:
        key = _organisation_key(r.organisation or "Not given")
        spellings[key][" ".join((r.organisation or "Not given").split())] += 1
        signups[key] += 1
        org_meetups[key].add(r.meetup_id)
        per_meetup_signups[r.meetup_id] += 1
        if r.status == CONFIRMED:
            per_meetup_places[r.meetup_id] += 1
            per_meetup_orgs[r.meetup_id].add(key)
            places_by_person[r.slack_user_id].add(r.meetup_id)
            if r.meetup_id in held:
                attended[key] += 1

    organisations = [
        OrganisationStats(spellings[key].most_common(1)[0][0], signups[key], attended[key], len(org_meetups[key]))
        for key in signups
    ]
    organisations.sort(key=lambda o: (-o.signups, -o.attended, o.name.casefold()))
    per_meetup = [
        MeetupStats(m, per_meetup_signups[m.id], per_meetup_places[m.id], len(per_meetup_orgs[m.id]), m.id in held)
        for m in sorted(counted.values(), key=lambda m: (m.starts_at, m.id))
    ]
    return SeriesStats(
        meetups_held=len(held),
        meetups_upcoming=len(counted) - len(held),
        signups=len(registrations),
        people=len({r.slack_user_id for r in registrations}),
        attended=sum(attended.values()),
        organisations=organisations,
        meetups=per_meetup,
        repeat_attendees=sum(1 for places in places_by_person.values() if len(places) > 1),
    )


def series_stats(db: Database, now: datetime) -> SeriesStats:
    with db.read() as session:
        return compute(meetup_store.list_meetups(session), registration_store.list_all_registrations(session), now)
