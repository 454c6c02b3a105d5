"""The outbox's queue: a message the bot must post is stored in the caller's
transaction, so it exists if and only if the change it is about does.
bot/runtime/sender.py sends what is queued, once, and retries when Slack fails.

    with db.transaction() as session:
        ...  # the change itself, e.g. a sign-up
        delivery_id = enqueue_dm(session, user_id, blocks, text, key=f"signup:{registration.id}:...", now=now)
    outbox.deliver_soon([delivery_id])   # after the ack; the worker retries if this fails

The idempotency key makes queueing the same message twice a no-op.
"""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict, Unpack

from bot.common.formatting import notification_text
from storage import deliveries as delivery_store
from storage.db import Database
from storage.models import DELIVERY_PENDING, Delivery, Registration, utcnow


class About(TypedDict, total=False):
    """What a queued message is about, for the sender and for clean-up."""

    meetup_id: int | None
    reminder_id: int | None
    now: datetime | None


def enqueue_dm(
    session,
    user_id: str,
    blocks: list[dict],
    text: str,
    *,
    key: str,
    kind: str = "dm",
    registration_id: int | None = None,
    required_status: str | None = None,
    attachment: dict | None = None,
    **about: Unpack[About],
) -> int:
    """Queue a direct message in the caller's transaction; returns its id.

    `key` names the message (the same key twice queues it once). With
    `registration_id` and `required_status`, it is only sent while that
    registration still has that status. `attachment` is a file to upload with
    it (see bot.meetups.calendar.calendar_attachment).
    """
    return _enqueue(
        session,
        _payload(blocks, text, attachment),
        kind=kind,
        key=key,
        slack_user_id=user_id,
        registration_id=registration_id,
        required_status=required_status,
        **about,
    )


def enqueue_dm_to_registration(
    session,
    registration: Registration,
    blocks: list[dict],
    text: str,
    *,
    key: str,
    kind: str,
    attachment: dict | None = None,
    **about: Unpack[About],
) -> int:
    """Queue a direct message to the person of a registration, sent only
    while it keeps its status: someone who cancels, or is forgotten, before
    it goes does not get it."""
    return enqueue_dm(
        session,
        registration.slack_user_id,
        blocks,
        text,
        key=key,
        kind=kind,
        registration_id=registration.id,
        required_status=registration.status,
        attachment=attachment,
        **about,
    )


def queue_dm_alone(
    db: Database, user_id: str, blocks: list[dict], text: str, *, key: str, kind: str, **about: Unpack[About]
) -> int:
    """Queue a direct message in a transaction of its own; returns its id.

    For a message about something stored earlier, or about nothing stored
    (a reply that changes nothing): there is no change for it to share a
    transaction with, and still a Slack outage should delay it, not lose it.
    """
    with db.transaction() as session:
        return enqueue_dm(session, user_id, blocks, text, key=key, kind=kind, **about)


def enqueue_channel_post(
    session,
    channel: str,
    blocks: list[dict],
    text: str,
    *,
    key: str,
    kind: str = "post",
    registration_id: int | None = None,
    required_status: str | None = None,
    attachment: dict | None = None,
    **about: Unpack[About],
) -> int:
    """Queue a message to a channel in the caller's transaction; returns its
    id. `registration_id`, `required_status` and `attachment` as for enqueue_dm."""
    return _enqueue(
        session,
        _payload(blocks, text, attachment),
        kind=kind,
        key=key,
        channel=channel,
        registration_id=registration_id,
        required_status=required_status,
        **about,
    )


def enqueue_group_dm(
    session,
    user_ids: list[str],
    blocks: list[dict],
    text: str,
    *,
    key: str,
    kind: str,
    **about: Unpack[About],
) -> int:
    """Queue a message to a group direct message with these people (and the
    bot), in the caller's transaction; returns its id. The sender opens the
    conversation (conversations.open) before posting; the user IDs stay in
    the payload only until it is sent."""
    payload = _payload(blocks, text)
    payload["open_users"] = sorted(user_ids)
    return _enqueue(session, payload, kind=kind, key=key, **about)


def enqueue_update(
    session,
    blocks: list[dict],
    text: str,
    *,
    message: str,
    version: str,
    kind: str,
    of_delivery: Delivery | None = None,
    posted_at: tuple[str, str] | None = None,
    **about: Unpack[About],
) -> int:
    """Queue a change to a message already posted (chat.update), in the
    caller's transaction; returns its id.

    The message is either `of_delivery`, one the outbox posts (the update
    waits until it is posted, and is dropped if it never is), or
    `posted_at` = (channel, ts) of one posted some other way. `message`
    names that message and `version` the state the update shows: each state
    is sent once, and a newer one cancels older ones still waiting, so a
    late retry never puts an old state back. Updating is idempotent, so
    retrying after a server error is safe.
    """
    key = f"{_update_prefix(message)}{version}"
    delivery_store.cancel_pending_with_key_prefix(
        session, _update_prefix(message), keep_key=key, note="a newer update replaced it"
    )
    if of_delivery is not None:
        update: dict = {"delivery_id": of_delivery.id}
        user, channel = of_delivery.slack_user_id, of_delivery.channel
    elif posted_at is not None:
        update = {"channel": posted_at[0], "ts": posted_at[1]}
        user, channel = None, posted_at[0]
    else:
        raise ValueError("enqueue_update needs the message to update: of_delivery or posted_at")
    payload = _payload(blocks, text)
    # Where the message to change is: the sender calls chat.update there.
    payload["update"] = update
    return _enqueue(session, payload, kind=kind, key=key, slack_user_id=user, channel=channel, **about)


def cancel_updates(session, *, message: str, note: str) -> int:
    """Cancel the updates of `message` (as named to enqueue_update) still
    waiting, in the caller's transaction, e.g. when it will never be posted."""
    return cancel_queued(session, key_prefix=_update_prefix(message), note=note)


def cancel_queued(session, *, key_prefix: str, note: str) -> int:
    """Cancel the messages still waiting whose key starts with `key_prefix`,
    in the caller's transaction: the change they were about is undone."""
    return delivery_store.cancel_pending_with_key_prefix(session, key_prefix, keep_key="", note=note)


def _update_prefix(message: str) -> str:
    return f"update:{message}:"


def _payload(blocks: list[dict], text: str, attachment: dict | None = None) -> dict:
    # Beside blocks the text is only what a notification shows (and a
    # screen reader reads): plain words, never more than Slack takes.
    payload: dict = {"text": (notification_text(text) if blocks else text)[:3000], "blocks": blocks}
    if attachment:
        payload["attachment"] = attachment
    return payload


def _enqueue(
    session,
    payload: dict,
    *,
    kind: str,
    key: str,
    slack_user_id: str | None = None,
    channel: str | None = None,
    meetup_id: int | None = None,
    reminder_id: int | None = None,
    registration_id: int | None = None,
    required_status: str | None = None,
    now: datetime | None = None,
) -> int:
    now = now or utcnow()
    return delivery_store.insert_delivery(
        session,
        kind=kind,
        idempotency_key=key[:200],
        slack_user_id=slack_user_id,
        channel=channel,
        payload=payload,
        meetup_id=meetup_id,
        reminder_id=reminder_id,
        registration_id=registration_id,
        required_status=required_status,
        state=DELIVERY_PENDING,
        attempts=0,
        unsure=False,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
        last_error="",
    )


def failed_deliveries(db: Database, meetup_id: int) -> list[Delivery]:
    """Messages about this meetup that could not be sent."""
    with db.read() as session:
        return delivery_store.list_failed_deliveries(session, meetup_id)


def describe_due(db: Database, now: datetime) -> list[str]:
    """What the outbox would send now, one line a message, for a dry run."""
    with db.read() as session:
        lines = []
        for delivery in delivery_store.list_due_deliveries(session, now):
            if delivery.slack_user_id:
                to = f"direct message to {delivery.slack_user_id}"
            else:
                to = f"post in {delivery.channel}" if delivery.channel else "group direct message"
            extra = " with a calendar file" if (delivery.payload or {}).get("attachment") else ""
            retry = f" (try {delivery.attempts + 1})" if delivery.attempts else ""
            first_line = ((delivery.payload or {}).get("text") or "").splitlines()[0:1]
            lines.append(f"Would send {delivery.kind} {to}{extra}{retry}: {first_line[0] if first_line else ''}")
        return lines
