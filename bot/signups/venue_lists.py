"""The final list and the change lists: the visitor list goes to the
organisers on its own a set number of working days before the meetup
(FINAL_LIST_WORKING_DAYS, not counting the bank holidays of BANK_HOLIDAYS),
and from then on every change in who has a place goes to them as a short
change list, so the building's security desk can be kept up to date.

Both are queued by the worker (bot/runtime/worker.py), through the outbox,
in the transaction that records them: the final list once a meetup
(meetups.final_list_sent_at, under the meetup's lock), and a change list
once a round at most, holding everything since the last one. Who was on the
list last sent is stored (venue_list_entries), so the difference survives
restarts; it is deleted with the meetup's personal data.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.common.formatting import plural
from bot.common.outbox import enqueue_channel_post, enqueue_dm
from bot.common.working_days import WorkingDays
from bot.signups.export import Catering, catering
from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage import venue_lists as store
from storage.db import Database
from storage.models import CONFIRMED, Meetup, Registration, VenueListEntry

# The final list arrives at the start of the working day, for the organisers
# to pass on that day.
FINAL_LIST_TIME = time(9, 0)
FINAL_LIST_KIND, CHANGE_LIST_KIND = "final_list", "change_list"

# (blocks, fallback text, file to attach or None)
Message = tuple[list[dict], str, dict | None]
# Where the organisers are told about a meetup: (channel or user id, whether a channel).
Recipients = Callable[[object, Meetup], list[tuple[str, bool]]]


@dataclass(frozen=True)
class Changes:
    """Who has a place now and was not on the list last sent, and who was and no longer has one."""

    added: list[Registration]
    removed: list[VenueListEntry]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    def digest(self) -> str:
        """Names this change in the outbox's key without naming anyone: two
        change lists queued at the same moment are never taken for one."""
        lines = sorted(f"+{r.id}:{r.full_name}:{r.organisation}" for r in self.added)
        lines += sorted(f"-{e.registration_id}:{e.full_name}:{e.organisation}" for e in self.removed)
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


class ListMessages(Protocol):
    """Draws the messages; handlers/venue_lists.py implements it: bot/ decides, handlers/ draws."""

    def final(self, meetup: Meetup, confirmed: list[Registration], needs: Catering) -> Message: ...

    def changes(self, meetup: Meetup, changes: Changes, confirmed: int) -> Message: ...


def final_list_due(starts_at: datetime, working_days: int, tz: ZoneInfo, calendar: WorkingDays) -> datetime:
    day = calendar.before(starts_at.astimezone(tz).date(), working_days)
    return datetime.combine(day, FINAL_LIST_TIME, tzinfo=tz).astimezone(UTC)


def _queue(session, meetup: Meetup, message: Message, recipients: Recipients, *, kind: str, key: str, now) -> list[int]:
    blocks, text, attachment = message
    queued = []
    for to, channel in recipients(session, meetup):
        enqueue = enqueue_channel_post if channel else enqueue_dm
        queued.append(
            enqueue(
                session,
                to,
                blocks,
                text,
                key=f"{key}:{to}",
                kind=kind,
                attachment=attachment,
                meetup_id=meetup.id,
                now=now,
            )
        )
    return queued


def queue_changes(
    session, meetup: Meetup, changes: Changes, *, messages: ListMessages, recipients: Recipients, now: datetime
) -> list[int]:
    """Queue a change list, in the caller's transaction; returns the deliveries' ids."""
    message = messages.changes(meetup, changes, registration_store.count_confirmed(session, meetup.id))
    key = f"{CHANGE_LIST_KIND}:{meetup.id}:{now.timestamp():.6f}:{changes.digest()}"
    return _queue(session, meetup, message, recipients, kind=CHANGE_LIST_KIND, key=key, now=now)


def changes_since_sent(session, meetup_id: int) -> Changes:
    """The difference between the list last sent and who has a place now.
    A changed name or organisation is the old line removed and the new one added."""
    confirmed = registration_store.list_registrations(session, meetup_id, CONFIRMED)
    sent = store.list_entries(session, meetup_id)
    sent_lines = {(e.registration_id, e.full_name, e.organisation) for e in sent}
    now_lines = {(r.id, r.full_name, r.organisation) for r in confirmed}
    return Changes(
        [r for r in confirmed if (r.id, r.full_name, r.organisation) not in sent_lines],
        [e for e in sent if (e.registration_id, e.full_name, e.organisation) not in now_lines],
    )


def _record_sent(session, meetup_id: int, changes: Changes, now: datetime) -> None:
    store.remove_entries(session, changes.removed)
    entries = [
        VenueListEntry(
            meetup_id=meetup_id, registration_id=r.id, full_name=r.full_name, organisation=r.organisation, sent_at=now
        )
        for r in changes.added
    ]
    store.add_entries(session, entries)


def queue_final_lists(
    db: Database,
    *,
    now: datetime,
    working_days: int,
    tz: ZoneInfo,
    calendar: WorkingDays,
    messages: ListMessages,
    recipients: Recipients,
) -> int:
    """Queue the final list of every meetup whose time for it has come, once
    each; returns how many. 0 working days: final lists are off."""
    queued = 0
    due = [m.id for m in _final_lists_due(db, now=now, working_days=working_days, tz=tz, calendar=calendar)]
    for meetup_id in due:
        with db.transaction() as session:
            meetup = meetup_store.lock_meetup(session, meetup_id)
            if meetup is None or meetup.final_list_sent_at is not None:
                continue  # another worker took it
            confirmed = registration_store.list_registrations(session, meetup_id, CONFIRMED)
            message = messages.final(meetup, confirmed, catering(confirmed))
            key = f"{FINAL_LIST_KIND}:{meetup_id}"
            _queue(session, meetup, message, recipients, kind=FINAL_LIST_KIND, key=key, now=now)
            queued += 1
            _record_sent(session, meetup_id, Changes(confirmed, store.list_entries(session, meetup_id)), now)
            meetup.final_list_sent_at = now
    return queued


def _final_lists_due(
    db: Database, *, now: datetime, working_days: int, tz: ZoneInfo, calendar: WorkingDays
) -> list[Meetup]:
    if not working_days:
        return []
    # A meetup on the day N + 1 working days from today, or later, has its
    # list due tomorrow at the earliest; a day more for the time zone.
    today = now.astimezone(tz).date()
    horizon = now + timedelta(days=(calendar.after(today, working_days + 1) - today).days + 1)
    with db.read() as session:  # most polls find none: no write lock
        candidates = store.list_final_list_candidates(session, now, horizon)
    return [m for m in candidates if final_list_due(m.starts_at, working_days, tz, calendar) <= now]


def describe_due_lists(
    db: Database, *, now: datetime, working_days: int, tz: ZoneInfo, calendar: WorkingDays
) -> list[str]:
    """What queue_final_lists and queue_change_lists would send now, for
    `meetup-bot reminders run-due --dry-run`. Reads only."""
    lines = [
        f"Would send the final visitor list for meetup {m.id} ({m.title}) to the organisers"
        for m in _final_lists_due(db, now=now, working_days=working_days, tz=tz, calendar=calendar)
    ]
    with db.read() as session:
        for meetup in store.list_meetups_with_final_list(session, now):
            changes = changes_since_sent(session, meetup.id)
            if changes:
                lines.append(
                    f"Would send a change list for meetup {meetup.id} ({meetup.title}) to the organisers: "
                    f"{plural(len(changes.added), 'person', 'people')} to add, {len(changes.removed)} to remove"
                )
    return lines


def queue_change_lists(db: Database, *, now: datetime, messages: ListMessages, recipients: Recipients) -> int:
    """Queue one change list for each meetup whose list changed since the
    last one sent; returns how many."""
    with db.read() as session:
        changed = [m.id for m in store.list_meetups_with_final_list(session, now) if changes_since_sent(session, m.id)]
    queued = 0
    for meetup_id in changed:
        with db.transaction() as session:
            meetup = meetup_store.lock_meetup(session, meetup_id)
            changes = changes_since_sent(session, meetup_id) if meetup is not None else None
            if meetup is None or not changes:
                continue  # another worker sent it
            queue_changes(session, meetup, changes, messages=messages, recipients=recipients, now=now)
            _record_sent(session, meetup_id, changes, now)
            queued += 1
    return queued
