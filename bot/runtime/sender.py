"""The outbox: every message the bot must post goes in the database first, then
to Slack, and is marked sent, so a crash, a restart, a second instance or a
Slack outage neither loses nor repeats it.

    with db.transaction() as session:
        ...  # the change itself, e.g. a sign-up
        delivery_id = enqueue_dm(session, user_id, blocks, text, key=f"signup:{registration.id}:...", now=now)
    outbox.deliver_soon([delivery_id])   # after the ack, from the sender thread; the worker retries if this fails

How "exactly once" is kept, and where it cannot be:

- Enqueueing happens in the caller's transaction: the message exists if and
  only if the change does. The idempotency key makes enqueueing the same
  message twice a no-op.
- A worker claims a few due deliveries in one short transaction (FOR UPDATE
  SKIP LOCKED on PostgreSQL, the write lock on SQLite) with a lease, which a
  heartbeat renews while it works. A worker that dies leaves its claims to
  expire, and another worker takes them over: nothing is skipped. Each
  batch is claimed under a token of its own, so a sending thread whose claim
  was taken over, even by another thread of the same process, finds out when
  it records; and it starts no write to Slack once its lease is nearly over
  (a heartbeat that stalled, e.g. on SQLite's write lock, stops it).
- Each delivery is marked sent by one statement straight after Slack
  accepts it, so at most the message in flight is in doubt when a
  process dies. Slack has no idempotency key for chat.postMessage, so the
  bot labels each message with its key in message metadata, and before
  trying again after an attempt that may have reached Slack (a crash, a
  timeout, a server error) it reads the conversation's recent history and
  only posts if the message is not there. The one gap left: Slack accepted
  the message but its history does not show it yet, or the history cannot
  be read (a private channel without groups:history). Then the message may
  be posted twice, and the log says so.
- HTTP 429: the Web API client waits for Retry-After and tries again (slack_sdk's
  RateLimitErrorRetryHandler). Server errors and timeouts are retried later,
  waiting DELIVERY_RETRY_SECONDS and doubling, up to DELIVERY_MAX_ATTEMPTS
  tries; then the delivery is marked failed and organisers see it in
  `/meetup list`. Errors Slack will repeat (user_not_found, not_in_channel)
  fail at once. One failing message never stops the others.
- A delivery may update a message instead of posting one (chat.update,
  bot.common.outbox.enqueue_update). That is idempotent, so it is retried
  without looking first; one that updates a message the outbox has yet to
  post waits for it, and is dropped if that message is never posted.
- A delivery queued with enqueue_group_dm (an introduction) opens the
  group direct message first (conversations.open with its people), records
  the conversation with the attempt, and then posts like any other.
- A feature can ask to hear of its messages failing for good
  (Outbox.on_failed, e.g. handlers/approvals.py asks each organiser
  directly when their channel refuses): the callback runs in the
  transaction that marks the delivery failed, so what it queues instead is
  stored if and only if the failure is.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from storage import deliveries as delivery_store
from storage.db import Database
from storage.deliveries import Claimed
from storage.models import (
    DELIVERY_CANCELLED,
    DELIVERY_FAILED,
    DELIVERY_PENDING,
    DELIVERY_SENT,
    MEETUP_CANCELLED,
    REMINDER_CANCELLED,
    Delivery,
    utcnow,
)

log = logging.getLogger(__name__)

# Message metadata that labels each message with its delivery's key.
EVENT_TYPE = "meetup_bot_delivery"
# How long a claim lasts without a heartbeat. Long enough for a slow call,
# short enough that a dead worker's messages go out soon after.
LEASE = timedelta(seconds=20)
HEARTBEAT_SECONDS = 5
# A write to Slack starts only with at least this much of its claim's lease
# left. A heartbeat that cannot renew in time (SQLite's write lock held by a
# long transaction, the database away) then stops the sending instead of
# letting it run on after another worker may have taken the message over.
LEASE_MARGIN = timedelta(seconds=5)
BATCH_SIZE = 20
# Conversations sent to at once (Outbox._run_batch).
SEND_THREADS = 8
MAX_BACKOFF = timedelta(minutes=30)
# Slack errors (HTTP 200, ok: false) worth trying again; any other error
# would only come back, so the delivery fails at once.
TRANSIENT_ERRORS = {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
# Errors that mean Slack cannot show us the conversation: we then post
# without checking (and say so in the log).
CANNOT_READ = {"missing_scope", "not_in_channel", "channel_not_found", "not_allowed_token_type", "no_permission"}


@dataclass
class Summary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    lost: int = 0  # claims another worker took over

    def add(self, other: Summary) -> None:
        for name in ("sent", "retrying", "failed", "cancelled", "lost"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def total(self) -> int:
        return self.sent + self.retrying + self.failed + self.cancelled + self.lost


class _Retry(Exception):
    """An attempt that did not work but may next time."""

    def __init__(self, error: str, *, may_have_posted: bool, rate_limited: bool = False, wait: float | None = None):
        super().__init__(error)
        self.error = error
        # A server error or a timeout on a call that posts: Slack may have done it.
        self.may_have_posted = may_have_posted
        self.rate_limited = rate_limited
        self.wait = wait


class _Fail(Exception):
    """An error Slack will give again: give up on this message."""


class _Lost(Exception):
    """Another worker took this delivery over."""


class _Skip(Exception):
    """Nothing to send after all, e.g. an update of a message never posted."""


# Called as callback(session, delivery) in the transaction that marks the
# delivery failed; returns the ids of the deliveries it queued instead.
FailureCallback = Callable[[Session, Delivery], Iterable[int]]


@dataclass
class _Progress:
    channel: str | None
    message_ts: str | None
    file_id: str | None
    # An earlier attempt may have posted something we have not recorded.
    unsure: bool


class Outbox:
    """Sends queued deliveries. One per process; safe to share between threads."""

    def __init__(
        self,
        db: Database,
        client: WebClient,
        *,
        clock: Callable[[], datetime] = utcnow,
        retry_seconds: int = 30,
        max_attempts: int = 10,
        batch_size: int = BATCH_SIZE,
        worker_id: str | None = None,
    ):
        self.db = db
        self.client = client
        self.clock = clock
        self.retry_seconds = retry_seconds
        self.max_attempts = max_attempts
        self.batch_size = batch_size
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        # Each batch is claimed under its own token (worker_id/random), so
        # one thread finds out when its claim was taken over, even by another
        # thread of this process. The token's lease, as last renewed.
        self._leases: dict[str, datetime] = {}
        self._busy_lock = threading.Lock()
        self._heartbeat: threading.Thread | None = None
        self._soon: queue.SimpleQueue[int | None] = queue.SimpleQueue()
        self._sender: threading.Thread | None = None
        self._sender_lock = threading.Lock()
        self._senders: ThreadPoolExecutor | None = None
        self._on_failed: dict[str, FailureCallback] = {}
        # False in the web processes of `serve` with WEB_CONCURRENCY: its
        # worker process sends everything (run_sender), and they only answer.
        self.send_soon = True

    # ------------------------------------------------------------ entry points

    def on_failed(self, kind: str, callback: FailureCallback) -> None:
        """Run `callback` when a delivery of this kind fails for good (an
        error Slack will repeat, or too many tries); it can queue something
        else instead, which is then sent soon."""
        self._on_failed[kind] = callback

    def deliver(self, ids: Iterable[int]) -> Summary:
        """Try these deliveries now (if no one else is): for messages that
        should follow an action straight away. Whatever does not go stays
        queued for the worker."""
        ids = [i for i in ids if i is not None]
        if not ids:
            return Summary()
        return self._run_batch(ids=ids)

    def deliver_soon(self, ids: Iterable[int]) -> None:
        """Hand these deliveries to this process's sender thread and return at
        once: for request handlers. Under a rush of sign-ups the listener
        threads then spend the CPU on acknowledging people in time (Slack's
        3 seconds), and one thread posts the messages, in order, as fast as
        Slack takes them. They are queued in the database already, so a
        crash before they go loses nothing: the worker sends them."""
        if not self.send_soon:
            return
        for delivery_id in ids:
            if delivery_id is not None:
                self._soon.put(delivery_id)
        with self._sender_lock:
            if self._sender is None:
                self._sender = threading.Thread(target=self._send_soon, name="outbox-sender", daemon=True)
                self._sender.start()

    def close(self) -> None:
        """Stop this process's sender threads once what they hold is sent:
        for an app that is stopped while its process goes on (the tests).
        What is still queued stays in the database for the worker."""
        self._soon.put(None)
        with self._sender_lock:
            sender, self._sender = self._sender, None
            senders, self._senders = self._senders, None
        if sender is not None:
            sender.join(timeout=10)
        if senders is not None:
            senders.shutdown(wait=False, cancel_futures=True)

    def _send_soon(self) -> None:
        while True:
            first = self._soon.get()
            if first is None:  # close()
                return
            batch = [first]
            while len(batch) < self.batch_size:
                try:
                    following = self._soon.get_nowait()
                except queue.Empty:
                    break
                if following is None:  # close(): send what came before it, then stop
                    self._soon.put(None)
                    break
                batch.append(following)
            try:
                self._run_batch(ids=batch)
            except Exception:  # the worker's next poll retries whatever did not go
                log.exception("Outbox: sending %d messages failed; the worker will try again", len(batch))

    def run_sender(self, stop: threading.Event, *, poll_seconds: float = 0.2) -> None:
        """Send each message soon after it is queued, by any process, until
        `stop` is set: for the worker process of `serve` with WEB_CONCURRENCY.
        Looking costs one small read (`has_due_deliveries`) a poll."""
        while not stop.is_set():
            try:
                done = self.deliver_due(stop=stop)
            except Exception:  # the database away: nothing is lost, look again soon
                log.exception("Outbox: sending failed; trying again")
                done = Summary()
            if done.total == 0:
                stop.wait(poll_seconds)

    def deliver_due(self, *, stop: threading.Event | None = None, max_batches: int | None = None) -> Summary:
        """Send everything due, a batch at a time, until nothing is left (or
        `stop` is set). Messages waiting to be retried later stay queued."""
        summary = Summary()
        batches = 0
        while not (stop and stop.is_set()) and (max_batches is None or batches < max_batches):
            done = self._run_batch()
            batches += 1
            if done.total == 0:
                break
            summary.add(done)
        return summary

    # ------------------------------------------------------------ claiming

    def _claim(self, ids: list[int] | None) -> list[Claimed]:
        now = self.clock()
        if ids is None:
            # Look before taking the write lock: most polls find nothing to do,
            # and SQLite's lock would make sign-ups wait meanwhile.
            with self.db.single_read() as connection:
                if not delivery_store.has_due_deliveries(connection, self.db.engine.dialect.name, now):
                    return []
        token = f"{self.worker_id}/{uuid.uuid4().hex[:8]}"
        with self.db.transaction() as session:
            claimed = delivery_store.claim_deliveries(
                session,
                now=now,
                worker=token,
                lease_until=now + LEASE,
                limit=len(ids) if ids else self.batch_size,
                ids=ids,
            )
        if claimed:
            self._start_work(token, now + LEASE)
        return claimed

    def _run_batch(self, ids: list[int] | None = None) -> Summary:
        """Send one claimed batch. Each conversation's messages go in order, and
        different conversations' at the same time (SEND_THREADS): Slack
        takes about one message a second into a conversation, so a day-before
        reminder to 1,000 people one at a time would take over 15 minutes."""
        claimed = self._claim(ids)
        summary = Summary()
        if not claimed:
            return summary
        conversations: dict[str, list[Claimed]] = {}
        for item in claimed:
            conversations.setdefault(item.delivery.conversation, []).append(item)
        try:
            if len(conversations) == 1:
                outcomes = [self._send_in_order(items) for items in conversations.values()]
            else:
                outcomes = list(self._pool().map(self._send_in_order, conversations.values()))
        finally:
            self._end_work(claimed[0].delivery.claimed_by)
        for outcome in (o for some in outcomes for o in some):
            setattr(summary, outcome, getattr(summary, outcome) + 1)
        return summary

    def _send_in_order(self, items: list[Claimed]) -> list[str]:
        outcomes = []
        for item in items:
            try:
                outcomes.append(self._send(item))
            except Exception:  # a bug or the database failing: the lease lets it be retried
                log.exception("Delivery %d: unexpected error; it will be tried again", item.delivery.id)
                outcomes.append("retrying")
        return outcomes

    def _pool(self) -> ThreadPoolExecutor:
        with self._sender_lock:
            if self._senders is None:
                self._senders = ThreadPoolExecutor(max_workers=SEND_THREADS, thread_name_prefix="outbox-send")
            return self._senders

    # ------------------------------------------------------------ heartbeat

    def _start_work(self, token: str, lease_until: datetime) -> None:
        with self._busy_lock:
            self._leases[token] = lease_until
            if self._heartbeat is None or not self._heartbeat.is_alive():
                self._heartbeat = threading.Thread(target=self._beat, name="outbox-heartbeat", daemon=True)
                self._heartbeat.start()

    def _end_work(self, token: str | None) -> None:
        with self._busy_lock:
            self._leases.pop(token or "", None)

    def _beat(self) -> None:
        """Renew this process's claims while it sends, so a long wait (Slack's
        Retry-After) does not let another worker take a message mid-send."""
        while True:
            time.sleep(HEARTBEAT_SECONDS)
            with self._busy_lock:
                tokens = list(self._leases)
                if not tokens:
                    self._heartbeat = None
                    return
            until = self.clock() + LEASE
            try:
                with self.db.transaction() as session:
                    delivery_store.renew_claims(session, tokens, until)
            except Exception:
                log.exception("Could not renew the outbox's claims")
                continue
            with self._busy_lock:
                for token in tokens:
                    if token in self._leases:
                        self._leases[token] = until

    def _check_lease(self, delivery: Delivery) -> None:
        """Before a write to Slack: stop if this claim's lease is (nearly) over."""
        with self._busy_lock:
            until = self._leases.get(delivery.claimed_by or "")
        if until is None or self.clock() >= until - LEASE_MARGIN:
            log.warning("Delivery %d: its claim was not renewed in time; leaving it for the next attempt", delivery.id)
            raise _Lost()

    # ------------------------------------------------------------ sending one

    def _send(self, item: Claimed) -> str:
        delivery = item.delivery
        reason = self._not_wanted(delivery)
        if reason:
            log.info("Delivery %d (%s) not sent: %s", delivery.id, delivery.kind, reason)
            return self._finish(
                delivery, "cancelled", state=DELIVERY_CANCELLED, last_error=reason, payload={}, unsure=False
            )
        progress = _Progress(delivery.channel, delivery.message_ts, delivery.file_id, unsure=item.unsure)
        try:
            self._post(delivery, progress)
        except _Lost:
            log.warning("Delivery %d: another worker took it over", delivery.id)
            return "lost"
        except _Retry as retry:
            return self._retry_later(delivery, progress, retry)
        except _Skip as skip:
            log.info("Delivery %d (%s) not sent: %s", delivery.id, delivery.kind, skip)
            return self._finish(
                delivery, "cancelled", state=DELIVERY_CANCELLED, last_error=str(skip), payload={}, unsure=False
            )
        except _Fail as fail:
            log.error(
                "Delivery %d (%s to %s) failed: %s",
                delivery.id,
                delivery.kind,
                delivery.slack_user_id or delivery.channel,
                fail,
            )
            return self._failed(
                delivery,
                last_error=str(fail),
                unsure=False,
                channel=progress.channel,
                message_ts=progress.message_ts,
            )
        return self._finish(
            delivery,
            "sent",
            state=DELIVERY_SENT,
            sent_at=self.clock(),
            unsure=False,
            last_error="",
            payload={},
            channel=progress.channel,
            message_ts=progress.message_ts,
            file_id=progress.file_id,
            claimed_until=None,
        )

    def _post(self, delivery: Delivery, progress: _Progress) -> None:
        payload = delivery.payload or {}
        if payload.get("update"):
            self._update(delivery, payload, progress)
            return
        attachment = payload.get("attachment")
        group = payload.get("open_users")
        if progress.channel is None and (progress.unsure or group):
            # The DM's channel id, to read its history; a group DM is opened
            # first to post into it at all (a user id posts only into a DM).
            with _slack_errors("conversations.open", posts=False):
                opened = self.client.conversations_open(users=",".join(group or []) or delivery.slack_user_id)
            progress.channel = opened["channel"]["id"]
        if progress.unsure:
            self._look_for_earlier_attempt(delivery, progress, want_file=bool(attachment))
            progress.unsure = False
        if progress.message_ts is None:
            self._check_lease(delivery)
            with _slack_errors("chat.postMessage", posts=True):
                posted = self.client.chat_postMessage(
                    # A person's user id posts into the DM with them.
                    channel=progress.channel or delivery.conversation,
                    text=payload.get("text", ""),
                    blocks=payload.get("blocks"),
                    unfurl_links=False,
                    unfurl_media=False,
                    metadata={"event_type": EVENT_TYPE, "event_payload": {"key": delivery.idempotency_key}},
                )
            # Not recorded until the file is up too (one write, not two): a
            # crash in between leaves the delivery unsure, and the next
            # attempt finds this message in the history and sends the file only.
            progress.channel, progress.message_ts = posted["channel"], posted["ts"]
        if attachment and progress.file_id is None:
            self._check_lease(delivery)
            with _slack_errors("files.upload", posts=True):
                uploaded = self.client.files_upload_v2(
                    channel=progress.channel,
                    content=attachment["content"],
                    filename=attachment["filename"],
                    title=attachment.get("title") or attachment["filename"],
                    initial_comment=attachment.get("comment"),
                )
            progress.file_id = (uploaded.get("file") or {}).get("id") or "uploaded"

    def _update(self, delivery: Delivery, payload: dict, progress: _Progress) -> None:
        target = payload["update"]
        channel, ts = target.get("channel"), target.get("ts")
        if target.get("delivery_id") is not None:
            with self.db.read() as session:
                posted = delivery_store.where_posted(session, target["delivery_id"])
            if posted is None or posted.state in (DELIVERY_CANCELLED, DELIVERY_FAILED):
                raise _Skip("the message it updates was never posted")
            if posted.state != DELIVERY_SENT:
                # Not a failure: counted as no attempt, like a rate limit.
                raise _Retry(
                    "waiting for the message it updates to be posted",
                    may_have_posted=False,
                    rate_limited=True,
                    wait=min(self.retry_seconds, 5),
                )
            channel, ts = posted.channel, posted.message_ts
        progress.unsure = False  # an update posts nothing new: no earlier copy to look for
        with _slack_errors("chat.update", posts=False):
            self.client.chat_update(channel=channel, ts=ts, text=payload.get("text", ""), blocks=payload.get("blocks"))
        progress.channel, progress.message_ts = channel, ts

    def _look_for_earlier_attempt(self, delivery: Delivery, progress: _Progress, *, want_file: bool) -> None:
        """After an attempt that may have reached Slack, find what it posted
        (the message by its metadata key, then the file after it) so that
        only what is missing is posted now."""
        assert progress.channel is not None  # _post opened the DM first if its channel was not known
        try:
            messages = self._recent_messages(progress.channel, since=delivery.created_at)
        except _Fail as cannot:
            log.warning(
                "Delivery %d: cannot read the conversation to check an earlier attempt (%s); "
                "posting it again, which may show it twice",
                delivery.id,
                cannot,
            )
            return
        messages.sort(key=lambda m: float(m.get("ts", 0)))
        key_of = lambda m: ((m.get("metadata") or {}).get("event_payload") or {}).get("key")  # noqa: E731
        if progress.message_ts is None:
            mine = next((m for m in messages if key_of(m) == delivery.idempotency_key), None)
            if mine is not None:
                progress.message_ts = mine["ts"]
                log.info("Delivery %d: the earlier attempt had posted the message", delivery.id)
        if want_file and progress.message_ts is not None and progress.file_id is None:
            filename = delivery.payload["attachment"]["filename"]
            for message in messages:
                if float(message["ts"]) <= float(progress.message_ts):
                    continue
                if key_of(message) and key_of(message) != delivery.idempotency_key:
                    break  # another delivery's message: the file would have come before it
                named = [f for f in message.get("files") or [] if f.get("name") == filename]
                if named:
                    progress.file_id = named[0].get("id") or "uploaded"
                    log.info("Delivery %d: the earlier attempt had uploaded the file", delivery.id)
                    break

    def _recent_messages(self, channel: str, *, since: datetime) -> list[dict]:
        messages: list[dict] = []
        cursor = None
        # Slack filters by its own clock; allow for ours being a little off.
        oldest = f"{since.timestamp() - 600:.6f}"
        for _ in range(5):  # a few pages: only messages since the delivery was queued
            try:
                page = self.client.conversations_history(
                    channel=channel, oldest=oldest, limit=200, include_all_metadata=True, cursor=cursor
                )
            except SlackApiError as error:
                code = error.response.get("error") if isinstance(error.response.data, dict) else None
                if code in CANNOT_READ:
                    raise _Fail(code) from error
                if error.response.status_code == 429:
                    raise _Retry(
                        "conversations.history: rate limited",
                        may_have_posted=False,
                        rate_limited=True,
                        wait=_retry_after(error.response.headers),
                    ) from error
                raise _Retry(
                    f"conversations.history: {code or error.response.status_code}", may_have_posted=False
                ) from error
            except Exception as error:
                raise _Retry(f"conversations.history: {type(error).__name__}", may_have_posted=False) from error
            messages += page.get("messages", [])
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                break
        return messages

    def _not_wanted(self, delivery: Delivery) -> str | None:
        """Why a queued message should no longer go, checked just before
        sending: the person cancelled, the meetup was cancelled or has begun."""
        if delivery.registration_id is None and delivery.reminder_id is None:
            return None
        with self.db.single_read() as connection:
            state = delivery_store.sending_state(
                connection,
                self.db.engine.dialect.name,
                meetup_id=delivery.meetup_id,
                reminder_id=delivery.reminder_id,
                registration_id=delivery.registration_id,
            )
        if delivery.meetup_id and state.meetup_status is None:
            return "the meetup no longer exists"
        if state.meetup_status == MEETUP_CANCELLED:
            return "the meetup was cancelled"
        if delivery.reminder_id is not None:
            if state.reminder_state in (None, REMINDER_CANCELLED):
                return "the reminder was cancelled"
            if state.meetup_starts_at is not None and self.clock() >= state.meetup_starts_at:
                return "the meetup has begun"
        if (
            delivery.registration_id is not None
            and delivery.required_status
            and state.registration_status != delivery.required_status
        ):
            return f"the person is no longer {delivery.required_status.replace('_', ' ')}"
        return None

    # ------------------------------------------------------------ recording

    def _record(self, delivery: Delivery, **values) -> None:
        # One statement, which checks the claim and records in one go: no
        # transaction needed around it (a round trip less each way on PostgreSQL).
        dialect, now = self.db.engine.dialect.name, self.clock()
        with self.db.single_write() as connection:
            if not delivery_store.record_if_claimed(
                connection, dialect, delivery.id, _token(delivery), updated_at=now, **values
            ):
                raise _Lost()

    def _finish(self, delivery: Delivery, outcome: str, **values) -> str:
        try:
            # claimed_by stays: it tells an operator which instance sent it.
            self._record(delivery, **values)
        except _Lost:
            log.warning("Delivery %d: another worker took it over", delivery.id)
            return "lost"
        return outcome

    def _failed(self, delivery: Delivery, **values) -> str:
        callback = self._on_failed.get(delivery.kind)
        if callback is None:
            return self._finish(delivery, "failed", state=DELIVERY_FAILED, **values)
        try:
            with self.db.transaction() as session:
                recorded = delivery_store.update_if_claimed(
                    session.connection(),
                    delivery.id,
                    _token(delivery),
                    updated_at=self.clock(),
                    state=DELIVERY_FAILED,
                    **values,
                )
                if not recorded:
                    raise _Lost()
                instead = list(callback(session, delivery))
        except _Lost:
            log.warning("Delivery %d: another worker took it over", delivery.id)
            return "lost"
        self.deliver_soon(instead)
        return "failed"

    def _retry_later(self, delivery: Delivery, progress: _Progress, retry: _Retry) -> str:
        now = self.clock()
        attempts = delivery.attempts
        if retry.rate_limited:
            # Being rate limited is Slack asking us to slow down, not a failure.
            attempts -= 1
            wait = timedelta(seconds=retry.wait or self.retry_seconds)
        else:
            wait = min(timedelta(seconds=self.retry_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)
        common = dict(
            attempts=attempts,
            unsure=progress.unsure or retry.may_have_posted,
            last_error=retry.error,
            channel=progress.channel,
            message_ts=progress.message_ts,
            file_id=progress.file_id,
        )
        if attempts >= self.max_attempts:
            log.error(
                "Delivery %d (%s to %s) failed after %d tries: %s",
                delivery.id,
                delivery.kind,
                delivery.slack_user_id or delivery.channel,
                attempts,
                retry.error,
            )
            return self._failed(delivery, **common)
        log.warning("Delivery %d: %s; trying again in %d seconds", delivery.id, retry.error, wait.total_seconds())
        return self._finish(
            delivery, "retrying", state=DELIVERY_PENDING, next_attempt_at=now + wait, claimed_until=None, **common
        )


@contextmanager
def _slack_errors(method: str, *, posts: bool) -> Iterator[None]:
    """Sort a Web API call's failure into try-again-later or give-up. `posts`:
    the call puts something in front of people, so a server error or a
    timeout leaves us unsure whether it did."""
    try:
        yield
    except SlackApiError as error:
        status = error.response.status_code
        code = error.response.get("error") if isinstance(error.response.data, dict) else None
        if status == 429 or code == "ratelimited":
            # The client already waited for Retry-After and tried again; wait
            # longer before the next go. A 429 means Slack did nothing.
            raise _Retry(
                f"{method}: rate limited",
                may_have_posted=False,
                rate_limited=True,
                wait=_retry_after(error.response.headers),
            ) from error
        if status >= 500 or code in TRANSIENT_ERRORS:
            raise _Retry(f"{method}: Slack answered {status} {code or ''}".strip(), may_have_posted=posts) from error
        raise _Fail(code or f"HTTP {status}") from error
    except (_Lost, _Fail, _Retry):
        raise
    except Exception as error:  # timeouts, refused connections, a failed upload
        raise _Retry(f"{method}: {type(error).__name__}: {error}"[:300], may_have_posted=posts) from error


def _token(delivery: Delivery) -> str:
    """The claim this attempt holds, set by claim_deliveries."""
    assert delivery.claimed_by is not None, f"delivery {delivery.id} was not claimed"
    return delivery.claimed_by


def _retry_after(headers) -> float | None:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            value = value[0] if isinstance(value, list) else value
            try:
                return float(value)
            except (TypeError, ValueError):
                return None
    return None
