"""A contractor asking for a place, and the approval request as the organisers see it and press it."""

from __future__ import annotations

from tests.support.blocks import block_texts
from tests.support.signup import GOOD_ANSWERS

SAM = "U0SAM"
CONTRACTOR = {
    **GOOD_ANSWERS,
    "full_name": "Sam Contractor",
    "organisation": "Acme Digital",
    "role": "contractor",
    "government_team": "GDS, GOV.UK Pay",
}


def requests_posted(fake) -> list:
    return [c for c in fake.calls_to("chat.postMessage") if "asked for a place" in block_texts(c.args.get("blocks"))]


def request_shown(fake, channel) -> str:
    """The approval request as the organiser sees it now ("" if none)."""
    shown = [m for m in fake.messages(channel) if "asked for a place" in block_texts(m.get("blocks"))]
    return str(shown[-1]["blocks"]) if shown else ""


def press(bot, organiser, action_id, registration_id, channel):
    [message] = [m for m in bot.fake.messages(channel) if "asked for a place" in block_texts(m.get("blocks"))]
    reply = bot.slack.block_action(
        user_id=organiser,
        action_id=action_id,
        value=str(registration_id),
        container={"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False},
        response_url=bot.fake.response_url(),
    )
    assert reply.status == 200
