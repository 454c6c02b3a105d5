"""Organisers approving or declining people the bot could not place.

A decision locks the meetup and checks the person is still waiting, so when
two organisers press Approve at once only the first decides; the second is
told who already did. Approval respects capacity: when the meetup is full the
person joins the waitlist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.signups.limits import UNKEYED, SignupLimits
from bot.signups.signups import assign_place
from storage import approval_requests as approval_store
from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage.db import Database
from storage.models import (
    DECLINED,
    MEETUP_CANCELLED,
    PENDING,
    ApprovalRequest,
    Meetup,
    Registration,
)


class ApprovalOutcome(StrEnum):
    APPROVED = "approved"
    DECLINED_NOW = "declined"
    ALREADY_DECIDED = "already_decided"
    NOT_FOUND = "not_found"
    NOT_POSSIBLE = "not_possible"


@dataclass(frozen=True)
class ApprovalResult:
    outcome: ApprovalOutcome
    meetup: Meetup | None = None
    registration: Registration | None = None
    waitlist_position: int | None = None
    reason: str = ""  # for NOT_POSSIBLE: why, for the organiser


def decide(
    db: Database,
    registration_id: int,
    *,
    approve: bool,
    organiser_id: str,
    now: datetime,
    contact: str,
    limits: SignupLimits = UNKEYED,
) -> ApprovalResult:
    with db.transaction() as session:
        meetup_id = registration_store.find_meetup_id(session, registration_id)
        if meetup_id is None:
            return ApprovalResult(ApprovalOutcome.NOT_FOUND)
        meetup = meetup_store.lock_meetup(session, meetup_id)
        # Read the registration only now, under the lock: read before it, it
        # could say "pending" after another organiser had decided.
        registration = registration_store.get_registration_by_id(session, registration_id)
        if meetup is None or registration is None:
            return ApprovalResult(ApprovalOutcome.NOT_FOUND)
        if registration.status != PENDING:
            return ApprovalResult(ApprovalOutcome.ALREADY_DECIDED, meetup, registration)
        if approve and meetup.status == MEETUP_CANCELLED:
            return ApprovalResult(
                ApprovalOutcome.NOT_POSSIBLE, meetup, registration, reason="The meetup has been cancelled."
            )
        if approve and meetup.starts_at <= now:
            return ApprovalResult(
                ApprovalOutcome.NOT_POSSIBLE, meetup, registration, reason="The meetup has already started."
            )
        registration.decided_by = organiser_id
        if not approve:
            registration.reason = (
                f"An organiser could not confirm you can come. If you think this is wrong, contact {contact}."
            )
            registration.set_status(DECLINED, now)
            # Kept apart from the registration, so it stands after `/meetup forget`.
            limits.record_decline(session, meetup.id, registration.slack_user_id, now)
            return ApprovalResult(ApprovalOutcome.DECLINED_NOW, meetup, registration)
        registration.reason = "An organiser approved your sign-up."
        position = assign_place(session, meetup, registration, now)
        return ApprovalResult(ApprovalOutcome.APPROVED, meetup, registration, position)


def get_registration(db: Database, registration_id: int) -> tuple[Meetup | None, Registration | None]:
    with db.read() as session:
        registration = registration_store.get_registration_by_id(session, registration_id)
        if registration is None:
            return None, None
        return meetup_store.get_meetup(session, registration.meetup_id), registration


def messages_for(db: Database, registration: Registration) -> list[ApprovalRequest]:
    """The approval messages about this person's current (or last) wait for
    approval. Someone who withdraws and asks again gets their earlier
    messages back, brought up to date, not new ones: at most one open
    request per person per meetup, however often they sign up and cancel."""
    with db.read() as session:
        every = approval_store.list_approval_requests(session, registration.id)
    current = [r for r in every if r.pending_at == registration.pending_at]
    if current or not every or registration.status != PENDING or registration.pending_at is None:
        return current
    last = max(r.pending_at for r in every)
    with db.transaction() as session:
        reused = [r for r in approval_store.list_approval_requests(session, registration.id) if r.pending_at == last]
        for request in reused:
            request.pending_at = registration.pending_at
    return reused


def record_message(db: Database, registration: Registration, *, channel: str, ts: str, now: datetime) -> None:
    if registration.pending_at is None:  # approval_requests.pending_at may not be NULL
        raise ValueError(f"registration {registration.id} has never waited for approval")
    with db.transaction() as session:
        approval_store.add_approval_request(
            session,
            registration_id=registration.id,
            pending_at=registration.pending_at,
            channel=channel,
            ts=ts,
            created_at=now,
        )
