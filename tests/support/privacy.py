"""Asking the bot to forget you, as a person would: pressing *Delete my data* after `/meetup forget`."""

from __future__ import annotations

from handlers.privacy import FORGET_ACTION


def press_forget(bot, user_id) -> None:
    bot.clock.advance(minutes=1)
    reply = bot.slack.block_action(
        user_id=user_id, action_id=FORGET_ACTION, value="forget", response_url=bot.fake.response_url()
    )
    assert reply.status == 200
