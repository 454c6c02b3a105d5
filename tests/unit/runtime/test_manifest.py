"""manifest.yml is a valid Slack app manifest and asks for what the code uses."""

import json
import re

from jsonschema import Draft7Validator
from referencing import Registry, Resource

from tests.support.manifest import ROOT, SCHEMAS, load_manifest

REMOTE = "https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"


def schema_errors(manifest: dict) -> list[str]:
    """Validate offline: the schema's remote $refs resolve to the local copies."""
    root = json.loads((SCHEMAS / "manifest.schema.json").read_text())
    registry = Registry()
    for path in (SCHEMAS / "schemas").glob("*.json"):
        registry = registry.with_resource(REMOTE + path.name, Resource.from_contents(json.loads(path.read_text())))
    return sorted(e.message for e in Draft7Validator(root, registry=registry).iter_errors(manifest))


def test_manifest_is_valid_against_slacks_schema():
    assert schema_errors(load_manifest()) == []


def test_a_broken_manifest_is_caught():
    manifest = load_manifest()
    manifest["features"]["slash_commands"][0]["command"] = "meetup"  # no leading slash
    assert schema_errors(manifest)


# Which Web API methods need which bot scope (Slack's documentation).
SCOPES_FOR = {
    "chat_postMessage": "chat:write",
    "chat_update": "chat:write",
    "conversations_open": "im:write",
    "users_info": "users:read",
    "bots_info": "users:read",  # the app's id, for the public pages' "Open in Slack" button
    "usergroups_users_list": "usergroups:read",
    "reactions_get": "reactions:read",
    "reactions_add": "reactions:write",
    "files_upload_v2": "files:write",
    "files_delete": "files:write",  # a bot deletes the files it uploaded (the purge)
    "conversations_history": "im:history",
    "views_publish": None,
    "views_open": None,
    "views_update": None,
    "chat_getPermalink": None,
    "auth_test": None,
    "apps_connections_open": None,  # app-level token (connections:write), not a bot scope
    "conversations_info": "channels:read",
}


def test_manifest_asks_for_every_scope_the_code_uses():
    source = "\n".join(p.read_text() for d in ("bot", "handlers") for p in (ROOT / d).rglob("*.py"))
    used = set(re.findall(r"client\.(\w+)\(", source))
    scopes = set(load_manifest()["oauth_config"]["scopes"]["bot"])
    for method in used:
        assert method in SCOPES_FOR, f"add {method} and its scope to SCOPES_FOR"
        if SCOPES_FOR[method]:
            assert SCOPES_FOR[method] in scopes, f"{method} needs {SCOPES_FOR[method]} in manifest.yml"
    assert "users:read.email" in scopes and "commands" in scopes


def test_manifest_asks_to_open_group_direct_messages_for_introductions():
    # conversations.open with several users needs mpim:write; reading the
    # group DM's history after an unsure attempt needs mpim:history.
    scopes = set(load_manifest()["oauth_config"]["scopes"]["bot"])
    assert {"mpim:write", "mpim:history"} <= scopes


def test_manifest_command_is_the_one_the_app_listens_for():
    commands = [c["command"] for c in load_manifest()["features"]["slash_commands"]]
    assert commands == ["/meetup"]
    assert '@app.command("/meetup")' in (ROOT / "handlers" / "commands.py").read_text()
