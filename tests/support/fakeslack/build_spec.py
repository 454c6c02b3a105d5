"""Regenerate tests/support/fakeslack/spec.json from Slack's Web API OpenAPI (Swagger 2.0) spec.

Usage:
    python tests/support/fakeslack/build_spec.py SPEC_PATH [OUT_PATH]

SPEC_PATH is slackapi/slack-api-specs `web-api/slack_web_openapi_v2_without_examples.json`
(a copy lives in ../shared/slack/). OUT_PATH defaults to spec.json beside this script.

The fake Slack only needs, per method: the argument names it accepts, which of them are
required, and the OAuth scopes. The 2021 spec predates some methods and arguments that
current slack_sdk sends, so HAND_ADDED below patches those in; every patch is listed in the
output's "_added" field so nobody mistakes it for Slack's own data.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

# Methods the 2021 spec lacks but slack_sdk (3.48) calls. Argument lists are taken from
# slack_sdk/web/client.py and docs.slack.dev. "required_one_of" means: at least one of
# these must be present (Slack's "arg_groups").
ADDED_METHODS: dict[str, dict] = {
    "files.getUploadURLExternal": {
        "args": ["filename", "length", "alt_txt", "snippet_type"],
        "required": ["filename", "length"],
        "scopes": ["files:write"],
        "http_method": "GET",
    },
    "files.completeUploadExternal": {
        "args": ["files", "channel_id", "channels", "initial_comment", "thread_ts"],
        "required": ["files"],
        "scopes": ["files:write"],
        "http_method": "POST",
    },
    # Socket Mode: needs an app-level token (xapp-) with connections:write. No arguments.
    "apps.connections.open": {
        "args": [],
        "required": [],
        "scopes": ["connections:write"],
        "http_method": "POST",
    },
}

# Arguments of methods the spec does list, which the spec lacks but slack_sdk 3.48's
# WebClient sends (keyword-only parameters of the matching WebClient method that are not
# in the spec). Found by comparing the two; keep in sync when slack_sdk is upgraded
# (tests/e2e/test_fakeslack.py checks this).
ADDED_ARGS: dict[str, list[str]] = {
    "admin.apps.approve": ["enterprise_id"],
    "admin.apps.restrict": ["enterprise_id"],
    "admin.users.invite": ["email_password_policy_enabled"],
    "admin.users.list": ["include_deactivated_user_workspaces", "is_active"],
    "bots.info": ["team_id"],
    "chat.postEphemeral": ["markdown_text"],
    "chat.postMessage": ["container_id", "metadata", "markdown_text"],
    "chat.scheduleMessage": ["metadata", "markdown_text"],
    "chat.scheduledMessages.list": ["team_id"],
    "chat.unfurl": ["source", "unfurl_id", "metadata", "user_auth_blocks"],
    "chat.update": ["file_ids", "reply_broadcast", "metadata", "markdown_text"],
    "conversations.create": ["team_id"],
    "conversations.history": ["include_all_metadata"],
    "conversations.invite": ["force"],
    "conversations.list": ["team_id"],
    "conversations.replies": ["include_all_metadata"],
    "dnd.info": ["team_id"],
    "files.list": ["team_id"],
    "oauth.v2.access": ["grant_type", "refresh_token"],
    "reactions.list": ["team_id"],
    "reminders.add": ["team_id", "recurrence"],
    "reminders.complete": ["team_id"],
    "reminders.delete": ["team_id"],
    "reminders.info": ["team_id"],
    "reminders.list": ["team_id"],
    "search.messages": ["cursor", "team_id"],
    "stars.list": ["team_id"],
    "team.accessLogs": ["team_id", "cursor", "limit"],
    "team.billableInfo": ["team_id"],
    "team.info": ["domain", "include_slackbot_availability"],
    "team.integrationLogs": ["team_id"],
    "usergroups.create": ["team_id"],
    "usergroups.disable": ["team_id"],
    "usergroups.enable": ["team_id"],
    "usergroups.list": ["team_id"],
    "usergroups.update": ["team_id"],
    "usergroups.users.list": ["team_id"],
    "usergroups.users.update": ["team_id"],
    "users.conversations": ["team_id"],
    "users.list": ["team_id"],
    # A modal can be opened from a trigger_id or, in workflow steps/functions, from an
    # interactivity_pointer: Slack requires exactly one of them (see REQUIRED_ONE_OF).
    "views.open": ["interactivity_pointer"],
    "views.push": ["interactivity_pointer"],
}

# Methods whose "required" the 2021 spec states too strictly: Slack now accepts one of
# several arguments instead.
REQUIRED_ONE_OF: dict[str, list[list[str]]] = {
    "views.open": [["trigger_id", "interactivity_pointer"]],
    "views.push": [["trigger_id", "interactivity_pointer"]],
}

COMMENT = (
    "Processed from slackapi/slack-api-specs web-api/slack_web_openapi_v2_without_examples.json "
    "@ bc08db49 (MIT, (c) 2017 SlackAPI) by tests/support/fakeslack/build_spec.py; see SOURCE.md. "
    "Per method: accepted argument names (query/formData parameters, without `token`, which "
    "every method accepts), the required ones and the OAuth scopes (legacy names, as in the 2021 "
    "spec). The spec dates from 2021, so methods and arguments that current slack_sdk sends but "
    "the spec lacks were added by hand: they are listed in _added, and such methods carry "
    '"added": true, such arguments "added_args".'
)


def build(spec: dict) -> dict:
    methods: dict[str, dict] = {}
    for path, operations in sorted(spec["paths"].items()):
        name = path.lstrip("/")
        # Each path has exactly one operation (get or post) in this spec.
        for verb, operation in operations.items():
            params = [p for p in operation.get("parameters", []) if p.get("in") in ("query", "formData")]
            args = sorted({p["name"] for p in params if p["name"] != "token"})
            required = sorted({p["name"] for p in params if p.get("required") and p["name"] != "token"})
            scopes = sorted({s for sec in operation.get("security", []) for s in sec.get("slackAuth", [])} - {"none"})
            methods[name] = {
                "http_method": verb.upper(),
                "args": args,
                "required": required,
                "scopes": scopes,
            }

    added: list[str] = []
    for name, extra in ADDED_ARGS.items():
        entry = methods[name]  # KeyError here means the spec changed: review ADDED_ARGS
        new = sorted(set(extra) - set(entry["args"]))
        if new:
            entry["args"] = sorted(set(entry["args"]) | set(new))
            entry["added_args"] = new
            added.extend(f"{name}:{arg}" for arg in new)
    for name, groups in REQUIRED_ONE_OF.items():
        entry = methods[name]
        in_groups = {arg for group in groups for arg in group}
        entry["required"] = [arg for arg in entry["required"] if arg not in in_groups]
        entry["required_one_of"] = groups
        added.append(f"{name}:required_one_of")
    for name, entry in ADDED_METHODS.items():
        if name in methods:
            raise SystemExit(f"{name} is now in the spec: drop it from ADDED_METHODS")
        methods[name] = {**entry, "args": sorted(entry["args"]), "required": sorted(entry["required"]), "added": True}
        added.append(name)

    return {
        "_comment": COMMENT,
        "_source": {
            "repository": "slackapi/slack-api-specs",
            "path": "web-api/slack_web_openapi_v2_without_examples.json",
            "commit": "bc08db49",
            "licence": "MIT, (c) 2017 SlackAPI",
            "spec_version": spec.get("info", {}).get("version"),
        },
        "_added": sorted(added),
        "methods": dict(sorted(methods.items())),
    }


def dumps(data: dict) -> str:
    """JSON with one method a line, so a regenerated file diffs readably."""
    lines = ["{"]
    for key, value in data.items():
        if key == "methods":
            continue
        lines.append(f"  {json.dumps(key)}: {json.dumps(value)},")
    lines.append('  "methods": {')
    items = list(data["methods"].items())
    for i, (name, entry) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        lines.append(f"    {json.dumps(name)}: {json.dumps(entry)}{comma}")
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    if len(argv) not in (2, 3):
        print(__doc__, file=sys.stderr)
        return 2
    spec = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    out = Path(argv[2]) if len(argv) == 3 else Path(__file__).with_name("spec.json")
    out.write_text(dumps(build(spec)), encoding="utf-8")
    print(f"wrote {out} ({len(spec['paths'])} methods from the spec)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
