"""Data access for sign-up guards (bot/signups/limits.py)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.db import added
from storage.models import SignupGuard


def get_guard(session: Session, meetup_id: int, person: str) -> SignupGuard | None:
    return session.scalars(
        select(SignupGuard).where(SignupGuard.meetup_id == meetup_id, SignupGuard.person == person)
    ).one_or_none()


def add_guard(session: Session, guard: SignupGuard) -> SignupGuard:
    return added(session, guard)


def delete_guards(session: Session, meetup_id: int) -> None:
    session.execute(delete(SignupGuard).where(SignupGuard.meetup_id == meetup_id))
