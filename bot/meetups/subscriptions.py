"""Who hears about new meetups by direct message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from storage import subscriptions as subscription_store
from storage.db import Database


def subscribe(db: Database, user_id: str, *, now: datetime) -> bool:
    """True when newly subscribed, False when already subscribed."""
    try:
        with db.transaction() as session:
            if subscription_store.get_subscription(session, user_id) is not None:
                return False
            subscription_store.add_subscription(session, user_id, now)
            return True
    except IntegrityError:
        # Two clicks at once: the other one subscribed them.
        return False


def unsubscribe(db: Database, user_id: str) -> bool:
    """True when they were subscribed."""
    with db.transaction() as session:
        return subscription_store.delete_subscription(session, user_id)


def is_subscribed(db: Database, user_id: str) -> bool:
    with db.read() as session:
        return subscription_store.get_subscription(session, user_id) is not None


def queue_for_subscribers(session, queue: Callable[[object, str], int]) -> list[int]:
    """Queue a message for each subscriber in the caller's transaction, with
    `queue(session, user_id)`; returns the queued messages' ids."""
    return [queue(session, user_id) for user_id in subscription_store.list_subscriber_ids(session)]


def queue_for_subscribers_now(db: Database, queue: Callable[[object, str], int]) -> list[int]:
    """The same, in a transaction of its own."""
    with db.transaction() as session:
        return queue_for_subscribers(session, queue)
