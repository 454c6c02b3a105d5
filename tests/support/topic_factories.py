"""Keyword-only factories for topics and reaction events."""

from __future__ import annotations

import itertools
from datetime import datetime

from bot.topics.topics import TopicForm, attach_card, propose_topic
from bot.topics.votes import ReactionEvent
from storage.db import Database

_cards = itertools.count(1)
_events = itertools.count(1)


def make_topic(
    db: Database,
    *,
    meetup_id: int,
    now: datetime,
    title: str = "Publishing code in the open",
    description: str = "",
    user_id: str = "U0ADA",
    name: str = "Ada Lovelace",
    would_lead: bool = True,
    channel: str = "C0MEETUP",
    ts: str | None = None,
    card: bool = True,
):
    topic, _ = propose_topic(
        db, TopicForm(meetup_id, title, description, would_lead), user_id=user_id, proposer_name=name, now=now
    )
    if card:
        topic.channel, topic.ts = channel, ts or f"1700000000.{next(_cards):06d}"
        attach_card(db, topic.id, channel=topic.channel, ts=topic.ts, permalink=None)
    return topic


def reaction(
    topic, user_id: str, *, at: datetime, added: bool = True, name: str = "+1", event_id: str | None = None
) -> ReactionEvent:
    return ReactionEvent(
        event_id=event_id or f"Ev{next(_events):08d}",
        added=added,
        user_id=user_id,
        reaction=name,
        channel=topic.channel,
        ts=topic.ts,
        happened_at=at,
    )
