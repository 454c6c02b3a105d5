"""Data access for session grids (`/meetup schedule`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from storage.db import added
from storage.models import Schedule, ScheduledSession, Topic


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


def current_sessions(session: Session, meetup_id: int) -> list[tuple[ScheduledSession, str]]:
    """The sessions of the current grid with their topics' titles, in the
    order the grid's post shows them: by time, then the biggest room first,
    then as placed (the rooms in the order the organiser entered them);
    empty before the first grid."""
    latest = (
        select(Schedule.id)
        .where(Schedule.meetup_id == meetup_id)
        .order_by(Schedule.created_at.desc(), Schedule.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(ScheduledSession, Topic.title)
        .join(Topic, Topic.id == ScheduledSession.topic_id)
        .where(ScheduledSession.schedule_id == latest)
        .order_by(ScheduledSession.starts_at, ScheduledSession.room_capacity.desc(), ScheduledSession.id)
    )
    return [(row[0], row[1]) for row in rows]
