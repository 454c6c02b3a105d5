"""Data access for introductions: consent, the rounds planned and the introductions made."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from storage.db import rowcount
from storage.models import (
    CONFIRMED,
    MEETUP_CANCELLED,
    Introduction,
    IntroductionConsent,
    IntroductionRound,
    Meetup,
    Registration,
)


def get_consent(session: Session, slack_user_id: str) -> IntroductionConsent | None:
    return session.get(IntroductionConsent, slack_user_id)


def give_consent(session: Session, slack_user_id: str, working_on: str, now: datetime) -> IntroductionConsent:
    """Record (or renew) consent; what they wrote replaces what they wrote before."""
    consent = session.get(IntroductionConsent, slack_user_id)
    if consent is None:
        consent = IntroductionConsent(slack_user_id=slack_user_id, given_at=now, working_on=working_on)
        session.add(consent)
    else:
        consent.given_at, consent.working_on = now, working_on
    session.flush()
    return consent


def withdraw_consent(session: Session, slack_user_id: str) -> bool:
    deleted = session.execute(delete(IntroductionConsent).where(IntroductionConsent.slack_user_id == slack_user_id))
    return rowcount(deleted) > 0


def meetups_due(session: Session, now: datetime, until: datetime) -> list[Meetup]:
    """Meetups starting between now and `until` whose introductions are not planned yet."""
    planned = exists().where(IntroductionRound.meetup_id == Meetup.id)
    return list(
        session.scalars(
            select(Meetup)
            .where(Meetup.starts_at > now, Meetup.starts_at <= until, Meetup.status != MEETUP_CANCELLED, ~planned)
            .order_by(Meetup.starts_at, Meetup.id)
        )
    )


def is_planned(session: Session, meetup_id: int) -> bool:
    return session.get(IntroductionRound, meetup_id) is not None


def record_round(session: Session, meetup_id: int, groups: int, now: datetime) -> None:
    session.add(IntroductionRound(meetup_id=meetup_id, planned_at=now, groups=groups))
    session.flush()


def consenting_attendees(session: Session, meetup_id: int) -> list[tuple[Registration, IntroductionConsent]]:
    """The people with a place at a meetup who asked for an introduction."""
    rows = session.execute(
        select(Registration, IntroductionConsent)
        .join(IntroductionConsent, IntroductionConsent.slack_user_id == Registration.slack_user_id)
        .where(Registration.meetup_id == meetup_id, Registration.status == CONFIRMED)
        .order_by(Registration.slack_user_id)
    )
    return [(registration, consent) for registration, consent in rows]


def introduced_pairs(session: Session, person_keys: Iterable[str]) -> set[frozenset[str]]:
    """Every pair of these people (by person key) introduced to each other before."""
    keys = list(person_keys)
    if not keys:
        return set()
    columns = (Introduction.first_key, Introduction.second_key, Introduction.third_key)
    rows = session.scalars(select(Introduction).where(or_(*(column.in_(keys) for column in columns))))
    pairs = set()
    for row in rows:
        members = row.keys
        pairs |= {frozenset((a, b)) for a in members for b in members if a < b}
    return pairs


def add_introduction(session: Session, introduction: Introduction) -> Introduction:
    session.add(introduction)
    session.flush()
    return introduction


def introductions_of(session: Session, person_key: str, meetup_id: int | None = None) -> list[Introduction]:
    columns = (Introduction.first_key, Introduction.second_key, Introduction.third_key)
    query = select(Introduction).where(or_(*(column == person_key for column in columns)))
    if meetup_id is not None:
        query = query.where(Introduction.meetup_id == meetup_id)
    return list(session.scalars(query.order_by(Introduction.id)))


def drop_person_key(session: Session, person_key: str) -> int:
    """Take a forgotten person's key off the introductions they were part of."""
    changed = 0
    for column in ("first_key", "second_key", "third_key"):
        result = session.execute(
            update(Introduction).where(getattr(Introduction, column) == person_key).values({column: None})
        )
        changed += rowcount(result)
    return changed


def purge_consents(session: Session, given_before: datetime) -> int:
    """Consent given before `given_before` by people none of whose sign-ups
    is left unpurged: the meetups it was given for are over, and nothing is
    kept about them but figures."""
    unpurged = exists().where(
        Registration.slack_user_id == IntroductionConsent.slack_user_id,
        Registration.meetup_id == Meetup.id,
        Meetup.purged_at.is_(None),
    )
    return rowcount(
        session.execute(delete(IntroductionConsent).where(~unpurged, IntroductionConsent.given_at < given_before))
    )


def counts(session: Session) -> tuple[int, int]:
    """Introductions made across the series, and how many crossed organisations."""
    total, crossed = session.execute(
        select(func.count(), func.count().filter(Introduction.cross_organisation.is_(True))).select_from(Introduction)
    ).one()
    return total, crossed
