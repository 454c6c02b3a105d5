"""Fixtures: real databases (SQLite files, a throwaway PostgreSQL), a fake
Slack on loopback, and the app served by its real HTTP server."""

from __future__ import annotations

import os
import threading
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from bot.settings import load_settings
from storage.db import Database
from storage.migrate import upgrade
from tests.pg import PostgresCluster, find_pg_bin
from tests.slack_requests import SlackSender

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
CHANNEL = "C0MEETUP"
ORGANISER = "U0ORGANISER"


class Clock:
    """An injectable clock, so tests move time instead of sleeping."""

    def __init__(self, now: datetime | None = None):
        self.now = now or datetime(2027, 1, 10, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


# Databases ------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_cluster():
    bin_dir = find_pg_bin()
    if bin_dir is None:
        message = "PostgreSQL is not installed here (no initdb): install the postgresql package to run these tests"
        if os.environ.get("MEETUP_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    cluster = PostgresCluster(bin_dir).start()
    # Migrate once into a template; each test copies it, which is much
    # faster than migrating a fresh database every time.
    cluster.execute("CREATE DATABASE meetup_template")
    template = Database(cluster.url("meetup_template"))
    upgrade(template.engine)
    template.dispose()
    yield cluster
    cluster.stop()


def _postgres_url(cluster: PostgresCluster) -> str:
    name = "t_" + uuid.uuid4().hex[:12]
    cluster.execute(f"CREATE DATABASE {name} TEMPLATE meetup_template")
    return cluster.url(name)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """Run the test on SQLite and again on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'meetup.db'}"
        upgrade_db = Database(url)
        upgrade(upgrade_db.engine)
        upgrade_db.dispose()
        return url
    return _postgres_url(request.getfixturevalue("pg_cluster"))


@pytest.fixture
def sqlite_url(tmp_path):
    url = f"sqlite:///{tmp_path / 'meetup.db'}"
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    return url


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture
def clock():
    return Clock()


# Slack ---------------------------------------------------------------------


@pytest.fixture
def fake_slack():
    from tests.fakeslack import FakeSlack

    from bot.runtime.check import manifest_scopes

    fake = FakeSlack()
    # The workspace granted what manifest.yml asks for, as when the app is installed from it.
    fake.scopes = list(manifest_scopes())
    fake.start()
    fake.add_channel(CHANNEL, name="open-source-meetups")
    fake.add_user(ORGANISER, real_name="Olu Organiser", email="olu.organiser@justice.gov.uk")
    yield fake
    fake.stop()
    assert fake.violations == [], f"the app called Slack in ways Slack would reject: {fake.violations}"


def settings_env(fake, database_url: str, **overrides) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": database_url,
        "MEETUP_CHANNEL_ID": CHANNEL,
        "ORGANISER_USER_IDS": ORGANISER,
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


@dataclass
class RunningBot:
    url: str
    slack: SlackSender
    fake: object
    db: Database
    clock: Clock
    deps: object


def _run_until_closed(server) -> None:
    # Closing waitress from another thread can make its select loop trip over
    # the closed socket; after close that is expected, not a failure.
    try:
        server.run()
    except (OSError, ValueError):
        if not getattr(server, "closing", False):
            raise


def stop_bot(running: "RunningBot", server, thread) -> None:
    server.closing = True
    server.close()
    thread.join(timeout=5)
    running.db.dispose()


def start_bot(fake, database_url: str, clock: Clock, **overrides):
    """The real app behind the real HTTP server, on a free loopback port."""
    from bot.runtime.app import create_app
    from bot.runtime.server import make_http_server

    settings = load_settings(settings_env(fake, database_url, **overrides))
    database = Database(settings.database_url)
    app, deps = create_app(settings, database, clock=clock)
    server = make_http_server(app, database, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=_run_until_closed, args=(server,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.effective_port}"
    running = RunningBot(url, SlackSender(url, SIGNING_SECRET), fake, database, clock, deps)
    return running, server, thread


@pytest.fixture
def bot(fake_slack, database_url, clock):
    running, server, thread = start_bot(fake_slack, database_url, clock)
    yield running
    stop_bot(running, server, thread)


@pytest.fixture
def sqlite_bot(fake_slack, sqlite_url, clock):
    running, server, thread = start_bot(fake_slack, sqlite_url, clock)
    yield running
    stop_bot(running, server, thread)

