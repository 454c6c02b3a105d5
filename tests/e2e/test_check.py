"""`meetup-bot check` as an operator runs it, against the fake Slack, with a
good set-up and with each thing an operator can get wrong."""

import sqlite3
from datetime import UTC

import pytest

from bot.runtime.check import MANIFEST, manifest_scopes
from tests.support.app import CHANNEL, ORGANISER, settings_env
from tests.support.manifest import ROOT, load_manifest
from tests.support.processes import run


def check(fake, database_url, tmp_path, **overrides):
    result = run(["check"], settings_env(fake, database_url, **overrides), tmp_path)
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout.splitlines()


def failures(lines):
    return [line for line in lines if not line.startswith("PASS ")]


def test_a_good_set_up_passes_every_check(fake_slack, database_url, tmp_path):
    code, lines = check(fake_slack, database_url, tmp_path)
    assert failures(lines) == []
    assert [line.split(":")[0] for line in lines] == [
        "PASS settings",
        "PASS token",
        "PASS mode",
        "PASS pseudonym key",
        "PASS scopes",
        "PASS meetup channel",
        "PASS organisers",
        "PASS database",
        "PASS domain list",
    ]
    assert code == 0
    assert "PASS organisers: Olu Organiser" in lines
    assert "PASS meetup channel: the bot is in #open-source-meetups (MEETUP_CHANNEL_ID) and can post there" in lines
    assert not [c for c in fake_slack.calls if c.method.startswith("chat.")]  # it posts nothing


def test_socket_mode_checks_the_app_token(fake_slack, sqlite_url, tmp_path):
    code, lines = check(fake_slack, sqlite_url, tmp_path, SLACK_APP_TOKEN="xapp-test-token", SLACK_SIGNING_SECRET=None)
    assert code == 0 and "PASS mode: Socket Mode: SLACK_APP_TOKEN opens a connection" in lines

    code, lines = check(fake_slack, sqlite_url, tmp_path, SLACK_APP_TOKEN="xapp-revoked")
    assert code == 1
    assert failures(lines) == [
        "FAIL mode: Socket Mode: Slack refused SLACK_APP_TOKEN (invalid_auth) — generate an app-level token with "
        "the connections:write scope (Basic Information, App-Level Tokens) and turn Socket Mode on, "
        "or unset SLACK_APP_TOKEN for HTTP mode"
    ]


def test_a_missing_pseudonym_key_is_a_warning_that_says_what_the_figures_fall_back_to(fake_slack, sqlite_url, tmp_path):
    code, lines = check(fake_slack, sqlite_url, tmp_path, PSEUDONYM_KEY=None)
    assert code == 0  # the bot works; the figures are at risk only if the secret changes
    assert failures(lines) == [
        "WARN pseudonym key: PSEUDONYM_KEY is not set, so the series figures count people by a hash keyed with "
        "SLACK_SIGNING_SECRET: if that changes, everyone who signs up after the change counts as a new person "
        "— set PSEUDONYM_KEY to a long random value (for example from `openssl rand -hex 32`) and never change it"
    ]


def test_a_wrong_token_is_named_and_the_checks_that_need_it_are_skipped(fake_slack, sqlite_url, tmp_path):
    fake_slack.tokens.discard("xoxb-test-token")  # as if the app had been reinstalled
    code, lines = check(fake_slack, sqlite_url, tmp_path)
    assert code == 1
    assert failures(lines) == [
        "FAIL token: Slack refused SLACK_BOT_TOKEN (invalid_auth) — copy the Bot User OAuth Token (starts xoxb-) "
        "again from OAuth & Permissions in your app's settings into SLACK_BOT_TOKEN",
        "SKIP scopes, channel and organisers: they need a working SLACK_BOT_TOKEN — fix the token first",
    ]
    assert "PASS database: SQLite answers and is migrated (revision " in "\n".join(lines)


def test_a_missing_scope_is_named(fake_slack, sqlite_url, tmp_path):
    fake_slack.scopes.remove("users:read.email")
    fake_slack.scopes.remove("channels:read")
    code, lines = check(fake_slack, sqlite_url, tmp_path)
    assert code == 1
    [line] = failures(lines)
    assert line.startswith(
        "FAIL scopes: SLACK_BOT_TOKEN lacks users:read.email, channels:read, which manifest.yml asks for — "
    )
    assert "reinstall the app" in line


@pytest.mark.parametrize(
    "is_member, archived, expected",
    [
        (
            False,
            False,
            "FAIL meetup channel: the bot is not in #open-source-meetups (MEETUP_CHANNEL_ID), so it cannot "
            "post there — in #open-source-meetups, type /invite @meetupbot",
        ),
        (
            True,
            True,
            "FAIL meetup channel: MEETUP_CHANNEL_ID #open-source-meetups is archived — unarchive it or choose "
            "another channel",
        ),
    ],
)
def test_a_channel_the_bot_cannot_post_in_is_named(fake_slack, sqlite_url, tmp_path, is_member, archived, expected):
    fake_slack.add_channel(CHANNEL, name="open-source-meetups", is_member=is_member)
    fake_slack.channels[CHANNEL]["is_archived"] = archived
    code, lines = check(fake_slack, sqlite_url, tmp_path)
    assert code == 1 and failures(lines) == [expected]


def test_a_channel_that_does_not_exist_is_named(fake_slack, sqlite_url, tmp_path):
    code, lines = check(fake_slack, sqlite_url, tmp_path, MEETUP_CHANNEL_ID="C0NOSUCH")
    assert code == 1
    [line] = failures(lines)
    assert line.startswith("FAIL meetup channel: MEETUP_CHANNEL_ID C0NOSUCH was not found — copy the channel ID")


def test_the_organiser_channel_is_checked_when_set(fake_slack, sqlite_url, tmp_path):
    fake_slack.add_channel("C0ORGS", name="meetup-organisers", is_private=True, is_member=False)
    code, lines = check(fake_slack, sqlite_url, tmp_path, ORGANISER_CHANNEL_ID="C0ORGS")
    assert code == 1
    assert failures(lines) == [
        "FAIL organiser channel: the bot is not in #meetup-organisers (ORGANISER_CHANNEL_ID), "
        "so it cannot post there — in #meetup-organisers, type /invite @meetupbot"
    ]


def test_organisers_who_are_not_people_here_are_named(fake_slack, sqlite_url, tmp_path):
    fake_slack.add_user("U0GONE", real_name="Gone Person", deleted=True)
    fake_slack.add_usergroup("S0EMPTY", [])
    code, lines = check(
        fake_slack,
        sqlite_url,
        tmp_path,
        ORGANISER_USER_IDS=f"{ORGANISER},U0GHOST,U0GONE",
        ORGANISER_USERGROUP_ID="S0EMPTY",
    )
    assert code == 1
    assert failures(lines) == [
        "FAIL organisers: ORGANISER_USER_IDS has U0GHOST, which is not a person in this workspace (user_not_found) "
        "— copy the member ID from their profile (More, Copy member ID)",
        "FAIL organisers: ORGANISER_USER_IDS has U0GONE (Gone Person), whose account is deactivated "
        "— remove them or replace them",
        "FAIL organisers: ORGANISER_USERGROUP_ID S0EMPTY has no members — add the organisers to the user group",
    ]


def test_an_organiser_user_group_counts(fake_slack, sqlite_url, tmp_path):
    fake_slack.add_usergroup("S0ORGS", ["U0A", "U0B"])
    code, lines = check(fake_slack, sqlite_url, tmp_path, ORGANISER_USER_IDS=None, ORGANISER_USERGROUP_ID="S0ORGS")
    assert code == 0 and "PASS organisers: 2 in user group S0ORGS" in lines

    code, lines = check(fake_slack, sqlite_url, tmp_path, ORGANISER_USER_IDS=None, ORGANISER_USERGROUP_ID="S0NOPE")
    assert code == 1 and failures(lines)[0].startswith(
        "FAIL organisers: ORGANISER_USERGROUP_ID S0NOPE could not be read (no_such_subteam)"
    )


def test_no_organisers_at_all_fails(fake_slack, sqlite_url, tmp_path):
    code, lines = check(fake_slack, sqlite_url, tmp_path, ORGANISER_USER_IDS=None)
    assert code == 1 and failures(lines)[0].startswith("FAIL organisers: nobody is an organiser")


def test_an_unmigrated_or_missing_database_is_named(fake_slack, tmp_path):
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    code, lines = check(fake_slack, f"sqlite:///{empty}", tmp_path)
    assert code == 1
    [line] = failures(lines)
    assert line.startswith("FAIL database: SQLite answers but is at revision none, and this version needs ")
    assert line.endswith(" — run `meetup-bot db upgrade`")

    missing = tmp_path / "missing.db"
    code, lines = check(fake_slack, f"sqlite:///{missing}", tmp_path)
    assert failures(lines) == [
        f"FAIL database: the SQLite file {missing} does not exist — run `meetup-bot db upgrade` "
        "to create it, or check DATABASE_URL"
    ]
    assert not missing.exists()  # checking did not create it


def test_a_database_a_newer_version_migrated_is_named(fake_slack, sqlite_url, tmp_path):
    engine = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    with engine:
        engine.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    engine.close()
    code, lines = check(fake_slack, sqlite_url, tmp_path)
    assert code == 1
    assert failures(lines) == [
        "FAIL database: SQLite is at revision 9999_from_the_future, which this version does not know: a newer "
        "version of the bot migrated it — run that newer version, or restore a backup taken before it"
    ]


def test_a_database_that_does_not_answer_is_named_without_its_password(fake_slack, tmp_path):
    from tests.support.processes import free_port

    url = f"postgresql+psycopg://meetup:s3cret-pw@127.0.0.1:{free_port()}/meetup"
    code, lines = check(fake_slack, url, tmp_path)
    assert code == 1
    [line] = failures(lines)
    assert line.startswith("FAIL database: DATABASE_URL did not answer (OperationalError: ")
    assert "s3cret-pw" not in "\n".join(lines)


def test_every_broken_setting_is_reported_by_name_at_once(fake_slack, tmp_path):
    """The issue's test: several things wrong, each named in its own line."""
    fake_slack.scopes.remove("usergroups:read")
    fake_slack.add_channel(CHANNEL, name="open-source-meetups", is_member=False)
    code, lines = check(fake_slack, f"sqlite:///{tmp_path / 'nowhere.db'}", tmp_path, ORGANISER_USER_IDS="U0GHOST")
    assert code == 1
    failed = failures(lines)
    assert [line.split(":")[0] for line in failed] == [
        "FAIL scopes",
        "FAIL meetup channel",
        "FAIL organisers",
        "FAIL database",
    ]
    for line, name in zip(
        failed, ["usergroups:read", "MEETUP_CHANNEL_ID", "ORGANISER_USER_IDS", "db upgrade"], strict=False
    ):
        assert name in line


def test_malformed_settings_are_named_and_nothing_else_is_tried(fake_slack, tmp_path):
    code, lines = check(
        fake_slack, "sqlite:///x.db", tmp_path, MEETUP_CHANNEL_ID="general", SLACK_BOT_TOKEN="xoxp-user-token"
    )
    assert code == 1
    assert lines == [
        "FAIL settings: SLACK_BOT_TOKEN must be the bot token starting xoxb- (OAuth & Permissions in your app's "
        "settings).",
        "FAIL settings: MEETUP_CHANNEL_ID must be a channel ID like C0123456789, not 'general'.",
        "SKIP Slack and database: they need the settings above — fix those first",
    ]
    assert fake_slack.calls == []


def test_check_reads_dot_env(fake_slack, sqlite_url, tmp_path):
    env = settings_env(fake_slack, sqlite_url)
    (tmp_path / ".env").write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    result = run(["check"], {}, tmp_path)
    assert result.returncode == 0, result.stdout


def test_the_packaged_manifest_is_the_repository_one():
    """bot/manifest.yml links to manifest.yml so the wheel (and the container) carries it."""
    assert MANIFEST.resolve() == (ROOT / "manifest.yml").resolve()
    assert manifest_scopes() == load_manifest()["oauth_config"]["scopes"]["bot"]


def test_an_import_the_bot_ignores_is_reported(fake_slack, sqlite_url, tmp_path):
    from datetime import datetime

    from storage.db import Database
    from storage.models import DomainList

    db = Database(sqlite_url)
    with db.transaction() as session:
        session.add(
            DomainList(
                version="old",
                source="an old import",
                built="2026-01-05",
                based_on="2025-12-01",
                domain_count=0,
                domains="{}",
                imported_at=datetime(2026, 1, 5, tzinfo=UTC),
            )
        )
    db.dispose()
    code, lines = check(fake_slack, sqlite_url, tmp_path)
    assert code == 1
    assert failures(lines) == [
        "FAIL domain list: the list imported Monday 5 January 2026 at midnight, laid over an older shipped list "
        "(built 1 December 2025), so it is not used — import a newer copy, or remove it with meetup-bot domains reset"
    ]
