"""Data access for unconference topics."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.db import added
from storage.models import MEETUP_CANCELLED, TOPIC_OPEN, Meetup, Topic


def add_topic(session: Session, topic: Topic) -> Topic:
    return added(session, topic)


def get_topic(session: Session, topic_id: int) -> Topic | None:
    return session.get(Topic, topic_id)


def lock_topic(session: Session, topic_id: int) -> Topic | None:
    """A topic, row-locked until the transaction ends (SQLite: the database is)."""
    return session.scalars(select(Topic).where(Topic.id == topic_id).with_for_update()).one_or_none()


def delete_topic(session: Session, topic_id: int) -> None:
    topic = session.get(Topic, topic_id)
    if topic is not None:
        session.delete(topic)


def list_topics(session: Session, meetup_id: int, statuses: Sequence[str] = (TOPIC_OPEN,)) -> list[Topic]:
    """A meetup's topics in the order they were proposed."""
    return list(
        session.scalars(
            select(Topic)
            .where(Topic.meetup_id == meetup_id, Topic.status.in_(statuses))
            .order_by(Topic.proposed_at, Topic.id)
        )
    )


def list_open_topics_of_finished_meetups(session: Session, now: datetime) -> list[Topic]:
    return list(
        session.scalars(
            select(Topic)
            .join(Meetup)
            .where(Meetup.ends_at <= now, Meetup.status != MEETUP_CANCELLED, Topic.status == TOPIC_OPEN)
            .order_by(Meetup.starts_at, Topic.proposed_at, Topic.id)
        )
    )


def next_meetup_after(session: Session, meetup: Meetup, now: datetime) -> Meetup | None:
    """The first meetup that starts after this one ends and has not ended yet."""
    return session.scalars(
        select(Meetup)
        .where(Meetup.starts_at >= meetup.ends_at, Meetup.ends_at > now, Meetup.status != MEETUP_CANCELLED)
        .order_by(Meetup.starts_at, Meetup.id)
        .limit(1)
    ).first()
