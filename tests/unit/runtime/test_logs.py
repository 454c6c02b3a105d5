"""Logs: one line per request and per call to Slack, JSON on request, and never
a token or an email address, checked on what the real server writes."""

import io
import json
import logging
import os
import signal
import subprocess
import threading

import pytest

from bot.runtime.logs import configure, redact
from bot.runtime.request_log import describe
from tests.support.app import BOT_TOKEN, ORGANISER, SIGNING_SECRET, settings_env
from tests.support.processes import BIN, free_port, run
from tests.support.slack_requests import SlackSender

ADA_EMAIL = "ada.lovelace@justice.gov.uk"


def test_redact_blanks_slack_tokens_and_email_addresses():
    text = (
        "bot xoxb-123-456-abcDEF user xoxp-1-2 refresh xoxe-1-zz app xapp-1-A0-99-f00 "
        "mail Ada.Lovelace+meetup@digital.cabinet-office.gov.uk, ok"
    )
    assert redact(text) == (
        "bot xox?-[redacted] user xox?-[redacted] refresh xox?-[redacted] app xapp-[redacted] mail [email redacted], ok"
    )


def test_each_kind_of_secret_is_redacted_on_its_own_and_a_plain_line_is_kept():
    """redact() skips lines that hold none of the patterns' markers: each
    pattern must still catch its kind when it is alone on a line."""
    assert redact("DETAIL: Key (slack_user_id)=(U0ADA) already exists.") == (
        "DETAIL: Key (slack_user_id)=([values redacted])"
    )
    assert redact("Failing row contains (7, Ada Lovelace, halal).") == "Failing row contains ([values redacted])"
    assert redact("[SQL: INSERT ...]\n[parameters: ('Ada', 'halal')]") == "[SQL: INSERT ...]\n[parameters redacted]"
    assert redact("token xoxb-1-2") == "token xox?-[redacted]"
    assert redact("app xapp-1-2") == "app xapp-[redacted]"
    assert redact("from ada@example.gov.uk") == "from [email redacted]"
    plain = "request kind=command name=/meetup signup status=200 outcome=ok duration_ms=4"
    assert redact(plain) is plain


def test_every_route_into_a_line_is_redacted(tmp_path):
    """Message arguments, structured fields and tracebacks all pass the filter."""
    stream = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    configure("json", stream=stream)
    try:
        log = logging.getLogger("test.redaction")
        log.warning("token %s for %s", BOT_TOKEN, ADA_EMAIL, extra={"fields": {"who": ADA_EMAIL}})
        try:
            raise RuntimeError(f"Slack refused xapp-1-secret for {ADA_EMAIL}")
        except RuntimeError:
            log.exception("it failed")
    finally:
        root.handlers[:], root.level = saved
    output = stream.getvalue()
    assert BOT_TOKEN not in output and "xapp-1-secret" not in output and ADA_EMAIL not in output
    first, second = [json.loads(line) for line in output.splitlines()]
    assert first["message"] == "token xox?-[redacted] for [email redacted]"
    assert first["who"] == "[email redacted]" and first["level"] == "WARNING"
    assert "RuntimeError: Slack refused xapp-[redacted] for [email redacted]" in second["exception"]


def test_a_request_is_described_without_what_anyone_typed():
    assert describe({"command": "/meetup", "text": "propose My talk about ada@x.gov.uk"}) == (
        "command",
        "/meetup propose",
    )
    assert describe({"command": "/meetup", "text": "ada@x.gov.uk"}) == ("command", "/meetup ?")
    assert describe({"command": "/meetup", "text": ""}) == ("command", "/meetup")
    assert describe({"type": "block_actions", "actions": [{"action_id": "signup_open"}]}) == ("action", "signup_open")
    assert describe({"type": "view_submission", "view": {"callback_id": "signup"}}) == ("view_submission", "signup")
    assert describe({"type": "event_callback", "event": {"type": "reaction_added"}}) == ("event", "reaction_added")
    assert describe({"type": "block_actions", "actions": [{"action_id": "a b@c.uk"}]}) == ("action", "?")


class Server:
    """`meetup-bot serve` in a subprocess, its standard error read as it comes."""

    def __init__(self, fake_slack, tmp_path, **overrides):
        db_url = f"sqlite:///{tmp_path / 'meetup.db'}"
        created = run(
            [
                "event",
                "create",
                "--title",
                "Open source meetup",
                "--starts",
                "2030-02-22T13:00",
                "--ends",
                "2030-02-22T17:00",
                "--venue",
                "102 Petty France",
                "--capacity",
                "60",
            ],
            {"DATABASE_URL": db_url},
            tmp_path,
        )
        assert created.returncode == 0, created.stderr
        port = free_port()
        env = {"PATH": os.environ["PATH"], **settings_env(fake_slack, db_url, PORT=str(port), **overrides)}
        self.process = subprocess.Popen(
            [str(BIN), "serve"], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
        )
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        url = f"http://127.0.0.1:{port}"
        self.slack = SlackSender(url, SIGNING_SECRET)
        self.wait_for_line("Listening on")

    def _read(self):
        for line in self.process.stderr:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()

    def wait_for_line(self, text: str, timeout: float = 15) -> str:
        with self._changed:
            found = self._changed.wait_for(lambda: any(text in line for line in self.lines), timeout)
        assert found, f"no log line with {text!r} in:\n" + "\n".join(self.lines)
        return next(line for line in self.lines if text in line)

    def stop(self) -> str:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=10)
        self._reader.join(timeout=5)  # it ends at the end of the stream
        return "\n".join(self.lines)


def sign_up_ada(fake_slack, slack, *, dm_fails=False):
    fake_slack.add_user("U0ADA", real_name="Ada Lovelace", email=ADA_EMAIL)
    assert slack.command("signup", user_id="U0ADA").status == 200
    view = fake_slack.wait_for("views.open")[0].args["view"]
    assert ADA_EMAIL in view["private_metadata"]  # so the submission below carries it
    reply = slack.submit_view(
        view,
        {"full_name": "Ada Lovelace", "organisation": "Ministry of Justice", "role": "civil_servant"},
        user_id="U0ADA",
    )
    assert reply.status == 200
    if not dm_fails:  # a failed call is not recorded: the caller waits for its log line
        fake_slack.wait_for("chat.postMessage")


@pytest.mark.slow
def test_json_logs_have_a_line_per_request_and_per_slack_call_and_no_secrets(fake_slack, tmp_path):
    server = Server(fake_slack, tmp_path, LOG_FORMAT="json")
    slack = server.slack
    try:
        sign_up_ada(fake_slack, slack)
        # A click the app has no listener for: Bolt warns and quotes its action
        # id, which here holds an email address and tokens.
        unhandled = slack.block_action(
            user_id="U0ADA", action_id=f"{ADA_EMAIL} {BOT_TOKEN} xapp-1-A0-secret", value="x"
        )
        assert unhandled.status == 404
        forged = slack.command("list", user_id=ORGANISER, secret="not-the-signing-secret")
        assert forged.status == 401
        server.wait_for_line('"outcome": "rejected"')
        server.wait_for_line('"method": "chat.postMessage"')  # the DM went out after the ack
    finally:
        stderr = server.stop()

    for secret in (ADA_EMAIL, BOT_TOKEN, "xapp-1-A0-secret", SIGNING_SECRET):
        assert secret not in stderr
    lines = [json.loads(line) for line in stderr.splitlines()]  # every line is JSON
    assert any("[email redacted]" in line["message"] for line in lines)  # the unhandled-request warning

    requests = [line for line in lines if line.get("event") == "request"]
    assert [(r["kind"], r["name"], r["status"], r["outcome"]) for r in requests] == [
        ("command", "/meetup signup", 200, "ok"),
        ("view_submission", "signup", 200, "ok"),
        ("action", "?", 404, "unhandled"),
        ("command", "/meetup list", 401, "rejected"),
    ]
    assert all(isinstance(r["duration_ms"], int) and r["mode"] == "http" for r in requests)

    calls = [(line["method"], line["outcome"]) for line in lines if line.get("event") == "slack_api"]
    assert ("auth.test", "ok") in calls  # the token check at start
    assert ("users.info", "ok") in calls and ("views.open", "ok") in calls
    assert ("chat.postMessage", "ok") in calls  # the DM confirming the place
    assert all(isinstance(line["duration_ms"], int) for line in lines if line.get("event") == "slack_api")


@pytest.mark.slow
def test_text_logs_say_the_same_in_words_and_failed_deliveries_say_why(fake_slack, tmp_path):
    fake_slack.fail_next("chat.postMessage", error="not_in_channel", times=1)
    server = Server(fake_slack, tmp_path)
    try:
        sign_up_ada(fake_slack, server.slack, dm_fails=True)
        server.wait_for_line("method=chat.postMessage")
    finally:
        stderr = server.stop()
    assert ADA_EMAIL not in stderr and BOT_TOKEN not in stderr
    assert (
        "meetup.request: request mode=http kind=view_submission name=signup status=200 outcome=ok duration_ms="
        in stderr
    )
    assert "meetup.slack: slack_api method=chat.postMessage outcome=not_in_channel duration_ms=" in stderr
