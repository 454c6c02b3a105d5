"""Attendance and a session grid, set straight in the database, and the
feedback direct messages as the fake Slack holds them."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import update

from storage import registrations as registration_store
from storage.models import FeedbackResponse, Meetup, Schedule, ScheduledSession
from tests.support.blocks import block_texts, buttons
from tests.support.topic_factories import make_topic


def check_in(db, meetup_id: int, user_id: str, at: datetime) -> None:
    """As the door check-in would: the person came."""
    with db.transaction() as session:
        registration = registration_store.get_registration(session, meetup_id, user_id)
        assert registration is not None, f"{user_id} has not signed up"
        registration.checked_in_at, registration.checked_in_by = at, user_id


def schedule_sessions(db, meetup, titles: list[str], *, now: datetime) -> list[int]:
    """A grid with one session a topic, an hour each; returns the topic ids."""
    topics = [make_topic(db, meetup_id=meetup.id, now=now, title=title, card=False) for title in titles]
    with db.transaction() as session:
        schedule = Schedule(
            meetup_id=meetup.id, rooms=json.dumps([]), slots=json.dumps([]), created_by="U0ORGANISER", created_at=now
        )
        for hour, topic in enumerate(topics):
            starts = meetup.starts_at + timedelta(hours=hour)
            schedule.sessions.append(
                ScheduledSession(
                    topic_id=topic.id,
                    room_name="Thames",
                    room_capacity=40,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=1),
                )
            )
        session.add(schedule)
        session.flush()
        # As storing a grid does (bot/topics/sessions.py).
        session.execute(update(Meetup).where(Meetup.id == meetup.id).values(current_schedule_id=schedule.id))
    return [t.id for t in topics]


def feedback_requests(fake, user_id: str) -> list[dict]:
    """The messages asking this person for feedback, as they are now in their DM."""
    return [m for m in fake.messages(fake.dm_channel(user_id)) if "Thank you for coming" in block_texts(m["blocks"])]


def press_give_feedback(bot, user_id: str, message: dict):
    """Press the message's "Give feedback" button, as Slack sends it."""
    [(_, action_id, value)] = [b for b in buttons(message["blocks"]) if b[0] == "Give feedback"]
    container = {
        "type": "message",
        "message_ts": message["ts"],
        "channel_id": bot.fake.dm_channel(user_id),
        "is_ephemeral": False,
    }
    return bot.slack.block_action(user_id=user_id, action_id=action_id, value=value, container=container)


def responses(db, meetup_id: int) -> list[FeedbackResponse]:
    with db.read() as session:
        return session.query(FeedbackResponse).filter(FeedbackResponse.meetup_id == meetup_id).all()
