"""Data access for session grids (`/meetup schedule`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.db import added
from storage.models import Schedule


def add_schedule(session: Session, schedule: Schedule) -> Schedule:
    return added(session, schedule)


def get_schedule(session: Session, schedule_id: int) -> Schedule | None:
    return session.get(Schedule, schedule_id, options=[selectinload(Schedule.sessions)])


def latest_schedule(session: Session, meetup_id: int) -> Schedule | None:
    """The current grid: the newest one built for the meetup."""
    return session.scalars(
        select(Schedule)
        .options(selectinload(Schedule.sessions))
        .where(Schedule.meetup_id == meetup_id)
        .order_by(Schedule.created_at.desc(), Schedule.id.desc())
        .limit(1)
    ).first()
