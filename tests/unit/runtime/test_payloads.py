"""bot/payloads.read_request: what reaches Bolt's listeners, and what gets a 400."""

import json
import urllib.parse

import pytest

from bot.runtime.payloads import read_request

FORM = "application/x-www-form-urlencoded"
COMMAND = {
    "command": "/meetup",
    "text": "signup",
    "user_id": "U0ADA",
    "trigger_id": "t1",
    "response_url": "https://hooks.slack.com/commands/1",
}


def read(body: str, content_type: str = FORM):
    return read_request(body, headers={"content-type": [content_type]})


def form(**fields) -> str:
    return urllib.parse.urlencode(fields)


def interaction(payload, *, before: str = "") -> str:
    return before + form(payload=json.dumps(payload))


def test_a_slash_command_is_read_as_its_form():
    request = read(form(**COMMAND))
    assert request.body["command"] == "/meetup" and request.body["text"] == "signup"


def test_a_command_that_says_payload_is_read_as_a_command_not_an_interaction():
    request = read(form(**{**COMMAND, "text": "propose Signing webhook payloads", "channel_name": "payloads"}))
    assert request.body["text"] == "propose Signing webhook payloads"
    assert request.context.user_id == "U0ADA"
    # Bolt checks the signature against the body exactly as Slack sent it.
    assert request.raw_body == form(
        **{**COMMAND, "text": "propose Signing webhook payloads", "channel_name": "payloads"}
    )


def test_an_interaction_is_read_wherever_its_payload_field_is():
    payload = {"type": "block_actions", "user": {"id": "U0ADA"}, "actions": [{"action_id": "signup"}]}
    assert read(interaction(payload)).body["type"] == "block_actions"
    assert read(interaction(payload, before="ssl=0&")).body["type"] == "block_actions"


def test_an_event_is_read_with_or_without_a_charset():
    event = json.dumps({"type": "event_callback", "event": {"type": "reaction_added"}})
    assert read(event, "application/json").body["event"]["type"] == "reaction_added"
    assert read(event, "application/json; charset=utf-8") is not None


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("", FORM),
        ("payload=null", FORM),
        ("payload=%5B%5D", FORM),
        ("payload=not+json", FORM),
        (interaction({"type": "block_actions", "user": {"id": "U0ADA"}, "actions": []}), FORM),
        (interaction({"type": "view_submission", "user": "U0ADA", "view": {"type": "modal"}}), FORM),
        (form(**{**COMMAND, "trigger_id": ""}), FORM),
        # Fields Bolt reads, with types it does not expect, in a form it re-reads.
        ("text=payload&authorizations=x", FORM),
        ("text=payload&response_urls=x", FORM),
        ("[1, 2]", "application/json"),
        ("null", "application/json"),
        ('{"type": "event_callback", "event": "reaction_added"}', "application/json"),
        ("x" * 50, FORM),
    ],
)
def test_what_is_not_a_slack_request_is_refused_not_raised(body, content_type):
    assert read(body, content_type) is None
