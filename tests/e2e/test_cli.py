"""The `meetup-bot` command as an operator runs it: real processes."""

import json
import os
import signal
import subprocess

import pytest

from tests.support.app import ORGANISER, SIGNING_SECRET, settings_env
from tests.support.processes import BIN, free_port, run, wait_for_health
from tests.support.slack_requests import SlackSender


def test_serve_without_settings_says_what_to_set_and_no_traceback(tmp_path):
    result = run(["serve"], {}, tmp_path)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert [line.split(" ")[0] for line in lines] == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "MEETUP_CHANNEL_ID"]
    assert "manifest.yml" in lines[0] and ".env.example" in lines[0]
    assert "Traceback" not in result.stderr


def test_malformed_settings_are_named(tmp_path):
    result = run(
        ["serve"],
        {
            "SLACK_BOT_TOKEN": "xoxp-user-token",
            "SLACK_SIGNING_SECRET": "s",
            "MEETUP_CHANNEL_ID": "general",
            "PORT": "eighty",
            "TIMEZONE": "Mars/Olympus",
            "WEB_CONCURRENCY": "0",
        },
        tmp_path,
    )
    assert result.returncode == 2
    for name in (
        "SLACK_BOT_TOKEN must be the bot token",
        "MEETUP_CHANNEL_ID must be a channel ID",
        "PORT must be a whole number",
        "TIMEZONE must be a time zone name",
        "WEB_CONCURRENCY must be 1 or more",
    ):
        assert name in result.stderr
    assert "Traceback" not in result.stderr


def test_settings_are_read_from_dot_env(tmp_path):
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-dotenv\nMEETUP_CHANNEL_ID=C0123\n")
    result = run(["serve"], {}, tmp_path)
    assert result.stderr.strip().splitlines() == [
        "SLACK_SIGNING_SECRET is not set. Copy it from Basic Information in your app's settings, "
        "or set SLACK_APP_TOKEN to run in Socket Mode."
    ]


def test_event_create_prints_only_the_id_and_list_shows_it(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
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
            "--audience",
            "public-sector",
        ],
        env,
        tmp_path,
    )
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip().isdigit()
    listed = run(["event", "list"], env, tmp_path)
    assert listed.stdout.startswith(
        created.stdout.strip() + "\tOpen source meetup\tFriday 22 February 2030, 1pm to 5pm"
    )


def test_event_create_refuses_impossible_meetups_field_by_field(tmp_path):
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    result = run(
        [
            "event",
            "create",
            "--title",
            "x",
            "--starts",
            "2030-02-22T13:00",
            "--ends",
            "2030-02-22T12:00",
            "--venue",
            " ",
            "--capacity",
            "5",
        ],
        env,
        tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "--venue: Enter the venue",
        "--ends: The end time must be after the start time",
    ]


def test_db_upgrade(tmp_path):
    result = run(["db", "upgrade"], {"DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}, tmp_path)
    assert result.returncode == 0 and "up to date" in result.stderr


@pytest.mark.slow
def test_serve_over_http_signs_someone_up(fake_slack, tmp_path):
    """`meetup-bot serve` as deployed: HTTP mode, migrations on start."""
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
    assert created.returncode == 0
    port = free_port()
    env = {"PATH": os.environ["PATH"], **settings_env(fake_slack, db_url, PORT=str(port))}
    process = subprocess.Popen(
        [str(BIN), "serve"], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        url = f"http://127.0.0.1:{port}"
        assert wait_for_health(url, process) == {"status": "ok", "database": "ok"}
        fake_slack.add_user("U0ADA", real_name="Ada Lovelace", email="ada@justice.gov.uk")
        slack = SlackSender(url, SIGNING_SECRET)
        assert slack.command("signup", user_id="U0ADA").status == 200
        view = fake_slack.wait_for("views.open")[0].args["view"]
        reply = slack.submit_view(
            view,
            {"full_name": "Ada Lovelace", "organisation": "Ministry of Justice", "role": "civil_servant"},
            user_id="U0ADA",
        )
        assert reply.status == 200 and reply.body == ""
        fake_slack.wait_for("chat.postMessage")
        listing = slack.command("list", user_id=ORGANISER).message()
        assert "Ada Lovelace" in json.dumps(listing)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=10)
