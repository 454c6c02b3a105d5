"""The fake Slack behaves like Slack towards the real slack_sdk and Bolt clients."""

from __future__ import annotations

import ast
import inspect
import json
import socket
import time
from pathlib import Path

import pytest
import slack_sdk.web.client
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from tests.support.fakeslack import FakeSlack, build_spec, close_quickly

SHARED_SPEC = Path(__file__).resolve().parents[3] / "shared" / "slack" / "slack_web_openapi_v2_without_examples.json"

MODAL = {
    "type": "modal",
    "callback_id": "signup",
    "title": {"type": "plain_text", "text": "Sign up"},
    "submit": {"type": "plain_text", "text": "Sign up"},
    "blocks": [
        {
            "type": "input",
            "block_id": "organisation",
            "label": {"type": "plain_text", "text": "Organisation"},
            "element": {"type": "plain_text_input", "action_id": "value"},
        }
    ],
}


@pytest.fixture
def fake():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def client(fake):
    return WebClient(token="xoxb-test-token", base_url=fake.api_url)


def error_of(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    return excinfo.value.response["error"]


# ---------------------------------------------------------------- messages


def test_post_message_is_recorded_and_answered_like_slack(fake, client):
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*Meetup*"}}]
    first = client.chat_postMessage(channel="C0GENERAL", text="Meetup", blocks=blocks)
    second = client.chat_postMessage(channel="C0GENERAL", text="Again")

    assert first["channel"] == "C0GENERAL"
    assert first["message"]["user"] == fake.bot_user_id
    assert first["message"]["bot_id"] == fake.bot_id
    assert first["message"]["blocks"] == blocks
    assert float(second["ts"]) > float(first["ts"])
    (call, _) = fake.calls_to("chat.postMessage")
    assert call.args == {"channel": "C0GENERAL", "text": "Meetup", "blocks": blocks}
    assert call.headers["content-type"].startswith("application/json")  # slack_sdk sends chat.* as JSON
    assert [m["text"] for m in fake.messages("C0GENERAL")] == ["Meetup", "Again"]
    assert fake.violations == []


def test_form_encoded_json_arguments_are_decoded(fake, client):
    blocks = [{"type": "section", "text": {"type": "plain_text", "text": "hi"}}]
    client.api_call("chat.postMessage", params={"channel": "C0GENERAL", "blocks": json.dumps(blocks)})

    assert fake.calls_to("chat.postMessage")[0].args["blocks"] == blocks


def test_chat_update_edits_the_stored_message(fake, client):
    posted = client.chat_postMessage(channel="C0GENERAL", text="Draft")
    client.chat_update(channel="C0GENERAL", ts=posted["ts"], text="Final")

    assert [m["text"] for m in fake.messages("C0GENERAL")] == ["Final"]
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_update(channel="C0GENERAL", ts="1.000000", text="x")
    assert error_of(excinfo) == "message_not_found"


def test_channels_the_bot_cannot_post_in(fake, client):
    fake.add_channel("C0PRIVATE", name="private", is_member=False)

    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C0PRIVATE", text="x")
    assert error_of(excinfo) == "not_in_channel"
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C0NOSUCH", text="x")
    assert error_of(excinfo) == "channel_not_found"
    assert client.conversations_info(channel="C0PRIVATE")["channel"]["is_member"] is False
    assert fake.violations == []  # Slack errors about state are not misuse


def test_direct_messages_use_a_stable_dm_channel(fake, client):
    fake.add_user("U1", real_name="Ada Lovelace", email="ada@example.gov.uk")

    opened = client.conversations_open(users="U1")
    again = client.conversations_open(users="U1")
    client.chat_postMessage(channel=opened["channel"]["id"], text="You have a place")

    assert opened["channel"]["id"] == again["channel"]["id"] == fake.dm_channel("U1")
    assert again["already_open"] is True
    assert fake.messages(fake.dm_channel("U1"))[0]["text"] == "You have a place"


def test_invalid_blocks_are_rejected_as_slack_does(fake, client):
    block = {"type": "section", "block_id": "same", "text": {"type": "mrkdwn", "text": "x"}}

    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel="C0GENERAL", text="x", blocks=[block, block])

    assert error_of(excinfo) == "invalid_blocks"
    assert "block_id already exists" in excinfo.value.response["response_metadata"]["messages"][0]
    assert len(fake.violations) == 1


# ---------------------------------------------------------------- checking names


def test_unknown_method_is_rejected_and_recorded(fake, client):
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("chat.postMesage", json={"channel": "C0GENERAL", "text": "x"})

    assert error_of(excinfo) == "unknown_method"
    assert fake.violations == ["chat.postMesage: unknown method"]
    assert fake.calls == []


def test_unknown_argument_is_rejected_and_recorded(fake, client):
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("chat.postMessage", json={"channel": "C1", "text": "x", "nonsense": 1})

    assert error_of(excinfo) == "invalid_arguments"
    assert excinfo.value.response["response_metadata"]["messages"] == ["unknown argument: nonsense"]
    assert fake.violations == ["chat.postMessage: unknown argument: nonsense"]


def test_missing_required_argument_is_rejected(fake, client):
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("usergroups.users.list", params={})

    assert error_of(excinfo) == "invalid_arguments"
    assert fake.violations == ["usergroups.users.list: missing required argument: usergroup"]


def test_a_request_cut_off_by_the_client_is_not_a_violation(fake, client):
    # What a server killed in the middle of a Web API call leaves behind.
    for content_type, partial in (
        ("application/json", b'{"channel": "C0GEN'),
        ("application/x-www-form-urlencoded", b"channel=C0GENERAL&te"),
    ):
        with socket.create_connection(("127.0.0.1", fake.port)) as connection:
            connection.sendall(
                b"POST /api/chat.postMessage HTTP/1.1\r\nHost: slack.com\r\n"
                b"Authorization: Bearer xoxb-test-token\r\nContent-Type: "
                + content_type.encode()
                + b"\r\nContent-Length: 100\r\n\r\n"
                + partial
            )
    client.api_test()  # answered after the cut-off requests were read
    assert fake.violations == []
    assert fake.calls_to("chat.postMessage") == []


def test_tokens(fake):
    def call(token, method="auth.test", **kwargs):
        return WebClient(token=token, base_url=fake.api_url).api_call(method, **kwargs)

    with pytest.raises(SlackApiError) as excinfo:
        call(None)
    assert error_of(excinfo) == "not_authed"
    with pytest.raises(SlackApiError) as excinfo:
        call("xoxb-wrong")
    assert error_of(excinfo) == "invalid_auth"
    with pytest.raises(SlackApiError) as excinfo:
        call("xapp-test-token", "chat.postMessage", json={"channel": "C0GENERAL", "text": "x"})
    assert error_of(excinfo) == "not_allowed_token_type"
    with pytest.raises(SlackApiError) as excinfo:
        call("xoxb-test-token", "apps.connections.open")
    assert error_of(excinfo) == "not_allowed_token_type"

    fake.scopes = ["chat:write", "commands"]
    answer = call("xoxb-test-token")
    assert answer["user_id"] == fake.bot_user_id and answer["bot_id"] == fake.bot_id
    assert answer.headers["x-oauth-scopes"] == "chat:write,commands"
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"


def test_spec_json_has_every_argument_slack_sdk_sends():
    """Every keyword argument of a WebClient method must be in spec.json, or the fake would
    reject a call Slack accepts. Fails after a slack_sdk upgrade adds one: add it to
    ADDED_ARGS in build_spec.py and regenerate."""
    spec = json.loads((Path(build_spec.__file__).with_name("spec.json")).read_text())["methods"]
    tree = ast.parse(inspect.getsource(slack_sdk.web.client))
    web_client = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "WebClient")
    missing = []
    for fn in web_client.body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        calls = [n for n in ast.walk(fn) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "api_call"]
        names = {c.args[0].value for c in calls if c.args and isinstance(c.args[0], ast.Constant)}
        for method in names & spec.keys():
            params = {a.arg for a in fn.args.kwonlyargs} - {"app_token"}
            missing += [f"{method}:{p}" for p in sorted(params - set(spec[method]["args"]))]
    assert missing == []


@pytest.mark.skipif(not SHARED_SPEC.exists(), reason="shared/slack spec not present")
def test_spec_json_is_what_build_spec_makes():
    built = build_spec.dumps(build_spec.build(json.loads(SHARED_SPEC.read_text())))
    assert built == Path(build_spec.__file__).with_name("spec.json").read_text()


# ---------------------------------------------------------------- users, groups, reactions


def test_users_info_returns_what_add_user_set_up(fake, client):
    fake.add_user("U1", real_name="Ada Lovelace", email="ada@example.gov.uk", display_name="ada")

    user = client.users_info(user="U1")["user"]

    assert user["id"] == "U1" and user["real_name"] == "Ada Lovelace" and user["tz"] == "Europe/London"
    assert user["is_bot"] is False
    assert user["profile"]["email"] == "ada@example.gov.uk"
    assert user["profile"]["display_name"] == "ada"
    assert client.users_profile_get(user="U1")["profile"]["real_name"] == "Ada Lovelace"
    with pytest.raises(SlackApiError) as excinfo:
        client.users_info(user="U404")
    assert error_of(excinfo) == "user_not_found"


def test_usergroup_members(fake, client):
    fake.add_usergroup("S1", ["U1", "U2"])

    assert client.usergroups_users_list(usergroup="S1")["users"] == ["U1", "U2"]
    with pytest.raises(SlackApiError) as excinfo:
        client.usergroups_users_list(usergroup="S404")
    assert error_of(excinfo) == "no_such_subteam"


def test_reactions_accumulate_per_message(fake, client):
    ts = client.chat_postMessage(channel="C0GENERAL", text="Topic")["ts"]
    client.reactions_add(channel="C0GENERAL", timestamp=ts, name="+1")
    fake.add_reaction("C0GENERAL", ts, "+1", "U1")
    fake.add_reaction("C0GENERAL", ts, "tada", "U2")

    message = client.reactions_get(channel="C0GENERAL", timestamp=ts)["message"]

    assert message["reactions"] == [
        {"name": "+1", "users": [fake.bot_user_id, "U1"], "count": 2},
        {"name": "tada", "users": ["U2"], "count": 1},
    ]
    with pytest.raises(SlackApiError) as excinfo:
        client.reactions_add(channel="C0GENERAL", timestamp=ts, name="+1")
    assert error_of(excinfo) == "already_reacted"


# ---------------------------------------------------------------- views


def test_views_open_and_update(fake, client):
    trigger = fake.new_trigger_id()

    opened = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view={**MODAL, "private_metadata": "42"})

    assert opened["id"].startswith("V") and opened["callback_id"] == "signup" and opened["hash"]
    assert updated["view"]["id"] == opened["id"] and updated["view"]["private_metadata"] == "42"
    assert fake.calls_to("views.open")[0].args == {"trigger_id": trigger, "view": MODAL}
    assert fake.violations == []


def test_trigger_ids_expire_and_are_single_use(fake, client):
    trigger = fake.new_trigger_id()
    client.views_open(trigger_id=trigger, view=MODAL)
    fake.expired_triggers.add("old")

    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id=trigger, view=MODAL)
    assert error_of(excinfo) == "exchanged_trigger_id"
    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id="old", view=MODAL)
    assert error_of(excinfo) == "expired_trigger_id"


def test_modal_breaking_block_kit_limits_is_rejected(fake, client):
    view = {**MODAL, "title": {"type": "plain_text", "text": "Sign up for the cross-government meetup"}}
    del view["submit"]

    with pytest.raises(SlackApiError) as excinfo:
        client.views_open(trigger_id=fake.new_trigger_id(), view=view)

    assert error_of(excinfo) == "invalid_arguments"
    assert excinfo.value.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 25 characters [json-pointer:/view/title/text]",
        "[ERROR] must provide submit when an input block is present [json-pointer:/view/submit]",
    ]


def test_views_publish_home(fake, client):
    fake.add_user("U1", real_name="Ada Lovelace")
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Hi"}}]}

    client.views_publish(user_id="U1", view=home)

    assert fake.home_views["U1"]["blocks"] == home["blocks"]


# ---------------------------------------------------------------- faults


def test_rate_limit_is_retried_after_retry_after(fake):
    client = WebClient(
        token="xoxb-test-token",
        base_url=fake.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)],
    )
    fake.fail_next("chat.postMessage", retry_after=1)

    started = time.monotonic()
    answer = client.chat_postMessage(channel="C0GENERAL", text="Reminder")

    assert answer["ok"] is True
    assert time.monotonic() - started >= 1  # slept for Retry-After (plus up to 1s jitter)
    assert [(f.status, f.response["error"]) for f in fake.failures] == [(429, "ratelimited")]
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_fail_next_with_status_or_error(fake, client):
    fake.fail_next("users.info", status=500)
    fake.fail_next("chat.postMessage", error="fatal_error", times=2)

    with pytest.raises(SlackApiError) as excinfo:
        client.users_info(user=fake.bot_user_id)
    assert excinfo.value.response.status_code == 500
    for _ in range(2):
        with pytest.raises(SlackApiError) as excinfo:
            client.chat_postMessage(channel="C0GENERAL", text="x")
        assert error_of(excinfo) == "fatal_error"
    assert client.chat_postMessage(channel="C0GENERAL", text="x")["ok"] is True
    assert len(fake.failures) == 3


def test_an_outage_fails_every_call_until_it_ends(fake, client):
    fake.outage(60)
    for call in (
        lambda: client.users_info(user=fake.bot_user_id),
        lambda: client.chat_postMessage(channel="C0GENERAL", text="x"),
    ):
        with pytest.raises(SlackApiError) as excinfo:
            call()
        assert excinfo.value.response.status_code == 500
    fake.end_outage()
    assert client.chat_postMessage(channel="C0GENERAL", text="x")["ok"] is True
    fake.outage(60, methods=["chat.postMessage"])
    assert client.users_info(user=fake.bot_user_id)["ok"] is True
    assert len(fake.failures) == 2


def test_wait_for_reports_what_was_called(fake, client):
    client.auth_test()

    with pytest.raises(AssertionError, match=r"chat.postMessage.*\['auth.test'\]"):
        fake.wait_for("chat.postMessage", timeout=0.1)


# ---------------------------------------------------------------- files


def test_files_upload_v2_lands_in_uploads(fake, client):
    answer = client.files_upload_v2(channel="C0GENERAL", content="a,b\n", filename="x.csv", initial_comment="Export")

    file_id = answer["file"]["id"]
    assert fake.uploads[file_id] == b"a,b\n"
    assert fake.file_shares == [
        {"channel": "C0GENERAL", "file_ids": [file_id], "initial_comment": "Export", "thread_ts": None}
    ]
    assert fake.files[file_id]["name"] == "x.csv"
    assert fake.messages("C0GENERAL")[-1]["files"][0]["id"] == file_id
    assert fake.violations == []


# ---------------------------------------------------------------- Socket Mode


@pytest.fixture
def bolt_socket_app(fake):
    from slack_bolt import App
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    # Pass only `client`: Bolt warns when given both token and client, and uses the
    # client's token. The constructor calls auth.test to verify it.
    app = App(client=WebClient(token="xoxb-test-token", base_url=fake.api_url))

    @app.command("/meetup")
    def meetup(ack, command, client, respond):
        ack(f"You said: {command['text']}")
        if command["text"] == "later":
            respond("Done")  # posts to the command's response_url
        if command["text"] == "announce":
            # The injected client is a per-request WebClient (base_url copied from
            # app.client) that adds team_id to every call.
            client.chat_postMessage(channel=command["channel_id"], text="Announcement")

    @app.event("reaction_added")
    def reaction_added(event):
        pass  # Bolt acks handled events only; unhandled ones get no ack at all

    # SocketModeHandler reuses app.client (so apps.connections.open goes to the fake).
    handler = SocketModeHandler(app, app_token="xapp-test-token")
    handler.connect()  # not start(): that blocks forever
    try:
        yield handler
    finally:
        close_quickly(handler)  # handler.close() works too, but stalls for a second


def command_payload(text: str, response_url: str = "https://hooks.slack.com/commands/T0TEST/1/abc") -> dict:
    return {
        "token": "legacy-verification-token",
        "team_id": "T0TEST",
        "team_domain": "test-workspace",
        "channel_id": "C0GENERAL",
        "channel_name": "general",
        "user_id": "U1",
        "user_name": "ada",
        "command": "/meetup",
        "text": text,
        "api_app_id": "A123",
        "response_url": response_url,
        "trigger_id": "1700000000.1.abc",
    }


def test_bolt_app_over_socket_mode(fake, bolt_socket_app):
    fake.wait_for_connection(timeout=5)

    ack = fake.send_envelope("slash_commands", command_payload("signup"))

    assert ack["payload"] == {"text": "You said: signup"}
    assert [c.method for c in fake.calls] == ["auth.test", "apps.connections.open"]
    assert fake.violations == []


def test_listener_client_calls_reach_the_fake(fake, bolt_socket_app):
    fake.wait_for_connection(timeout=5)

    fake.send_envelope("slash_commands", command_payload("announce"))

    (call,) = fake.wait_for("chat.postMessage")
    assert call.args == {"channel": "C0GENERAL", "text": "Announcement", "team_id": "T0TEST"}
    assert fake.violations == []


def test_respond_posts_to_the_response_url(fake, bolt_socket_app):
    fake.wait_for_connection(timeout=5)
    url = fake.response_url()

    fake.send_envelope("slash_commands", command_payload("later", response_url=url))

    assert fake.wait_for_response() == [{"response_url": url, "body": {"text": "Done"}}]


def test_socket_mode_client_reconnects_when_asked(fake, bolt_socket_app):
    fake.wait_for_connection(timeout=5)

    fake.send_disconnect()
    fake.wait_for_connection(timeout=5, count=2)

    assert len(fake.calls_to("apps.connections.open")) == 2  # a fresh URL for the new connection
    assert fake.send_envelope("slash_commands", command_payload("topics"))["payload"]["text"] == "You said: topics"


def test_events_are_acked_without_payload(fake, bolt_socket_app):
    event = {
        "type": "event_callback",
        "team_id": "T0TEST",
        "api_app_id": "A123",
        "event_id": "Ev1",
        "event_time": 1700000000,
        "event": {
            "type": "reaction_added",
            "user": "U1",
            "reaction": "+1",
            "item": {"type": "message", "channel": "C0GENERAL", "ts": "1700000000.000100"},
            "event_ts": "1700000000.000200",
        },
    }
    fake.wait_for_connection(timeout=5)

    ack = fake.send_envelope("events_api", event)

    assert "payload" not in ack
