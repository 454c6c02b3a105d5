"""Replies to a person: one line for whoever pressed a button, wherever it
was, and direct messages through the outbox."""

from __future__ import annotations

import logging

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.common.outbox import queue_dm_alone
from handlers.blocks.common import message_modal
from handlers.deps import Deps

log = logging.getLogger(__name__)


def tell(client: WebClient, body: dict, text: str, respond: Respond | None = None) -> None:
    """One line for the person who clicked: an ephemeral reply under a message,
    the form replaced in a modal, a small modal on the App Home."""
    view = body.get("view") or {}
    try:
        if body.get("response_url") and respond is not None:
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif view.get("type") == "modal":
            client.views_update(view_id=view["id"], view=message_modal("Meetup bot", text))
        elif body.get("trigger_id"):
            client.views_open(trigger_id=body["trigger_id"], view=message_modal("Meetup bot", text))
    except SlackApiError as error:
        log.warning("Could not tell %s: %s", body.get("user", {}).get("id"), error.response.get("error"))


def queue_dm(
    deps: Deps,
    user_id: str,
    message: list[dict],
    *,
    key: str,
    kind: str,
    fallback: str | None = None,
    meetup_id: int | None = None,
) -> int:
    """Queue a direct message about something already stored, in a
    transaction of its own; returns its id for deps.outbox.deliver_soon.
    A Slack outage delays it, and the same `key` twice sends it once."""
    text = fallback if fallback is not None else message[0]["text"]["text"]
    return queue_dm_alone(deps.db, user_id, message, text, key=key, kind=kind, meetup_id=meetup_id, now=deps.clock())
