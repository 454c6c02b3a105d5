"""WEB_CONCURRENCY: several server processes share one port, on SQLite and
on PostgreSQL. Real `meetup-bot serve` processes, signed requests, the fake
Slack."""

import os
import signal
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.signups.signups import overview
from storage.db import Database
from storage.models import utcnow
from tests.support.app import SIGNING_SECRET, settings_env
from tests.support.factories import make_meetup
from tests.support.processes import ANSWERS, BIN, free_port, signup_view, stop, wait_for_health
from tests.support.slack_requests import SlackSender


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except FileNotFoundError:
        return []


def wait_for_children(pid: int, count: int, timeout: float = 30) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = children(pid)
        if len(found) == count:
            return found
        time.sleep(0.1)
    raise AssertionError(f"expected {count} server processes, found {children(pid)}")


def start_forked(fake, database_url, tmp_path, processes=2):
    """`meetup-bot serve` with WEB_CONCURRENCY: that many server processes,
    and one more, the worker, which sends the messages."""
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        **settings_env(fake, database_url, PORT=str(port), WEB_CONCURRENCY=str(processes)),
    }
    process = subprocess.Popen(
        [str(BIN), "serve"], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}"
    wait_for_health(url, process)
    return process, SlackSender(url, SIGNING_SECRET)


def test_two_processes_share_the_port_and_keep_capacity_exact(fake_slack, database_url, tmp_path):
    database = Database(database_url)
    meetup = make_meetup(database, now=utcnow(), capacity=10)
    users = [f"U{n:04d}" for n in range(100)]
    for user in users:
        fake_slack.add_user(user, real_name=user, email=f"{user.lower()}@homeoffice.gov.uk")
    process, sender = start_forked(fake_slack, database_url, tmp_path)
    try:
        wait_for_children(process.pid, 3)
        view = signup_view(fake_slack, sender, meetup.id)
        with ThreadPoolExecutor(max_workers=20) as pool:
            statuses = list(
                pool.map(
                    lambda user: sender.submit_view(view, {**ANSWERS, "full_name": user}, user_id=user).status, users
                )
            )
        assert statuses == [200] * 100
        result = overview(database, meetup.id)
        assert len(result.confirmed) == 10
        assert [r.waitlist_number for r in result.waitlisted] == list(range(1, 91))
        # Each person hears once, whichever process took their sign-up.
        fake_slack.wait_for("chat.postMessage", count=100, timeout=30)
        time.sleep(0.5)
        told = [
            fake_slack.dm_user(c.args["channel"])
            for c in fake_slack.calls_to("chat.postMessage")
            if fake_slack.is_dm_with(c.args["channel"])
        ]
        assert sorted(told) == sorted(users)
    finally:
        stop(process)
        database.dispose()


def test_a_process_that_dies_is_replaced_and_sigterm_stops_them_all(fake_slack, sqlite_url, tmp_path):
    process, sender = start_forked(fake_slack, sqlite_url, tmp_path)
    try:
        first, *others = wait_for_children(process.pid, 3)
        os.kill(first, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while first in children(process.pid) or len(children(process.pid)) < 3:
            assert time.monotonic() < deadline, "the stopped process was not replaced"
            time.sleep(0.1)
        assert set(others) <= set(children(process.pid))
        for _ in range(10):  # whichever process takes each connection, it answers
            assert sender.get("/healthz").status == 200
        fake_slack.add_user("U0ADA", real_name="Ada", email="ada@homeoffice.gov.uk")
        assert sender.command("help", user_id="U0ADA").status == 200
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    remaining = [pid for pid in others if _alive(pid)]
    assert remaining == []


def test_a_port_already_taken_is_named(fake_slack, sqlite_url, tmp_path):
    process, sender = start_forked(fake_slack, sqlite_url, tmp_path)
    try:
        port = sender.base_url.rsplit(":", 1)[1]
        env = {"PATH": os.environ["PATH"], **settings_env(fake_slack, sqlite_url, PORT=port, WEB_CONCURRENCY="2")}
        second = subprocess.run([str(BIN), "serve"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
        assert second.returncode == 2
        assert f"Cannot listen on PORT {port}" in second.stderr and "Traceback" not in second.stderr
    finally:
        stop(process)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_when_the_parent_is_killed_its_server_processes_stop(fake_slack, sqlite_url, tmp_path):
    process, _ = start_forked(fake_slack, sqlite_url, tmp_path)
    servers = wait_for_children(process.pid, 3)
    process.kill()
    process.wait()
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in servers):
        assert time.monotonic() < deadline, "server processes outlived their parent and kept the port"
        time.sleep(0.1)
