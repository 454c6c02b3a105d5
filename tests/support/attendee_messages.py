"""Organisers messaging a meetup's attendees (`/meetup message`), and what the attendees receive."""

from __future__ import annotations

from storage.models import AttendeeMessage
from tests.support.app import ORGANISER
from tests.support.messages import dms_to
from tests.support.organising import open_form

NEWS = "The room has changed to 4.12."


def from_organisers(fake, person) -> list[dict]:
    return [d for d in dms_to(fake, person) if "Message from the organisers" in d["text"]]


def preview(bot, text: str = NEWS, audience: str = "both", user_id: str = ORGANISER) -> dict:
    """Write the message in the form; return the preview it shows."""
    form = open_form(bot, "message", user_id=user_id)
    reply = bot.slack.submit_view(form, {"audience": audience, "text": text}, user_id=user_id)
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_action"] == "update", answer
    return answer["view"]


def send(bot, view: dict, user_id: str = ORGANISER) -> dict:
    reply = bot.slack.submit_view(view, {}, user_id=user_id)
    assert reply.status == 200
    return reply.json()


def records(bot) -> list[AttendeeMessage]:
    with bot.db.read() as session:
        return session.query(AttendeeMessage).all()
