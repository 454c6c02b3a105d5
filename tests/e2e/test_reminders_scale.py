"""Issue 5's "done when": 300 people with a place and 20 on the waitlist reach
the day before, Slack answers some calls with 429 and some with 500, and each
of them gets exactly one message: in one process, when `meetup-bot serve` is
killed half-way and started again, and with two servers on one PostgreSQL.

The server processes use the real clock, so their meetup starts in about 20
hours: its day-before time passed 4 hours ago, inside the grace window.
"""

import os
import signal
import subprocess
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.meetups.meetups import get_meetup
from bot.reminders.reminders import reschedule_reminders
from storage.db import Database
from storage.models import DAY_BEFORE, DELIVERY_CLAIMED, DELIVERY_SENT, Reminder, utcnow
from tests.support.app import settings_env
from tests.support.factories import LONDON, make_meetup
from tests.support.messages import channel_posts
from tests.support.pg import postgres_url
from tests.support.processes import BIN, free_port, wait_for_health
from tests.support.reminders import deliveries, register, reminders_of, worker_for

CONFIRMED_COUNT, WAITLISTED_COUNT = 300, 20


def fill_meetup(db, fake, now, *, starts_in):
    meetup = make_meetup(db, now=now, capacity=CONFIRMED_COUNT, starts_in=timedelta(days=30))
    start = (now + starts_in).astimezone(LONDON).replace(second=0, microsecond=0)
    with db.transaction() as session:
        current = session.merge(get_meetup(db, meetup.id))
        current.starts_at, current.ends_at = start, start + timedelta(hours=4)
        reschedule_reminders(session, current, now=now)
    users = [f"U2{n:04d}" for n in range(CONFIRMED_COUNT + WAITLISTED_COUNT)]
    for user in users:
        register(db, fake, meetup, user, now)
    return meetup, users


def slack_misbehaves(fake, *, rate_limits=True):
    """Some 429s (Retry-After: 1 second) and some server errors, spread over the methods."""
    if rate_limits:
        fake.fail_next("chat.postMessage", times=2)
        fake.fail_next("files.getUploadURLExternal", times=1)
    fake.fail_next("chat.postMessage", status=500, times=3)
    # Called only to look for an earlier attempt after a failed post, so
    # these may go unused: the test is about every message arriving once.
    fake.fail_next("conversations.open", status=503, times=2)
    fake.fail_next("files.completeUploadExternal", status=500, times=2)


def assert_each_got_exactly_one(fake, users, meetup_title="Cross-government open source meetup"):
    posts = Counter(
        fake.dm_channel(fake.dm_user(c.args["channel"])) if fake.is_dm_with(c.args["channel"]) else c.args["channel"]
        for c in fake.calls_to("chat.postMessage")
    )
    files = Counter(share["channel"] for share in fake.file_shares)
    confirmed, waitlisted = users[:CONFIRMED_COUNT], users[CONFIRMED_COUNT:]
    assert {u: posts[fake.dm_channel(u)] for u in users} == {u: 1 for u in users}
    assert {u: files[fake.dm_channel(u)] for u in confirmed} == {u: 1 for u in confirmed}
    assert not any(files[fake.dm_channel(u)] for u in waitlisted)
    assert len(channel_posts(fake)) == 1
    waiting_texts = [
        c.args["text"] for c in fake.calls_to("chat.postMessage") if fake.is_dm_with(c.args["channel"], waitlisted[0])
    ]
    assert waiting_texts == [f"You are still on the waitlist for {meetup_title}, number 1."]


def test_300_places_and_20_waiting_each_get_one_message_through_429s_and_500s(bot):
    meetup, users = fill_meetup(bot.db, bot.fake, bot.clock(), starts_in=timedelta(days=10))
    bot.clock.now = reminders_of(bot.db, meetup.id)[DAY_BEFORE].due_at + timedelta(minutes=1)
    slack_misbehaves(bot.fake)
    worker = worker_for(bot)
    rounds = 0
    while any(d.state != DELIVERY_SENT for d in deliveries(bot.db)) or rounds == 0:
        worker.run_due()
        bot.clock.advance(minutes=2)  # past the retry waits
        rounds += 1
        assert rounds < 10
        if rounds == 1:
            slack_misbehaves(bot.fake, rate_limits=False)  # and again, for the retries
    assert_each_got_exactly_one(bot.fake, users)


# Server processes -------------------------------------------------------------------


def serve(fake, database_url, tmp_path, name):
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        **settings_env(
            fake,
            database_url,
            PORT=str(port),
            REMINDER_POLL_SECONDS="1",
            DELIVERY_RETRY_SECONDS="1",
            # These count the reminders' messages alone: no final visitor list.
            FINAL_LIST_WORKING_DAYS="0",
        ),
    }
    log = open(tmp_path / f"{name}.log", "w")
    process = subprocess.Popen([str(BIN), "serve"], env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


def wait_for_all_sent(db, process_list, timeout=90):
    """Waiting on server processes: the one place these tests poll."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for process in process_list:
            assert process.poll() is None, "a server exited"
        states = Counter(d.state for d in deliveries(db))
        if states and set(states) == {DELIVERY_SENT} and sum(states.values()) == 1 + CONFIRMED_COUNT + WAITLISTED_COUNT:
            return
        time.sleep(0.2)
    raise AssertionError(f"not everything was sent: {Counter(d.state for d in deliveries(db))}")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.slow
def test_a_server_killed_half_way_and_started_again_sends_each_message_once(fake_slack, sqlite_url, tmp_path):
    db = Database(sqlite_url)
    meetup, users = fill_meetup(db, fake_slack, utcnow(), starts_in=timedelta(hours=20))
    slack_misbehaves(fake_slack)
    first, url = serve(fake_slack, sqlite_url, tmp_path, "first")
    try:
        wait_for_health(url, first)
        fake_slack.wait_for("chat.postMessage", count=(CONFIRMED_COUNT + WAITLISTED_COUNT) // 2, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    killed_at = Counter(d.state for d in deliveries(db))
    assert 0 < killed_at[DELIVERY_SENT] < 1 + CONFIRMED_COUNT + WAITLISTED_COUNT
    # It died mid-batch: messages it had claimed wait for its lease to run out.
    assert killed_at[DELIVERY_CLAIMED] > 0

    second, url = serve(fake_slack, sqlite_url, tmp_path, "second")
    try:
        wait_for_health(url, second)
        wait_for_all_sent(db, [second])
    finally:
        stop(second)
    assert_each_got_exactly_one(fake_slack, users)
    db.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_two_servers_on_one_postgresql_send_each_message_once(fake_slack, pg_cluster, tmp_path):
    url = postgres_url(pg_cluster)
    db = Database(url)
    meetup, users = fill_meetup(db, fake_slack, utcnow(), starts_in=timedelta(hours=20))
    # Hold the reminder back until both servers are up, so both share the work.
    with db.transaction() as session:
        session.execute(
            update(Reminder).where(Reminder.meetup_id == meetup.id).values(due_at=utcnow() + timedelta(days=1))
        )
    slack_misbehaves(fake_slack)
    servers = [serve(fake_slack, url, tmp_path, name) for name in ("one", "two")]
    try:
        for process, server_url in servers:
            wait_for_health(server_url, process)
        with db.transaction() as session:
            session.execute(
                update(Reminder)
                .where(Reminder.meetup_id == meetup.id, Reminder.kind == DAY_BEFORE)
                .values(due_at=utcnow() - timedelta(minutes=1))
            )
        wait_for_all_sent(db, [p for p, _ in servers])
    finally:
        for process, _ in servers:
            stop(process)
    assert_each_got_exactly_one(fake_slack, users)
    senders = Counter(d.claimed_by.rsplit(":", 2)[1] for d in deliveries(db) if d.kind != "reminder_day_before")
    assert len(senders) == 2, f"both servers should have sent some: {senders}"
    db.dispose()
