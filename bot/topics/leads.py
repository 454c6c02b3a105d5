"""Whether the person told about a session in the grid has a place at the meetup.

Each scheduled topic's proposer is sent its room and time. Someone without a
place (on the waitlist, waiting for approval, turned down, or not signed up)
must not be told they are leading a session at a meetup they cannot come to:
this says which of those they are, for the message and the organisers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.meetups.meetups import is_taking_signups
from storage import registrations as registration_store
from storage.models import CANCELLED, CONFIRMED, DECLINED, PENDING, WAITLISTED, Meetup, Registration


class Standing(StrEnum):
    PLACE = "place"
    WAITLISTED = "waitlisted"
    PENDING = "pending"  # waiting for an organiser's approval
    DECLINED = "declined"  # an organiser could not offer them a place
    NOT_SIGNED_UP = "not_signed_up"  # never signed up, or cancelled


_BY_STATUS = {
    CONFIRMED: Standing.PLACE,
    WAITLISTED: Standing.WAITLISTED,
    PENDING: Standing.PENDING,
    DECLINED: Standing.DECLINED,
    CANCELLED: Standing.NOT_SIGNED_UP,
}


@dataclass(frozen=True)
class LeadPlace:
    standing: Standing
    waitlist_position: int | None = None  # their number on the waitlist, when on it
    can_sign_up: bool = False  # not signed up, and the meetup takes sign-ups: `/meetup signup` works

    @property
    def has_place(self) -> bool:
        return self.standing is Standing.PLACE


def lead_place(registration: Registration | None, *, position: int | None, signup_open: bool) -> LeadPlace:
    """What a registration (None: they never signed up) means for someone
    whose topic has a session. `position` counts from 1, for the waitlist."""
    standing = Standing.NOT_SIGNED_UP if registration is None else _BY_STATUS[registration.status]
    return LeadPlace(
        standing,
        waitlist_position=position if standing is Standing.WAITLISTED else None,
        can_sign_up=signup_open and standing is Standing.NOT_SIGNED_UP,
    )


def lead_places(session: Session, meetup: Meetup, user_ids: Iterable[str], *, now: datetime) -> dict[str, LeadPlace]:
    """Each person's place at the meetup, by Slack user ID. Run in the
    transaction that stores the grid, with the meetup locked, so the
    message says what was true when the grid was stored."""
    wanted = set(user_ids)
    found = {r.slack_user_id: r for r in registration_store.registrations_of(session, meetup.id, wanted)}
    signup_open = is_taking_signups(meetup, now)
    places = {}
    for user_id in wanted:
        registration = found.get(user_id)
        position = None
        if registration is not None and registration.status == WAITLISTED and registration.waitlist_number:
            position = registration_store.count_waitlisted_before(session, registration) + 1
        places[user_id] = lead_place(registration, position=position, signup_open=signup_open)
    return places
