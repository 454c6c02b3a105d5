"""Shape checks on what arrives at /slack/events, before Bolt sees it.

Slack always sends well-formed payloads, but a signed request is only as
trustworthy as the secret, and Bolt's own middleware assumes the shape (a
`payload` that is JSON `null` makes it raise). Refusing malformed bodies
here with a 400 keeps one bad request from becoming a 500.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs


# Fields Bolt reads while routing, and the types Slack sends them as.
_FIELD_TYPES = {
    "team": (dict, str),
    "enterprise": (dict, str),
    "user": (dict, str),
    "channel": (dict, str),
    "view": (dict,),
    "message": (dict,),
    "previous_message": (dict,),
    "container": (dict,),
    "event": (dict,),
    "item": (dict,),
    "authorizations": (list,),
    "actions": (list,),
    "is_ext_shared_channel": (bool,),
    "is_enterprise_install": (bool,),
    "type": (str,),
    "callback_id": (str,),
    "challenge": (str,),
    "team_id": (str,),
    "enterprise_id": (str,),
    "user_id": (str,),
    "user_team": (str,),
}


# Slack sends these as null at times (org-wide installs); Bolt copes with that.
_NULLABLE = {"team", "enterprise", "channel", "enterprise_id", "is_enterprise_install"}


def _fields_ok(payload: dict) -> bool:
    for key, types in _FIELD_TYPES.items():
        if key not in payload:
            continue
        value = payload[key]
        if not (isinstance(value, types) or (value is None and key in _NULLABLE)):
            return False
    if any(not isinstance(a, dict) for a in payload.get("authorizations") or []):
        return False
    return all(_fields_ok(payload[key]) for key in ("event", "message", "previous_message", "view", "container")
               if isinstance(payload.get(key), dict))


def _is_str(value) -> bool:
    return isinstance(value, str) and value != ""


def _user_ok(payload: dict) -> bool:
    user = payload.get("user")
    return isinstance(user, dict) and _is_str(user.get("id"))


def _interaction_ok(payload) -> bool:
    if not isinstance(payload, dict) or not _is_str(payload.get("type")) or not _fields_ok(payload):
        return False
    kind = payload["type"]
    if kind == "block_actions":
        actions = payload.get("actions")
        return (_user_ok(payload) and isinstance(actions, list) and bool(actions)
                and all(isinstance(a, dict) and _is_str(a.get("action_id")) for a in actions))
    if kind in ("view_submission", "view_closed"):
        view = payload.get("view")
        return (_user_ok(payload) and isinstance(view, dict) and _is_str(view.get("type"))
                and isinstance(view.get("callback_id", ""), str))
    if kind in ("shortcut", "message_action"):
        return _user_ok(payload) and _is_str(payload.get("callback_id"))
    return True


def _event_ok(payload) -> bool:
    if not isinstance(payload, dict) or not _is_str(payload.get("type")) or not _fields_ok(payload):
        return False
    if payload["type"] == "url_verification":
        return _is_str(payload.get("challenge"))
    if payload["type"] == "event_callback":
        event = payload.get("event")
        return isinstance(event, dict) and _is_str(event.get("type"))
    return True


def is_well_formed(body: str, content_type: str) -> bool:
    if content_type.startswith("application/json"):
        try:
            return _event_ok(json.loads(body))
        except ValueError:
            return False
    form = parse_qs(body, keep_blank_values=True)
    if "payload" in form:
        try:
            return _interaction_ok(json.loads(form["payload"][0]))
        except ValueError:
            return False
    if "ssl_check" in form:
        return True
    if "command" in form:
        # Slack sends every one of these with every slash command.
        return all(_is_str((form.get(key) or [""])[0])
                   for key in ("command", "user_id", "trigger_id", "response_url"))
    return False
