"""One-line replies to the person who pressed a button, wherever it was."""

from __future__ import annotations

import logging

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from handlers.blocks.common import message_modal

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
