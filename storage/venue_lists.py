"""Data access for the final visitor list and the change lists after it:
which meetups are due one, and who was on the list last sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import MEETUP_CANCELLED, Meetup, VenueListEntry


def list_final_list_candidates(session: Session, now: datetime, starts_before: datetime) -> list[Meetup]:
    """Meetups not yet sent a final list that start between now and
    `starts_before`; which of them are due is for the caller to say (working days)."""
    query = select(Meetup).where(
        Meetup.final_list_sent_at.is_(None),
        Meetup.status != MEETUP_CANCELLED,
        Meetup.purged_at.is_(None),
        Meetup.starts_at > now,
        Meetup.starts_at <= starts_before,
    )
    return list(session.scalars(query.order_by(Meetup.id)))


def list_meetups_with_final_list(session: Session, now: datetime) -> list[Meetup]:
    """Meetups whose final list went out and that have not ended: their
    changes go to the organisers as change lists."""
    query = select(Meetup).where(
        Meetup.final_list_sent_at.is_not(None),
        Meetup.status != MEETUP_CANCELLED,
        Meetup.purged_at.is_(None),
        Meetup.ends_at > now,
    )
    return list(session.scalars(query.order_by(Meetup.id)))


def list_entries(session: Session, meetup_id: int) -> list[VenueListEntry]:
    query = select(VenueListEntry).where(VenueListEntry.meetup_id == meetup_id)
    return list(session.scalars(query.order_by(VenueListEntry.id)))


def remove_entries(session: Session, entries: list[VenueListEntry]) -> None:
    for entry in entries:
        session.delete(entry)
    session.flush()


def add_entries(session: Session, entries: list[VenueListEntry]) -> None:
    session.add_all(entries)
    session.flush()


def delete_for_meetup(session: Session, meetup_id: int) -> None:
    session.execute(delete(VenueListEntry).where(VenueListEntry.meetup_id == meetup_id))


def entries_of_registration(session: Session, registration_id: int) -> list[VenueListEntry]:
    return list(session.scalars(select(VenueListEntry).where(VenueListEntry.registration_id == registration_id)))


def delete_for_registration(session: Session, registration_id: int) -> None:
    session.execute(delete(VenueListEntry).where(VenueListEntry.registration_id == registration_id))
