"""The outbox: queued with the change, sent once, retried through Slack's
errors, and never repeated after a crash."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_sdk import WebClient

from bot.common.outbox import enqueue_channel_post, enqueue_dm
from bot.runtime.app import make_client
from bot.runtime.sender import LEASE, Outbox
from bot.signups.signups import find_registration
from storage.deliveries import claim_deliveries, record_if_claimed, update_if_claimed
from storage.models import CONFIRMED, DELIVERY_FAILED, DELIVERY_PENDING, DELIVERY_SENT
from tests.support.app import ORGANISER
from tests.support.blocks import block_texts
from tests.support.factories import make_meetup
from tests.support.messages import dm_posts
from tests.support.reminders import deliveries
from tests.support.signup import GOOD_ANSWERS, open_modal

ADA = "U0ADA"


def queue(db, user_id, *, key, now, text="Hello", **extra):
    with db.transaction() as session:
        return enqueue_dm(
            session,
            user_id,
            [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
            text,
            key=key,
            now=now,
            **extra,
        )


def people(fake, count, prefix="U1"):
    users = [f"{prefix}{n:04d}" for n in range(count)]
    for user in users:
        fake.add_user(user, real_name=user, email=f"{user.lower()}@justice.gov.uk")
    return users


def outbox_for(bot, *, client=None, **options):
    return Outbox(
        bot.db,
        client or make_client(bot.deps.settings, retry_server_errors=False),
        clock=bot.clock,
        retry_seconds=options.pop("retry_seconds", 30),
        max_attempts=options.pop("max_attempts", 10),
        **options,
    )


def wait_until(predicate, timeout=10):
    """For work the app does on its own thread after acknowledging."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("the condition never became true")
        time.sleep(0.02)


# Queueing -----------------------------------------------------------------------------


def test_a_message_is_queued_only_if_the_transaction_commits_and_only_once_per_key(db, clock):
    with pytest.raises(RuntimeError), db.transaction() as session:
        enqueue_dm(session, ADA, [], "Hello", key="k1", now=clock())
        raise RuntimeError("the change failed")
    assert deliveries(db) == []
    first = queue(db, ADA, key="k1", now=clock())
    second = queue(db, ADA, key="k1", now=clock(), text="Hello again")
    assert first == second
    [stored] = deliveries(db)
    assert stored.payload["text"] == "Hello" and stored.state == DELIVERY_PENDING


def test_recording_an_outcome_refuses_a_name_that_is_not_a_column(db, clock):
    # The update takes its SET clause from the names given, so a misspelt one
    # would otherwise be dropped and the delivery left as it was.
    delivery_id = queue(db, ADA, key="k1", now=clock())
    with db.connection() as connection, pytest.raises(ValueError, match="stat"):
        update_if_claimed(connection, delivery_id, "worker-1", stat=DELIVERY_SENT)


def test_the_record_of_a_send_on_a_driver_connection_reads_back_as_the_orm_wrote_it(db, clock):
    # The record after each send bypasses SQLAlchemy's types: times, the
    # emptied payload and the flag must come back as the ORM would give them.
    delivery_id = queue(db, ADA, key="k1", now=clock())
    with db.transaction() as session:
        claim_deliveries(session, now=clock(), worker="worker-1", lease_until=clock() + LEASE, limit=1)
    dialect = db.engine.dialect.name
    with db.single_write() as driver:
        assert not record_if_claimed(driver, dialect, delivery_id, "worker-2", state=DELIVERY_SENT)
        assert record_if_claimed(
            driver, dialect, delivery_id, "worker-1", state=DELIVERY_SENT, sent_at=clock(), payload={}, unsure=False
        )
        # Recorded once: the claim no longer holds.
        assert not record_if_claimed(driver, dialect, delivery_id, "worker-1", state=DELIVERY_FAILED)
    [stored] = deliveries(db)
    assert (stored.state, stored.sent_at, stored.payload, stored.unsure) == (DELIVERY_SENT, clock(), {}, False)
    with db.single_write() as driver, pytest.raises(ValueError, match="stat"):
        record_if_claimed(driver, dialect, delivery_id, "worker-1", stat=DELIVERY_SENT)


# Sending through Slack's errors ---------------------------------------------------------


def test_a_sign_up_stands_while_slack_is_down_and_its_message_goes_once_slack_answers(bot):
    """Issue 6, 5(c): an outbox, not a lost message."""
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@justice.gov.uk")
    meetup = make_meetup(bot.db, now=bot.clock())
    _, view = open_modal(bot)
    bot.fake.fail_next("chat.postMessage", status=500, times=3)

    reply = bot.slack.submit_view(view, GOOD_ANSWERS, user_id=ADA)
    assert reply.status == 200 and reply.body == ""  # the modal closes: the sign-up is stored
    assert find_registration(bot.db, meetup.id, ADA).status == CONFIRMED
    # The immediate attempt, after the ack, meets the outage and leaves the message queued.
    wait_until(lambda: deliveries(bot.db)[0].state == DELIVERY_PENDING and deliveries(bot.db)[0].attempts == 1)
    assert dm_posts(bot.fake, ADA) == []
    # Stop the app's own sender thread first, so the retries below are this
    # worker's alone: the fake clock jumps 5 minutes at a time, and a claim
    # the sender thread made just before a jump would look long expired.
    bot.deps.outbox.close()

    worker = outbox_for(bot)
    for _ in range(2):  # Slack still down at the first two retries
        bot.clock.advance(minutes=5)
        assert worker.deliver_due().retrying == 1
    bot.clock.advance(minutes=5)
    assert worker.deliver_due().sent == 1
    [dm] = dm_posts(bot.fake, ADA)
    assert "You have a place at *Cross-government open source meetup*" in block_texts(dm.args["blocks"])
    assert len(bot.fake.failures) == 3
    # Each retry first looked for an earlier copy: a 500 may hide a posted message.
    assert len(bot.fake.calls_to("conversations.history")) == 3
    [share] = bot.fake.file_shares  # the calendar file, once
    assert share["channel"] == bot.fake.dm_channel(ADA)
    stored = deliveries(bot.db)[0]
    assert stored.state == DELIVERY_SENT and stored.payload == {}  # nothing personal kept once sent


def test_rate_limits_are_waited_out_and_the_message_goes_once(bot):
    [user] = people(bot.fake, 1)
    delivery = queue(bot.db, user, key="k", now=bot.clock())
    bot.fake.fail_next("chat.postMessage", times=1)  # HTTP 429, Retry-After: 1
    summary = outbox_for(bot).deliver([delivery])
    assert summary.sent == 1
    assert len(dm_posts(bot.fake, user)) == 1 and len(bot.fake.failures) == 1
    # Slack said it did nothing, so there was nothing to check for.
    assert bot.fake.calls_to("conversations.history") == []


def test_after_repeated_server_errors_a_message_fails_and_organisers_see_it_the_rest_go(bot):
    meetup = make_meetup(bot.db, now=bot.clock())
    users = people(bot.fake, 3)
    for user in users:
        queue(bot.db, user, key=f"hello:{user}", now=bot.clock(), meetup_id=meetup.id)
    # Someone who has left Slack: their message fails at once.
    queue(bot.db, "U0GONE", key="hello:gone", now=bot.clock(), meetup_id=meetup.id)
    with bot.db.transaction() as session:
        enqueue_channel_post(
            session,
            "C0NOTIN",
            [],
            "Hello channel",
            key="post",
            kind="reminder_week_before",
            meetup_id=meetup.id,
            now=bot.clock(),
        )
    bot.fake.add_channel("C0NOTIN", name="elsewhere", is_member=False)

    # One message at a time, so the failure below hits the first person only.
    worker = outbox_for(bot, max_attempts=3, retry_seconds=10, batch_size=1)
    bot.fake.fail_next("chat.postMessage", status=500, times=1)
    first = worker.deliver_due()
    assert (first.sent, first.failed, first.retrying) == (2, 2, 1)
    for wait in (10, 20):  # the waits double
        bot.fake.fail_next("chat.postMessage", status=503, times=1)
        bot.clock.advance(seconds=wait - 1)
        assert worker.deliver_due().total == 0  # not yet
        bot.clock.advance(seconds=1)
        worker.deliver_due()
    by_user = {d.slack_user_id or d.channel: d for d in deliveries(bot.db)}
    assert by_user[users[0]].state == DELIVERY_FAILED and by_user[users[0]].attempts == 3
    assert {by_user[u].state for u in users[1:]} == {DELIVERY_SENT}
    # A direct message goes to the user id: Slack finds no such conversation.
    assert by_user["U0GONE"].last_error == "channel_not_found"
    # A server error may hide a posted message: each retry looked first.
    assert len(bot.fake.calls_to("conversations.history")) == 2
    assert bot.fake.messages(bot.fake.dm_channel(users[0])) == []

    listing = bot.slack.command("list", user_id=ORGANISER).message()
    text = block_texts(listing["blocks"])
    assert "3 messages could not be sent: " in text
    assert "a message to <@U0GONE> (channel_not_found: they may have left Slack)" in text
    assert "the week-before reminder in <#C0NOTIN> (not_in_channel: invite the bot to the channel)" in text
    assert f"a message to <@{users[0]}> (chat.postMessage: Slack answered 503 internal_error)" in text


# Crashes --------------------------------------------------------------------------------


class Crash(BaseException):
    """The process dying: nothing after it runs, nothing is recorded."""


class CrashingClient(WebClient):
    """Slack accepts the call, then the process dies before hearing back."""

    def __init__(self, *args, crash_after: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.crash_after = crash_after

    def api_call(self, api_method, **kwargs):
        response = super().api_call(api_method, **kwargs)
        if api_method == self.crash_after:
            raise Crash(api_method)
        return response


def crashing_outbox(bot, method):
    settings = bot.deps.settings
    client = CrashingClient(token=settings.bot_token, base_url=settings.api_url, crash_after=method)
    return outbox_for(bot, client=client, worker_id="dies")


@pytest.mark.parametrize(
    "crash_after", ["chat.postMessage", "files.getUploadURLExternal", "files.completeUploadExternal"]
)
def test_a_crash_mid_send_neither_repeats_nor_loses_the_message(bot, crash_after):
    meetup = make_meetup(bot.db, now=bot.clock())
    [user] = people(bot.fake, 1)
    attachment = {
        "filename": "meetup.ics",
        "title": "Calendar",
        "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        "comment": "To add the meetup to your calendar, open this file.",
    }
    queue(bot.db, user, key="with-file", now=bot.clock(), meetup_id=meetup.id, attachment=attachment)
    with pytest.raises(Crash):
        crashing_outbox(bot, crash_after).deliver_due()

    survivor = outbox_for(bot, worker_id="survivor")
    assert survivor.deliver_due().total == 0  # the dead worker's claim still holds
    bot.clock.advance(seconds=LEASE.total_seconds() + 1)
    assert survivor.deliver_due().sent == 1
    assert len(dm_posts(bot.fake, user)) == 1
    assert len(bot.fake.file_shares) == 1


def test_two_workers_never_send_the_same_message(bot):
    users = people(bot.fake, 60)
    for user in users:
        queue(bot.db, user, key=f"hello:{user}", now=bot.clock())
    workers = [outbox_for(bot, worker_id=f"w{n}", batch_size=5) for n in range(3)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda w: w.deliver_due(), workers))
    assert sum(r.sent for r in results) == 60
    assert all(r.sent for r in results)  # each did some of the work
    assert sorted(bot.fake.dm_user(c.args["channel"]) for c in dm_posts(bot.fake)) == sorted(users)


def test_the_heartbeat_keeps_a_slow_workers_claim(bot, monkeypatch):
    """A claim outlives its lease while its worker is still busy (here, waiting
    on a Retry-After), so no one else takes the message over."""
    import bot.runtime.sender as outbox_module

    monkeypatch.setattr(outbox_module, "HEARTBEAT_SECONDS", 0.05)
    [user] = people(bot.fake, 1)
    queue(bot.db, user, key="slow", now=bot.clock())
    inside, release = threading.Event(), threading.Event()
    slow = outbox_for(bot, worker_id="slow")
    original = slow.client.chat_postMessage

    def slow_post(**kwargs):
        inside.set()
        release.wait(5)
        return original(**kwargs)

    slow.client.chat_postMessage = slow_post
    thread = threading.Thread(target=slow.deliver_due)
    thread.start()
    inside.wait(5)
    bot.clock.advance(seconds=LEASE.total_seconds() + 1)
    wait_until(lambda: deliveries(bot.db)[0].claimed_until > bot.clock())  # renewed
    assert outbox_for(bot, worker_id="other").deliver_due().total == 0
    release.set()
    thread.join(5)
    assert len(dm_posts(bot.fake, user)) == 1


def test_a_thread_whose_claim_ran_out_stops_before_posting_and_says_so(bot, monkeypatch):
    """Two threads of one process: the first stalls (before Slack) past its
    lease, with no heartbeat to renew it; the second takes the message over
    and sends it. The first then notices its claim is gone, posts nothing
    and records nothing: each claim has its own token, not the process's."""
    import bot.runtime.sender as outbox_module

    monkeypatch.setattr(outbox_module, "HEARTBEAT_SECONDS", 3600)  # the heartbeat stalls
    [user] = people(bot.fake, 1)
    queue(bot.db, user, key="stalled", now=bot.clock())
    outbox = outbox_for(bot)
    inside, release = threading.Event(), threading.Event()
    checks = outbox._not_wanted

    def stall_first(delivery):
        if not inside.is_set():
            inside.set()
            release.wait(5)
        return checks(delivery)

    monkeypatch.setattr(outbox, "_not_wanted", stall_first)
    first: list = []
    thread = threading.Thread(target=lambda: first.append(outbox.deliver_due()))
    thread.start()
    assert inside.wait(5)
    bot.clock.advance(seconds=LEASE.total_seconds() + 1)
    assert outbox.deliver_due().sent == 1  # the second thread, on the expired claim
    release.set()
    thread.join(5)
    assert first[0].lost == 1 and first[0].sent == 0
    assert len(dm_posts(bot.fake, user)) == 1
    [delivery] = deliveries(bot.db)
    assert delivery.state == DELIVERY_SENT


def test_claims_are_renewed_for_every_batch_in_flight(bot, monkeypatch):
    """Several batches sending at once in one process each keep their claim."""
    import bot.runtime.sender as outbox_module

    monkeypatch.setattr(outbox_module, "HEARTBEAT_SECONDS", 0.05)
    users = people(bot.fake, 2)
    outbox = outbox_for(bot)
    ids = [queue(bot.db, user, key=f"batch-{user}", now=bot.clock()) for user in users]
    inside, release = threading.Barrier(3), threading.Event()
    original = outbox.client.chat_postMessage

    def slow_post(**kwargs):
        inside.wait(5)
        release.wait(5)
        return original(**kwargs)

    outbox.client.chat_postMessage = slow_post
    threads = [threading.Thread(target=outbox.deliver, args=([i],)) for i in ids]
    for thread in threads:
        thread.start()
    inside.wait(5)  # both batches are in chat.postMessage, under two claims
    assert len({d.claimed_by for d in deliveries(bot.db)}) == 2
    bot.clock.advance(seconds=LEASE.total_seconds() + 1)
    wait_until(lambda: all(d.claimed_until > bot.clock() for d in deliveries(bot.db)))
    assert outbox_for(bot, worker_id="other").deliver_due().total == 0
    release.set()
    for thread in threads:
        thread.join(5)
    assert [len(dm_posts(bot.fake, user)) for user in users] == [1, 1]


# Sending to many conversations -----------------------------------------------------------


class SlowSlack(WebClient):
    """Slack taking a moment over each call; records how many calls were in flight at once."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0

    def api_call(self, api_method, **kwargs):
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            time.sleep(0.02)
            return super().api_call(api_method, **kwargs)
        finally:
            with self.lock:
                self.in_flight -= 1


def test_conversations_are_sent_to_side_by_side_and_each_in_order(bot):
    users = people(bot.fake, 12)
    first = users[0]
    for n in range(3):
        queue(bot.db, first, key=f"{first}:{n}", now=bot.clock(), text=f"Message {n}")
    for user in users[1:]:
        queue(bot.db, user, key=f"hello:{user}", now=bot.clock())
    settings = bot.deps.settings
    slack = SlowSlack(token=settings.bot_token, base_url=settings.api_url)
    assert outbox_for(bot, client=slack).deliver_due().sent == 14
    assert slack.most_in_flight > 1
    assert [c.args["text"] for c in dm_posts(bot.fake, first)] == ["Message 0", "Message 1", "Message 2"]
    assert all(len(dm_posts(bot.fake, user)) == 1 for user in users[1:])
