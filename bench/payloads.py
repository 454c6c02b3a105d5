"""Request bodies as Slack sends them, built by tests/support/slack_requests.py (so the
benchmark and the tests send the same thing), plus Events API reactions.

A request here is a plain dict, so it can cross to the load generator's
process as JSON: {"body": str, "content_type": str, "headers": {...}}.
Signing happens at send time (bench/load.py), as Slack signs each delivery.
"""

from __future__ import annotations

import json
import uuid

from tests.support.slack_requests import SlackSender

TEAM_ID = "T0001"


class _Capture(SlackSender):
    """SlackSender's payload builders, without sending: post() hands back the request."""

    def __init__(self):
        super().__init__("http://127.0.0.1", "unused", team_id=TEAM_ID)

    def post(self, body: bytes, content_type: str, **kwargs) -> dict:
        return {"body": body.decode("utf-8"), "content_type": content_type, "headers": {}}


_capture = _Capture()


def command(text: str, *, user_id: str, channel_id: str, response_url: str, trigger_id: str | None = None) -> dict:
    """A `/meetup TEXT` slash command. Each has its own trigger_id, as in Slack."""
    return _capture.command(
        text,
        user_id=user_id,
        channel_id=channel_id,
        response_url=response_url,
        trigger_id=trigger_id or f"bench-{uuid.uuid4().hex}",
    )


def submission(view: dict, values: dict, *, user_id: str) -> dict:
    """A modal the app opened, submitted with these answers (block_id -> value)."""
    return _capture.submit_view(view, values, user_id=user_id)


def fill_any_modal(view: dict, text: str) -> dict:
    """Answers for a modal whose questions we do not know in advance (a
    feature built on another branch): `text` in every text box, the first
    option of every required choice."""
    values: dict = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element = block.get("element", {})
        kind = element.get("type")
        if kind == "plain_text_input":
            values[block["block_id"]] = text[: int(element.get("max_length") or len(text))]
        elif kind == "number_input":
            values[block["block_id"]] = "1"
        elif kind in ("static_select", "radio_buttons") and element.get("options") and not block.get("optional"):
            values[block["block_id"]] = element["options"][0]["value"]
    return values


def reaction_event(
    *, added: bool, user_id: str, reaction: str, channel: str, ts: str, event_id: str, event_ts: str, retry_num: int = 0
) -> dict:
    """An Events API delivery of reaction_added or reaction_removed on a message.
    A retry is the same delivery (same event_id) with X-Slack-Retry-Num."""
    payload = _capture.reaction_payload(
        added=added, user_id=user_id, reaction=reaction, channel=channel, ts=ts, event_id=event_id, event_ts=event_ts
    )
    headers = {}
    if retry_num:
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
    return {"body": json.dumps(payload), "content_type": "application/json", "headers": headers}
