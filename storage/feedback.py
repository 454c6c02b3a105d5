"""Data access for feedback after a meetup: who to ask, the anonymous
answers, and the flag on each registration that says its person answered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from storage.db import added, rowcount
from storage.models import MEETUP_CANCELLED, FeedbackResponse, Meetup, Registration, Topic
from storage.schedules import latest_schedule


def list_meetups_to_ask(session: Session, *, ended_after: datetime, now: datetime, lock: bool = False) -> list[Meetup]:
    """Meetups that ended in this window, not cancelled or purged, whose
    people have not been asked yet. With `lock`, another worker skips the ones
    this one takes (FOR UPDATE SKIP LOCKED; on SQLite the transaction holds
    the write lock). The window keeps the query on ix_meetups_ends_at."""
    query = (
        select(Meetup)
        .where(
            Meetup.ends_at > ended_after,
            Meetup.ends_at <= now,
            Meetup.status != MEETUP_CANCELLED,
            Meetup.purged_at.is_(None),
            Meetup.feedback_asked_at.is_(None),
        )
        .order_by(Meetup.id)
    )
    if lock:
        query = query.with_for_update(skip_locked=True)
    return list(session.scalars(query))


def list_checked_in(session: Session, meetup_id: int) -> list[Registration]:
    """The people who came: checked in at the door."""
    return list(
        session.scalars(
            select(Registration)
            .where(Registration.meetup_id == meetup_id, Registration.checked_in_at.is_not(None))
            .order_by(Registration.id)
        )
    )


def add_response(session: Session, response: FeedbackResponse) -> FeedbackResponse:
    return added(session, response)


def list_responses(session: Session, meetup_id: int) -> list[FeedbackResponse]:
    """In the order of their random ids: the order they came in is not kept."""
    return list(
        session.scalars(
            select(FeedbackResponse).where(FeedbackResponse.meetup_id == meetup_id).order_by(FeedbackResponse.id)
        )
    )


def mark_given(session: Session, meetup_id: int, slack_user_id: str) -> bool:
    """Record that this person, who came, answered: False if they had
    already, or did not come, or are not known. One conditional UPDATE, so
    two submissions at once record one answer (the second waits for the
    first's row lock on PostgreSQL; SQLite has one writer)."""
    result = session.execute(
        update(Registration)
        .where(
            Registration.meetup_id == meetup_id,
            Registration.slack_user_id == slack_user_id,
            Registration.checked_in_at.is_not(None),
            Registration.feedback_given.is_(False),
        )
        .values(feedback_given=True)
    )
    return rowcount(result) == 1


def session_topics(session: Session, meetup_id: int) -> list[tuple[int, str]]:
    """(topic id, title) of the sessions in the meetup's current grid, in
    the order they ran, each topic once."""
    schedule = latest_schedule(session, meetup_id)
    if schedule is None:
        return []
    placed = sorted(schedule.sessions, key=lambda s: (s.starts_at, s.room_name, s.id))
    rows = session.execute(select(Topic.id, Topic.title).where(Topic.id.in_([s.topic_id for s in placed])))
    titles = {topic_id: title for topic_id, title in rows}
    ordered = dict.fromkeys(s.topic_id for s in placed if s.topic_id in titles)
    return [(topic_id, titles[topic_id]) for topic_id in ordered]


def latest_ended_meetup(session: Session, now: datetime) -> Meetup | None:
    """The meetup that ended most recently and was not cancelled."""
    return session.scalars(
        select(Meetup)
        .where(Meetup.ends_at <= now, Meetup.status != MEETUP_CANCELLED)
        .order_by(Meetup.ends_at.desc(), Meetup.id.desc())
        .limit(1)
    ).first()
