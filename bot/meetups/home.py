"""What the App Home shows a person: upcoming meetups with their own status
and, for organisers, the counts and who waits for approval."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.meetups.agenda import GridSession, grid_in
from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage import stale_homes as stale_store
from storage.db import Database
from storage.models import MEETUP_CANCELLED, PENDING, Meetup, Registration

log = logging.getLogger(__name__)

# Slack's views.publish is a Tier 4 method, "100+ per minute" for the app
# (https://api.slack.com/methods/views.publish, rate limits:
# https://docs.slack.dev/apis/web-api/rate-limits). The worker uses half, so
# the Home tabs drawn when people open them, from the same budget, still fit.
HOME_PUBLISHES_PER_MINUTE = 50
# A worker holds the people it is publishing this long: if it stops half way
# (a crash), another publishes them after it.
_CLAIM = timedelta(minutes=5)
# A Home tab that fails this many rounds in a row (the person left the
# workspace) is no longer tried; it is drawn again when they open it.
_GIVE_UP_AFTER = 5


def home_batch(poll_seconds: int) -> int:
    """How many Home tabs one round of the worker publishes, at most."""
    return max(1, HOME_PUBLISHES_PER_MINUTE * poll_seconds // 60)


@dataclass(frozen=True)
class HomeEntry:
    meetup: Meetup
    counts: dict[str, int]
    mine: Registration | None  # this person's registration, whatever its status
    pending: list[Registration] = field(default_factory=list)  # organisers only
    grid: list[GridSession] = field(default_factory=list)  # the open-space sessions, for the agenda


def home_entries(db: Database, user_id: str, *, now: datetime, organiser: bool, limit: int = 10) -> list[HomeEntry]:
    with db.read() as session:
        meetups = [m for m in meetup_store.list_upcoming_meetups(session, now) if m.status != MEETUP_CANCELLED][:limit]
        return [
            HomeEntry(
                meetup=m,
                counts=registration_store.count_by_status(session, m.id),
                mine=registration_store.get_registration(session, m.id, user_id),
                pending=registration_store.list_registrations(session, m.id, PENDING) if organiser else [],
                grid=grid_in(session, m.id),
            )
            for m in meetups
        ]


def home_opened(db: Database, user_id: str, *, now: datetime) -> None:
    """Slack asks for a person's Home tab each time they open it; from
    then on it is also drawn again when their status changes."""
    with db.transaction() as session:
        stale_store.record_viewer(session, user_id, now=now)


def refresh_stale_homes(db: Database, *, now: datetime, publish: Callable[[str], bool], limit: int) -> int:
    """Publish the Home tab of up to `limit` people whose status changed;
    `publish(user_id)` says whether Slack took it. A failed one stays for
    the next round. Returns how many were published."""
    with db.read() as session:  # most rounds find none: no write lock
        if not stale_store.any_due(session, now):
            return 0
    with db.transaction() as session:
        claimed = stale_store.claim(session, now, limit=limit, until=now + _CLAIM)
    published = [(user_id, version) for user_id, version in claimed if publish(user_id)]
    failed = [pair for pair in claimed if pair not in published]
    with db.transaction() as session:
        stale_store.clear(session, published)
        dropped = stale_store.release(session, failed, give_up_after=_GIVE_UP_AFTER)
    if dropped:
        log.warning("Gave up publishing %d Home tabs after %d tries", len(dropped), _GIVE_UP_AFTER)
    return len(published)
