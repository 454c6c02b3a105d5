"""Organisers' messages to a meetup's attendees (`/meetup message`): one
message to everyone with a place, the waitlist, or both, queued in the
outbox once a person, and recorded (who, when, to whom, how many; not the
text: it stays in the outbox only until it is sent)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.common.formatting import escape
from bot.common.outbox import enqueue_dm_to_registration
from bot.organising.organising import check_changeable
from bot.signups.signups import clean_text
from storage import attendee_messages as message_store
from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage.db import Database
from storage.models import (
    CONFIRMED,
    MESSAGE_AUDIENCES,
    TO_BOTH,
    TO_CONFIRMED,
    TO_WAITLISTED,
    WAITLISTED,
    AttendeeMessage,
    Meetup,
    Registration,
)

# What an organiser may type: room for a few paragraphs, and within one
# section of a message once escaped (see too_long).
MAX_LENGTH = 2000
# One section's text, less room for the line that says who it is from.
MAX_ESCAPED = 2800

_STATUSES = {TO_CONFIRMED: (CONFIRMED,), TO_WAITLISTED: (WAITLISTED,), TO_BOTH: (CONFIRMED, WAITLISTED)}


def clean_message(text: str | None) -> str:
    return clean_text(text, multiline=True)


def message_problem(text: str, audience: str) -> dict[str, str]:
    """Errors by form field, empty when the message can be previewed."""
    errors = {}
    if not text:
        errors["text"] = "Enter a message"
    elif len(text) > MAX_LENGTH or len(escape(text)) > MAX_ESCAPED:
        errors["text"] = f"Message must be {MAX_LENGTH} characters or fewer"
    if audience not in MESSAGE_AUDIENCES:
        errors["audience"] = "Select who should get the message"
    return errors


def check_messageable(meetup: Meetup | None, now: datetime) -> Meetup:
    """The meetup, while its attendees can still be sent news: until it ends
    (a room can change on the day)."""
    return check_changeable(meetup, now, so="you cannot message its attendees", until_end=True)


def _recipients(session, meetup_id: int, audience: str) -> list[Registration]:
    return [
        registration
        for status in _STATUSES[audience]
        for registration in registration_store.list_registrations(session, meetup_id, status)
    ]


def count_recipients(db: Database, meetup_id: int, audience: str) -> int:
    with db.read() as session:
        return len(_recipients(session, meetup_id, audience))


@dataclass(frozen=True)
class SentMessage:
    record: AttendeeMessage
    queued: list[int]
    already_sent: bool = False


def send_to_attendees(
    db: Database,
    meetup_id: int,
    *,
    message_key: str,
    audience: str,
    message: tuple[str, list[dict]],
    sent_by: str,
    now: datetime,
) -> SentMessage:
    """Queue `message` (fallback text, blocks) to each recipient and record
    it, in one transaction. `message_key` names this message: sending it
    again (Send pressed twice) queues nothing and returns the first record."""
    text, blocks = message
    with db.transaction() as session:
        # The meetup's lock puts two presses of Send one after the other, so
        # the second finds the first one's record.
        meetup = check_messageable(meetup_store.lock_meetup(session, meetup_id), now)
        existing = message_store.find_by_key(session, message_key)
        if existing is not None:
            return SentMessage(existing, [], already_sent=True)
        people = _recipients(session, meetup.id, audience)
        record = message_store.add_attendee_message(
            session,
            AttendeeMessage(
                message_key=message_key,
                meetup_id=meetup.id,
                sent_by=sent_by,
                sent_at=now,
                audience=audience,
                recipient_count=len(people),
            ),
        )
        queued = [
            # Someone who cancels before it goes does not get it.
            enqueue_dm_to_registration(
                session,
                person,
                blocks,
                text,
                key=f"attendee_message:{message_key}:{person.id}",
                kind="attendee_message",
                meetup_id=meetup.id,
                now=now,
            )
            for person in people
        ]
        return SentMessage(record, queued)
