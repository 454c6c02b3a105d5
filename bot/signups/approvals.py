"""Organisers approving or declining people the bot could not place.

A decision locks the meetup and checks the person is still waiting, so when
two organisers press Approve at once only the first decides; the second is
told who already did. Approval respects capacity: when the meetup is full the
person joins the waitlist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.common.outbox import cancel_updates
from bot.signups.limits import UNKEYED, SignupLimits
from bot.signups.signups import assign_place
from storage import approval_requests as approval_store
from storage import deliveries as delivery_store
from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage.db import Database
from storage.models import (
    DECLINED,
    DELIVERY_CLAIMED,
    DELIVERY_PENDING,
    DELIVERY_SENT,
    MEETUP_CANCELLED,
    PENDING,
    ApprovalRequest,
    Delivery,
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
    """What a decision did: for the organiser who pressed the button, the
    person's message and every copy of the request."""

    outcome: ApprovalOutcome
    meetup: Meetup | None = None
    registration: Registration | None = None
    waitlist_position: int | None = None
    reason: str = ""  # for NOT_POSSIBLE: why, for the organiser


# The outbox's deliveries asking organisers to decide (bot.common.outbox).
REQUEST_KIND = "approval_request"


def decide(
    db: Database,
    registration_id: int,
    *,
    approve: bool,
    organiser_id: str,
    now: datetime,
    limits: SignupLimits = UNKEYED,
    then: Callable[[object, ApprovalResult], None] | None = None,
) -> ApprovalResult:
    """Approve or decline someone waiting. `then(session, result)` runs in
    the decision's transaction once it is made, so the messages about it
    (bot.common.outbox) are stored if and only if the decision is."""
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
        # The reason stays as the bot gave it: the organisers' copies of the
        # request go on showing why it needed them, beside who decided.
        registration.decided_by = organiser_id
        if not approve:
            registration.set_status(DECLINED, now)
            # Kept apart from the registration, so it stands after `/meetup forget`.
            limits.record_decline(session, meetup.id, registration.slack_user_id, now)
            result = ApprovalResult(ApprovalOutcome.DECLINED_NOW, meetup, registration)
        else:
            position = assign_place(session, meetup, registration, now)
            result = ApprovalResult(ApprovalOutcome.APPROVED, meetup, registration, position)
        if then is not None:
            then(session, result)
        return result


def get_registration(db: Database, registration_id: int) -> tuple[Meetup | None, Registration | None]:
    with db.read() as session:
        return registration_with_meetup(session, registration_id)


def registration_with_meetup(session, registration_id: int) -> tuple[Meetup | None, Registration | None]:
    registration = registration_store.get_registration_by_id(session, registration_id)
    if registration is None:
        return None, None
    return meetup_store.get_meetup(session, registration.meetup_id), registration


@dataclass(frozen=True)
class ApprovalCopy:
    """One copy of the approval request (one per organiser when they get
    DMs), to bring up to date when something changes."""

    name: str  # names the message, for the keys of its updates
    delivery: Delivery | None = None  # queued in the outbox: posted, or about to be
    posted_at: tuple[str, str] | None = None  # (channel, ts) of one posted before the outbox


def approval_copies(session, registration: Registration) -> list[ApprovalCopy]:
    """Every copy of the request about this person, in the caller's transaction.

    Where each copy was posted is recorded by the outbox itself: a request
    is a delivery of kind REQUEST_KIND, and the sender stores its channel and
    message_ts once Slack takes it. So the copies are those deliveries,
    except the ones that will never be posted (cancelled, or failed, as when
    the organisers' channel refused and each organiser was asked instead),
    plus the approval_requests rows written by earlier versions, which
    posted directly. Someone who withdraws and asks again gets these copies
    back, brought up to date, not new ones: at most one open request per
    person per meetup, however often they sign up and cancel.
    """
    queued = delivery_store.list_deliveries_about(
        session,
        meetup_id=registration.meetup_id,
        registration_id=registration.id,
        kind=REQUEST_KIND,
        states=(DELIVERY_PENDING, DELIVERY_CLAIMED, DELIVERY_SENT),
    )
    copies = [ApprovalCopy(_copy_name(d), delivery=d) for d in queued]
    return copies + [
        ApprovalCopy(f"approval_request:{r.id}", posted_at=(r.channel, r.ts))
        for r in _earlier_messages(session, registration)
    ]


@dataclass(frozen=True)
class PostedCopy:
    """Where one copy of a request was posted: a plain value, as the rows
    that record it go with the person's data (a delivery is deleted with its
    registration, ON DELETE CASCADE)."""

    name: str  # as ApprovalCopy.name, so an update replaces older ones still waiting
    channel: str
    ts: str


def posted_copies(session, meetup_id: int, registration_id: int | None = None) -> list[PostedCopy]:
    """Every copy of every request posted about one registration, or about
    anyone at this meetup: all of them, not only the current wait's, since
    forgetting someone or purging the meetup must clear each one. A copy
    not yet posted is not listed: it is deleted with the registration (or
    with the meetup's deliveries by the purge), so it is never sent."""
    sent = delivery_store.list_sent_deliveries(
        session, meetup_id=meetup_id, kind=REQUEST_KIND, registration_id=registration_id
    )
    earlier = approval_store.list_approval_requests_for_meetup(session, meetup_id, registration_id)
    return [PostedCopy(_copy_name(d), d.channel, d.message_ts) for d in sent if d.channel and d.message_ts] + [
        PostedCopy(f"approval_request:{r.id}", r.channel, r.ts) for r in earlier
    ]


def drop_updates_of_unposted(session, registration: Registration) -> None:
    """Cancel the updates still waiting for a copy that was never posted:
    they show the person, and the copy goes with the registration."""
    waiting = delivery_store.list_deliveries_about(
        session,
        meetup_id=registration.meetup_id,
        registration_id=registration.id,
        kind=REQUEST_KIND,
        states=(DELIVERY_PENDING, DELIVERY_CLAIMED),
    )
    for copy in waiting:
        cancel_updates(session, message=_copy_name(copy), note="the person asked to be forgotten")


def _copy_name(delivery: Delivery) -> str:
    return f"delivery:{delivery.id}"


def messages_for(db: Database, registration: Registration) -> list[ApprovalRequest]:
    """The approval_requests rows (from before the outbox) about this
    person's current (or last) wait for approval."""
    with db.transaction() as session:
        return _earlier_messages(session, registration)


def _earlier_messages(session, registration: Registration) -> list[ApprovalRequest]:
    every = approval_store.list_approval_requests(session, registration.id)
    current = [r for r in every if r.pending_at == registration.pending_at]
    if current or not every or registration.status != PENDING or registration.pending_at is None:
        return current
    # Asking again takes over the last wait's messages.
    last = max(r.pending_at for r in every)
    reused = [r for r in every if r.pending_at == last]
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
