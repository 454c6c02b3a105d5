"""Proposing topics through the modal, as a person would."""

from __future__ import annotations

from storage.models import Topic
from tests.support.app import ORGANISER
from tests.support.organising import eventually


def open_propose_modal(bot, user_id):
    before = len(bot.fake.calls_to("views.open"))
    reply = bot.slack.command("propose", user_id=user_id)
    assert reply.status == 200 and reply.body == ""
    return bot.fake.wait_for("views.open", count=before + 1)[-1].args["view"]


def propose(bot, user_id, title, *, description="", lead="yes", meetup_id=None) -> Topic:
    """Propose through the modal; returns the stored topic once its card is up."""
    view = open_propose_modal(bot, user_id)
    answers = {"title": title, "description": description, "would_lead": lead}
    if meetup_id:
        answers["meetup"] = str(meetup_id)
    reply = bot.slack.submit_view(view, answers, user_id=user_id)
    assert reply.status == 200 and reply.body == "", reply.body  # the modal closes
    bot.clock.advance(seconds=1)
    return eventually(lambda: _topic_with_card(bot, title))


def _topic_with_card(bot, title):
    with bot.db.read() as session:
        from sqlalchemy import select

        topic = session.scalars(select(Topic).where(Topic.title == title).order_by(Topic.id.desc())).first()
        return topic if topic is not None and topic.permalink else None


def open_schedule_modal(bot, user_id=ORGANISER):
    before = len(bot.fake.calls_to("views.open"))
    reply = bot.slack.command("schedule", user_id=user_id)
    assert reply.status == 200 and reply.body == ""
    view = bot.fake.wait_for("views.open", count=before + 1)[-1].args["view"]
    assert view["callback_id"] == "build_schedule"
    return view
