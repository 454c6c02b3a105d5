"""Signing up through the modal, as a person would."""

from __future__ import annotations

ADA = "U0ADA"

GOOD_ANSWERS = {"full_name": "Ada Lovelace", "organisation": "Cabinet Office", "role": "civil_servant"}


def open_modal(bot, user_id=ADA):
    before = len(bot.fake.calls_to("views.open"))
    reply = bot.slack.command("signup", user_id=user_id)
    assert reply.status == 200
    calls = bot.fake.wait_for("views.open", count=before + 1)
    return reply, calls[-1].args["view"]
