"""Socket Mode, the path a newcomer tries first: `meetup-bot serve` with
SLACK_APP_TOKEN connects to the fake Slack's WebSocket and handles a slash
command and a modal submission arriving as envelopes."""

import os
import signal
import subprocess
import uuid

import pytest

from bot.signups.signups import find_registration
from storage.db import Database
from storage.models import CONFIRMED, utcnow
from tests.support.app import settings_env
from tests.support.factories import make_meetup
from tests.support.processes import BIN, run


@pytest.mark.slow
def test_socket_mode_carries_a_slash_command_and_a_submission(fake_slack, tmp_path):
    db_url = f"sqlite:///{tmp_path / 'meetup.db'}"
    assert run(["db", "upgrade"], {"DATABASE_URL": db_url}, tmp_path).returncode == 0
    database = Database(db_url)
    meetup = make_meetup(database, now=utcnow())
    fake_slack.add_user("U0ADA", real_name="Ada Lovelace", email="ada@justice.gov.uk")

    env = {
        "PATH": os.environ["PATH"],
        **settings_env(fake_slack, db_url, SLACK_APP_TOKEN="xapp-test-token", SLACK_SIGNING_SECRET=None),
    }
    process = subprocess.Popen(
        [str(BIN), "serve"], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        fake_slack.wait_for_connection(timeout=30)
        ack = fake_slack.send_envelope(
            "slash_commands",
            {
                "token": "legacy",
                "team_id": "T0TEST",
                "channel_id": "C0MEETUP",
                "user_id": "U0ADA",
                "user_name": "ada",
                "command": "/meetup",
                "text": "signup",
                "api_app_id": "A123",
                "response_url": fake_slack.response_url(),
                "trigger_id": f"trigger-{uuid.uuid4().hex}",
            },
        )
        assert "payload" not in ack or not ack["payload"]  # the modal is the answer
        view = fake_slack.wait_for("views.open")[0].args["view"]

        values = {
            "full_name": {"value": {"type": "plain_text_input", "value": "Ada Lovelace"}},
            "organisation": {"value": {"type": "plain_text_input", "value": "Ministry of Justice"}},
            "role": {"value": {"type": "radio_buttons", "selected_option": {"value": "civil_servant"}}},
        }
        ack = fake_slack.send_envelope(
            "interactive",
            {
                "type": "view_submission",
                "team": {"id": "T0TEST"},
                "api_app_id": "A123",
                "user": {"id": "U0ADA", "username": "ada", "team_id": "T0TEST"},
                "view": {**view, "id": "V1", "state": {"values": values}},
            },
        )
        assert not ack.get("payload")  # no errors: the modal closes
        assert find_registration(database, meetup.id, "U0ADA").status == CONFIRMED
        fake_slack.wait_for("chat.postMessage")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        database.dispose()
