"""Nothing lost: several server processes on one database, and a server
killed with SIGKILL in the middle of a burst."""

import contextlib
import os
import signal
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.signups.signups import overview
from storage.db import Database
from storage.models import CONFIRMED, WAITLISTED, Registration, utcnow
from tests.support.app import SIGNING_SECRET, settings_env
from tests.support.factories import make_meetup
from tests.support.pg import postgres_url
from tests.support.processes import ANSWERS, BIN, free_port, signup_view, stop, wait_for_health
from tests.support.slack_requests import SlackSender


def start_server(fake, database_url, tmp_path):
    port = free_port()
    env = {"PATH": os.environ["PATH"], **settings_env(fake, database_url, PORT=str(port))}
    process = subprocess.Popen(
        [str(BIN), "serve"], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    wait_for_health(url, process)
    return process, SlackSender(url, SIGNING_SECRET)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_servers_500_sign_ups_for_50_places(fake_slack, pg_cluster, tmp_path):
    url = postgres_url(pg_cluster)
    database = Database(url)
    meetup = make_meetup(database, now=utcnow(), capacity=50)
    users = [f"U{n:04d}" for n in range(500)]
    for user in users:
        fake_slack.add_user(user, real_name=user, email=f"{user.lower()}@homeoffice.gov.uk")
    servers = [start_server(fake_slack, url, tmp_path) for _ in range(2)]
    try:
        view = signup_view(fake_slack, servers[0][1], meetup.id)

        def submit(n):
            sender = servers[n % 2][1]
            return sender.submit_view(view, {**ANSWERS, "full_name": users[n]}, user_id=users[n]).status

        with ThreadPoolExecutor(max_workers=50) as pool:
            statuses = list(pool.map(submit, range(500)))
        assert statuses == [200] * 500

        result = overview(database, meetup.id)
        assert len(result.confirmed) == 50
        assert len(result.waitlisted) == 450
        assert [r.waitlist_number for r in result.waitlisted] == list(range(1, 451))
        with database.read() as session:
            rows = session.query(Registration).filter_by(meetup_id=meetup.id).all()
        assert len({r.slack_user_id for r in rows}) == len(rows) == 500
    finally:
        for process, _ in servers:
            stop(process)
        database.dispose()


@pytest.mark.slow
def test_every_acknowledged_sign_up_survives_a_sigkill(fake_slack, tmp_path):
    url = f"sqlite:///{tmp_path / 'meetup.db'}"
    process, sender = start_server(fake_slack, url, tmp_path)
    database = Database(url)
    meetup = make_meetup(database, now=utcnow(), capacity=100)
    users = [f"U{n:04d}" for n in range(300)]
    for user in users:
        fake_slack.add_user(user, real_name=user, email=f"{user.lower()}@homeoffice.gov.uk")
    view = signup_view(fake_slack, sender, meetup.id)

    acknowledged: list[str] = []
    lock = threading.Lock()

    def submit(user):
        reply = sender.submit_view(view, {**ANSWERS, "full_name": user}, user_id=user)
        if reply.status == 200 and reply.body == "":
            with lock:
                acknowledged.append(user)
                if len(acknowledged) == 60:
                    os.kill(process.pid, signal.SIGKILL)  # mid-burst, without warning

    try:
        with ThreadPoolExecutor(max_workers=20) as pool:
            list(pool.map(lambda u: _quietly(submit, u), users))
        process.wait(timeout=15)
        assert process.returncode == -signal.SIGKILL
        assert 60 <= len(acknowledged) < 300

        process, sender = start_server(fake_slack, url, tmp_path)
        with database.read() as session:
            stored = {r.slack_user_id: r.status for r in session.query(Registration).filter_by(meetup_id=meetup.id)}
        missing = [u for u in acknowledged if u not in stored]
        assert missing == []
        assert all(status in (CONFIRMED, WAITLISTED) for status in stored.values())
        assert sum(status == CONFIRMED for status in stored.values()) == min(100, len(stored))
    finally:
        stop(process)
        database.dispose()


def _quietly(function, argument):
    # The server died mid-request: that request was never acknowledged.
    with contextlib.suppress(OSError):
        function(argument)
