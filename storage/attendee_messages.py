"""Data access for organisers' messages to attendees (the record, not the text)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import added
from storage.models import AttendeeMessage


def find_by_key(session: Session, message_key: str) -> AttendeeMessage | None:
    return session.scalar(select(AttendeeMessage).where(AttendeeMessage.message_key == message_key))


def add_attendee_message(session: Session, message: AttendeeMessage) -> AttendeeMessage:
    return added(session, message)


def list_attendee_messages(session: Session, meetup_id: int) -> list[AttendeeMessage]:
    query = select(AttendeeMessage).where(AttendeeMessage.meetup_id == meetup_id)
    return list(session.scalars(query.order_by(AttendeeMessage.sent_at, AttendeeMessage.id)))
