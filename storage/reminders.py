"""Data access for reminders (the planned reminders of each meetup)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import added
from storage.models import MEETUP_CANCELLED, REMINDER_PENDING, Meetup, Reminder


def list_reminders(session: Session, meetup_id: int) -> list[Reminder]:
    return list(session.scalars(select(Reminder).where(Reminder.meetup_id == meetup_id).order_by(Reminder.due_at)))


def add_reminder(session: Session, reminder: Reminder) -> Reminder:
    return added(session, reminder)


def claim_due_reminders(session: Session, now: datetime, limit: int) -> list[Reminder]:
    """Pending reminders whose time has come, locked so that another worker
    skips them (FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite the
    transaction already holds the write lock)."""
    return list(
        session.scalars(
            select(Reminder)
            .where(Reminder.state == REMINDER_PENDING, Reminder.due_at <= now)
            .order_by(Reminder.due_at, Reminder.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )


def list_due_reminders(session: Session, now: datetime) -> list[Reminder]:
    """The same, without locking: for a dry run."""
    return list(
        session.scalars(
            select(Reminder)
            .where(Reminder.state == REMINDER_PENDING, Reminder.due_at <= now)
            .order_by(Reminder.due_at, Reminder.id)
        )
    )


def has_due_reminders(session: Session, now: datetime) -> bool:
    return (
        session.scalar(select(Reminder.id).where(Reminder.state == REMINDER_PENDING, Reminder.due_at <= now).limit(1))
        is not None
    )


def list_meetups_without_reminders(session: Session, now: datetime, *, lock: bool = False) -> list[Meetup]:
    """Upcoming meetups with no reminder plan: made before reminders existed,
    or by code that did not make one. With `lock`, another worker planning at
    the same moment skips the ones this one takes (FOR UPDATE SKIP LOCKED)."""
    planned = select(Reminder.meetup_id)
    query = (
        select(Meetup)
        .where(Meetup.starts_at > now, Meetup.status != MEETUP_CANCELLED, Meetup.id.not_in(planned))
        .order_by(Meetup.id)
    )
    if lock:
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))
