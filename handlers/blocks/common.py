"""Pieces every feature's Block Kit uses: text blocks, buttons, a meetup's details, a one-message modal.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_when
from bot.common.slack_limits import VIEW_TITLE, shorten
from bot.signups.eligibility import audience_sentence
from storage.models import Meetup


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def plain(text: str) -> dict:
    return {"type": "plain_text", "text": text}


def button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    element = {"type": "button", "text": plain(text), "action_id": action_id, "value": value}
    if style:
        element["style"] = style
    return element


DETAIL_FIELD = 800


def meetup_details(meetup: Meetup, tz: ZoneInfo) -> str:
    # Each typed field within DETAIL_FIELD after escaping, so the three fit in one section.
    lines = [
        f"*{shorten(escape(meetup.title), DETAIL_FIELD)}*",
        f"*When:* {format_when(meetup.starts_at, meetup.ends_at, tz)}",
        f"*Where:* {shorten(escape(meetup.venue), DETAIL_FIELD)}",
    ]
    if meetup.host_organisation:
        lines.append(f"*Hosted by:* {shorten(escape(meetup.host_organisation), DETAIL_FIELD)}")
    lines.append(f"*Who can come:* {audience_sentence(meetup.audience, meetup.sectors)}")
    return "\n".join(lines)


def message_modal(title: str, text: str) -> dict:
    return {
        "type": "modal",
        "title": plain(shorten(title, VIEW_TITLE)),
        "close": plain("Close"),
        "blocks": [section(text)],
    }
