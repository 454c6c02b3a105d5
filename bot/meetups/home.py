"""What the App Home shows a person: upcoming meetups with their own status
and, for organisers, the counts and who waits for approval."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage.db import Database
from storage.models import MEETUP_CANCELLED, PENDING, Meetup, Registration


@dataclass(frozen=True)
class HomeEntry:
    meetup: Meetup
    counts: dict[str, int]
    mine: Registration | None  # this person's registration, whatever its status
    pending: list[Registration] = field(default_factory=list)  # organisers only


def home_entries(db: Database, user_id: str, *, now: datetime, organiser: bool, limit: int = 10) -> list[HomeEntry]:
    with db.read() as session:
        meetups = [
            m for m in meetup_store.list_upcoming_meetups(session, now, status=None) if m.status != MEETUP_CANCELLED
        ][:limit]
        return [
            HomeEntry(
                meetup=m,
                counts=registration_store.count_by_status(session, m.id),
                mine=registration_store.get_registration(session, m.id, user_id),
                pending=registration_store.list_registrations(session, m.id, PENDING) if organiser else [],
            )
            for m in meetups
        ]
