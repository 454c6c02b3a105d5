"""Signed requests, as Slack sends them, to the app's /slack/events."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass

from tests.support.fakeslack import blockkit

# The bot's own user, as the fake Slack and the test app know it.
BOT_USER_ID = "U0BOT"


@dataclass
class Response:
    status: int
    body: str
    elapsed: float

    def json(self):
        return json.loads(self.body) if self.body else None

    def refused_by_slack(self) -> list[str]:
        """What Slack would refuse in this answer to its request: blocks over the
        limits in a message, or in the view of response_action update/push."""
        if self.status != 200 or not self.body.startswith("{"):
            return []
        body = self.json()
        if not isinstance(body, dict):
            return []
        if body.get("response_action") in ("update", "push"):
            return blockkit.check_view(body.get("view"), expect_type="modal")
        if body.get("response_action") == "errors":
            errors = body.get("errors")
            # Slack shows each error under its input; it refuses an empty answer.
            return [] if isinstance(errors, dict) and errors else ["response_action errors without errors"]
        return blockkit.check_message_blocks(body["blocks"]) if "blocks" in body else []

    def message(self) -> dict:
        """What Slack shows for an ack: Bolt sends a bare string as plain text
        (Slack shows it as an ephemeral message) and anything richer as JSON."""
        if self.body.startswith("{"):
            return self.json()
        return {"text": self.body}


def sign(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackSender:
    def __init__(self, base_url: str, secret: str, *, team_id: str = "T0001"):
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.team_id = team_id

    def post(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        headers: dict | None = None,
        path: str = "/slack/events",
    ) -> Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        request = urllib.request.Request(
            self.base_url + path,
            data=body,
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": ts,
                "X-Slack-Signature": sign(secret or self.secret, ts, body),
                **(headers or {}),
            },
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=15) as reply:
                response = Response(reply.status, reply.read().decode(), time.perf_counter() - started)
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read().decode(), time.perf_counter() - started)
        # Slack drops an answer it cannot show (the person sees an error): fail here, as that would.
        refused = response.refused_by_slack()
        assert not refused, f"Slack would refuse the app's answer (invalid_blocks): {refused}"
        return response

    def get(self, path: str) -> Response:
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(self.base_url + path, timeout=15) as reply:
                return Response(reply.status, reply.read().decode(), time.perf_counter() - started)
        except urllib.error.HTTPError as error:
            return Response(error.code, error.read().decode(), time.perf_counter() - started)

    def command(
        self,
        text: str,
        *,
        user_id: str,
        channel_id: str = "C0MEETUP",
        command: str = "/meetup",
        trigger_id: str | None = None,
        response_url: str = "https://hooks.slack.com/commands/T0001/1/abc",
        **kwargs,
    ) -> Response:
        form = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "team_domain": "crossgov",
            "channel_id": channel_id,
            "channel_name": "open-source-meetups",
            "user_id": user_id,
            "user_name": user_id.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0MEETUP",
            "response_url": response_url,
            "trigger_id": trigger_id or f"trigger-{uuid.uuid4().hex}",
        }
        body = urllib.parse.urlencode(form).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def interaction(self, payload: dict, **kwargs) -> Response:
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def block_action(
        self,
        *,
        user_id: str,
        action_id: str,
        value: str,
        response_url: str | None = None,
        container: dict | None = None,
        view: dict | None = None,
        **kwargs,
    ) -> Response:
        payload = {
            "type": "block_actions",
            "team": {"id": self.team_id, "domain": "crossgov"},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": self.team_id},
            "api_app_id": "A0MEETUP",
            "token": "legacy-verification-token",
            "trigger_id": f"trigger-{uuid.uuid4().hex}",
            "container": container
            or {"type": "message", "message_ts": "1.0", "channel_id": "D0", "is_ephemeral": False},
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "b",
                    "value": value,
                    "action_ts": str(time.time()),
                }
            ],
        }
        if response_url:
            payload["response_url"] = response_url
        if view:
            payload["view"] = view
        return self.interaction(payload, **kwargs)

    def submit_view(self, view: dict, values: dict[str, str], *, user_id: str, **kwargs) -> Response:
        """Submit a modal the app opened, filling its inputs as a person would.

        `values` maps block_id to the typed text or the chosen option's value
        (a list of values for checkboxes or a multi_static_select, of user IDs for a users select,
        "2027-02-26" for a date, "13:00" for a time).
        """
        state: dict = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element = block["element"]
            value = values.get(block["block_id"])
            kind = element["type"]
            if kind in ("static_select", "radio_buttons"):
                option = next((o for o in element["options"] if o["value"] == value), None)
                entry = {"type": kind, "selected_option": option}
            elif kind == "multi_static_select":  # value: a list of the chosen options' values
                entry = {
                    "type": kind,
                    "selected_options": [o for o in element["options"] if o["value"] in (value or [])],
                }
            elif kind == "checkboxes":
                chosen = value if isinstance(value, list) else [value] if value else []
                entry = {"type": kind, "selected_options": [o for o in element["options"] if o["value"] in chosen]}
            elif kind == "datepicker":  # value: "2027-02-26"
                entry = {"type": kind, "selected_date": value}
            elif kind == "timepicker":  # value: "13:00"
                entry = {"type": kind, "selected_time": value}
            elif kind == "multi_users_select":  # value: a list of user IDs
                entry = {"type": kind, "selected_users": list(value or [])}
            else:
                entry = {"type": kind, "value": value}
            state[block["block_id"]] = {element["action_id"]: entry}
        payload = {
            "type": "view_submission",
            "team": {"id": self.team_id, "domain": "crossgov"},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": self.team_id},
            "api_app_id": "A0MEETUP",
            "token": "legacy-verification-token",
            "trigger_id": f"trigger-{uuid.uuid4().hex}",
            "view": {**view, "id": view.get("id", "V0"), "state": {"values": state}},
            "response_urls": [],
        }
        return self.interaction(payload, **kwargs)

    def reaction_payload(
        self, *, added: bool, user_id: str, reaction: str, channel: str, ts: str, event_id: str, event_ts: str
    ) -> dict:
        """An Events API delivery of reaction_added or reaction_removed on one of
        the bot's messages, as JSON to post (the benchmark sends it too)."""
        return {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "api_app_id": "A0MEETUP",
            "event": {
                "type": "reaction_added" if added else "reaction_removed",
                "user": user_id,
                "reaction": reaction,
                "item_user": BOT_USER_ID,
                "item": {"type": "message", "channel": channel, "ts": ts},
                "event_ts": event_ts,
            },
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(float(event_ts)),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": self.team_id,
                    "user_id": BOT_USER_ID,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
