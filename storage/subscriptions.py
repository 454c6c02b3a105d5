"""Data access for subscriptions (who hears about new meetups)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.db import added, rowcount
from storage.models import Subscription


def get_subscription(session: Session, slack_user_id: str) -> Subscription | None:
    return session.scalars(select(Subscription).where(Subscription.slack_user_id == slack_user_id)).one_or_none()


def add_subscription(session: Session, slack_user_id: str, created_at: datetime) -> Subscription:
    return added(session, Subscription(slack_user_id=slack_user_id, created_at=created_at))


def delete_subscription(session: Session, slack_user_id: str) -> bool:
    result = session.execute(delete(Subscription).where(Subscription.slack_user_id == slack_user_id))
    return bool(rowcount(result))


def list_subscriber_ids(session: Session) -> list[str]:
    return list(session.scalars(select(Subscription.slack_user_id).order_by(Subscription.created_at, Subscription.id)))
