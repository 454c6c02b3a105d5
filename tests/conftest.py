"""Fixtures: real databases (SQLite files, a throwaway PostgreSQL), a fake
Slack on loopback, and the app served by its real HTTP server."""

from __future__ import annotations

import os

import pytest

from storage.db import Database
from storage.migrate import upgrade
from tests.support.app import CHANNEL, ORGANISER, Clock, start_bot, stop_bot
from tests.support.pg import PostgresCluster, find_pg_bin, postgres_url

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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path):
    """Run the test on SQLite and again on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'meetup.db'}"
        upgrade_db = Database(url)
        upgrade(upgrade_db.engine)
        upgrade_db.dispose()
        return url
    return postgres_url(request.getfixturevalue("pg_cluster"))


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
    from bot.runtime.check import manifest_scopes
    from tests.support.fakeslack import FakeSlack

    fake = FakeSlack()
    # The workspace granted what manifest.yml asks for, as when the app is installed from it.
    fake.scopes = list(manifest_scopes())
    fake.start()
    fake.add_channel(CHANNEL, name="open-source-meetups")
    fake.add_user(ORGANISER, real_name="Olu Organiser", email="olu.organiser@justice.gov.uk")
    yield fake
    fake.stop()
    assert fake.violations == [], f"the app called Slack in ways Slack would reject: {fake.violations}"


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


# Slack's limits --------------------------------------------------------------


class _BrokenLimits:
    def __init__(self) -> None:
        self.records: list[str] = []

    def write(self, record) -> None:
        self.records.append(record.getMessage())


@pytest.fixture(autouse=True)
def _calendar_files_made_afresh():
    """Files and agendas are reused within a process (bot.meetups.calendar),
    keyed by ids that each test's own database gives again."""
    from bot.meetups.calendar import forget_made

    forget_made()


@pytest.fixture(autouse=True)
def fail_on_broken_slack_limits():
    """A message the app fitted that Slack would still refuse is a bug in a
    builder: bot/common/slack_limits.py logs it, and here the test fails."""
    import logging

    seen = _BrokenLimits()
    handler = logging.Handler(level=logging.ERROR)
    handler.emit = seen.write  # type: ignore[method-assign]
    logger = logging.getLogger("bot.common.slack_limits")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
    assert not seen.records, f"Slack would refuse what the app sent: {seen.records}"
