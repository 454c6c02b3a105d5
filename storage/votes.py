"""Data access for votes: voting reactions on topic cards, and the Events API
deliveries already applied."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.db import rowcount
from storage.models import CONFIRMED, ProcessedEvent, Registration, Topic, VoteReaction
from storage.upserts import insert_for


def _insert(session: Session, model):
    return insert_for(session.get_bind().dialect.name)(model)


def claim_event(session: Session, event_id: str, now: datetime) -> bool:
    """Record that this event is being applied; False if it already was.

    Run in the same transaction as the change the event makes: if that rolls
    back, so does the claim, and Slack's retry is applied instead. On
    PostgreSQL a second transaction inserting the same id waits for the first
    to commit, then inserts nothing.
    """
    statement = _insert(session, ProcessedEvent).values(event_id=event_id, received_at=now)
    statement = statement.on_conflict_do_nothing(index_elements=["event_id"]).returning(ProcessedEvent.event_id)
    # RETURNING, not rowcount: drivers do not all report a rowcount for upserts.
    return session.execute(statement).first() is not None


def purge_processed_events(session: Session, before: datetime) -> int:
    """Slack stops retrying an event within the hour; older ids are never needed."""
    return rowcount(session.execute(delete(ProcessedEvent).where(ProcessedEvent.received_at < before)))


def set_reaction(
    session: Session, *, topic_id: int, user_id: str, reaction: str, present: bool, changed_at: datetime
) -> bool:
    """Store that a reaction is (or is no longer) on a card, unless what is
    stored already reflects a later change. Returns whether it was stored.

    One statement (insert, or update only if newer), so two events for the
    same reaction cannot interleave between a read and a write.
    """
    statement = _insert(session, VoteReaction).values(
        topic_id=topic_id, slack_user_id=user_id, reaction=reaction, present=present, changed_at=changed_at
    )
    statement = statement.on_conflict_do_update(
        index_elements=["topic_id", "slack_user_id", "reaction"],
        set_={"present": statement.excluded.present, "changed_at": statement.excluded.changed_at},
        where=VoteReaction.changed_at < statement.excluded.changed_at,
    )
    return session.execute(statement.returning(VoteReaction.id)).first() is not None


def list_reactions(session: Session, topic_id: int) -> list[VoteReaction]:
    return list(
        session.scalars(select(VoteReaction).where(VoteReaction.topic_id == topic_id).order_by(VoteReaction.id))
    )


def voters_by_topic(session: Session, topic_ids: Iterable[int]) -> dict[int, set[str]]:
    """Who votes for each topic: everyone with at least one voting reaction present."""
    ids = list(topic_ids)
    voters: dict[int, set[str]] = defaultdict(set)
    if not ids:
        return voters
    rows = session.execute(
        select(VoteReaction.topic_id, VoteReaction.slack_user_id)
        .where(VoteReaction.topic_id.in_(ids), VoteReaction.present.is_(True))
        .distinct()
    )
    for topic_id, user_id in rows:
        voters[topic_id].add(user_id)
    return voters


def confirmed_users(session: Session, meetup_id: int) -> set[str]:
    """People with a confirmed place at a meetup."""
    return set(
        session.scalars(
            select(Registration.slack_user_id).where(
                Registration.meetup_id == meetup_id, Registration.status == CONFIRMED
            )
        )
    )


def find_topic_by_card(session: Session, channel: str, ts: str) -> Topic | None:
    return session.scalars(select(Topic).where(Topic.channel == channel, Topic.ts == ts)).one_or_none()
