"""Approvals: each person waiting for approval is posted to the organisers
(ORGANISER_CHANNEL_ID, or a DM to each organiser when it is unset), and by
DM to each of the meetup's co-organisers, with *Approve* / *Decline*
buttons. Every copy of the message is updated once
someone decides, so two organisers never decide twice.

Everything goes through the outbox (bot.common.outbox), queued in the
transaction of the change it is about: the request with the sign-up that
makes someone wait, the person's message and the updates with the decision,
the updates with a withdrawal. So a Slack outage delays them, and loses
none. Where each copy was posted is what the outbox records of its
deliveries (bot.signups.approvals.approval_copies).
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.common.outbox import enqueue_channel_post, enqueue_dm, enqueue_update
from bot.meetups.calendar import calendar_attachment
from bot.organising.co_organisers import co_organiser_ids
from bot.signups import approvals
from handlers.blocks.approvals import (
    APPROVE_ACTION,
    DECLINE_ACTION,
    already_decided_text,
    approval_blocks,
    approval_text,
    cleared_request,
    decision_blocks,
)
from handlers.deps import Deps
from handlers.parse import parse_id
from handlers.replies import tell
from storage.models import CONFIRMED, PENDING, Delivery, Meetup, Registration

log = logging.getLogger(__name__)

# Updates of the request's copies, and the person's message once decided.
UPDATE_KIND = "approval_update"
DECISION_KIND = "decision"


def _organiser_dms(deps: Deps) -> list[str]:
    """Where to ask each organiser: their user id, which chat.postMessage
    takes as their DM."""
    organisers = sorted(deps.organisers.all())
    if not organisers:
        log.warning(
            "Someone is waiting for approval, but there are no organisers to ask: set ORGANISER_USER_IDS, "
            "ORGANISER_USERGROUP_ID or ORGANISER_CHANNEL_ID"
        )
    return organisers


def organiser_recipients(session, deps: Deps, meetup_id: int) -> tuple[str | None, list[str]]:
    """Where the organisers hear about a meetup: ORGANISER_CHANNEL_ID, or
    each organiser by DM when it is unset; and the meetup's co-organisers by
    DM either way, as they run it too."""
    channel = deps.settings.organiser_channel_id
    organisers = [] if channel else _organiser_dms(deps)
    return channel, organisers + [u for u in co_organiser_ids(session, meetup_id) if u not in organisers]


def _stamp(moment: datetime | None) -> str:
    return f"{moment.timestamp():.6f}" if moment else "0"


def queue_approval_messages(
    session, deps: Deps, meetup: Meetup, registration: Registration, *, now: datetime, details_changed: bool = False
) -> list[int]:
    """Queue, in the caller's transaction, what the organisers must see about
    this person: the request, when they newly wait and no copy of it exists
    yet, or else an update of every copy showing what has happened since.
    Returns the deliveries' ids, to hand to deps.outbox.deliver_soon."""
    if registration.pending_at is None:
        return []  # never waited for approval: the usual case, cheaply
    copies = approvals.approval_copies(session, registration)
    if not copies and registration.status != PENDING:
        return []
    message = approval_blocks(meetup, registration, deps.settings.tz)
    text = approval_text(meetup, registration)
    if not copies:
        channel, people = organiser_recipients(session, deps, meetup.id)
        queued = (
            [_queue_request(session, registration, message, text, to=channel, channel=True, now=now)] if channel else []
        )
        return queued + [
            _queue_request(session, registration, message, text, to=person, channel=False, now=now) for person in people
        ]
    # One update a state of the registration: each is sent once. A change of
    # the person's details is a new state too, though their status is the same.
    version = f"{registration.status}:{_stamp(registration.status_changed_at)}"
    if details_changed:
        version += f":details:{_stamp(now)}"
    update = partial(enqueue_update, session, message, text, version=version, kind=UPDATE_KIND, now=now)
    return [
        update(message=copy.name, of_delivery=copy.delivery, posted_at=copy.posted_at, meetup_id=meetup.id)
        for copy in copies
    ]


def queue_cleared_requests(
    session, requests: list[tuple[Meetup, approvals.PostedCopy]], *, purged: bool, now: datetime
) -> list[int]:
    """Queue, in the caller's transaction, an update of each copy of an
    approval request whose person is forgotten (or purged), so that none
    shows them any more. Queued without a meetup: the purge deletes the
    meetup's deliveries, and these must still go."""
    queued = []
    for meetup, copy in requests:
        text, blocks = cleared_request(meetup, purged=purged)
        queued.append(
            enqueue_update(
                session,
                blocks,
                text,
                message=copy.name,
                version="purged" if purged else "forgotten",
                kind=UPDATE_KIND,
                posted_at=(copy.channel, copy.ts),
                now=now,
            )
        )
    return queued


def _queue_request(
    session, registration: Registration, message: list[dict], text: str, *, to: str, channel: bool, now: datetime
) -> int:
    # Sent only while the person still waits: once decided or withdrawn,
    # nobody needs to be asked.
    enqueue = partial(enqueue_channel_post if channel else enqueue_dm, session, to)
    return enqueue(
        message,
        text,
        key=f"{approvals.REQUEST_KIND}:{registration.id}:{_stamp(registration.pending_at)}:{to}",
        kind=approvals.REQUEST_KIND,
        meetup_id=registration.meetup_id,
        registration_id=registration.id,
        required_status=PENDING,
        now=now,
    )


def _ask_each_organiser(deps: Deps, session, delivery: Delivery) -> list[int]:
    """When the organisers' channel refuses for good (the bot was never
    invited, it was archived...), ask each organiser directly rather than
    leave the person waiting. Run by the outbox (Outbox.on_failed) in the
    transaction that records the failure."""
    if delivery.slack_user_id is not None or delivery.registration_id is None:
        return []  # a DM to an organiser failed: there is nobody else to ask
    meetup, registration = approvals.registration_with_meetup(session, delivery.registration_id)
    if meetup is None or registration is None or registration.status != PENDING:
        return []
    message = approval_blocks(meetup, registration, deps.settings.tz)
    text = approval_text(meetup, registration)
    return [
        _queue_request(session, registration, message, text, to=organiser, channel=False, now=deps.clock())
        for organiser in _organiser_dms(deps)
    ]


def sync_approval_messages(deps: Deps, registration_id: int) -> None:
    """Bring every copy of the approval request up to date, through the
    outbox, after a change made elsewhere (a meetup cancelled)."""
    meetup, registration = approvals.get_registration(deps.db, registration_id)
    if meetup is None or registration is None or registration.pending_at is None:
        return  # nothing to update, without taking the write lock
    with deps.db.transaction() as session:
        meetup, registration = approvals.registration_with_meetup(session, registration_id)
        queued = (
            queue_approval_messages(session, deps, meetup, registration, now=deps.clock())
            if meetup is not None and registration is not None
            else []
        )
    deps.outbox.deliver_soon(queued)


def _queue_decision(session, deps: Deps, result: approvals.ApprovalResult, *, now: datetime) -> list[int]:
    """The person's message about the decision (with the calendar file when
    they have a place, as any confirmation), and the updates of every copy
    of the request, in the decision's transaction."""
    meetup, registration = result.meetup, result.registration
    assert meetup is not None and registration is not None  # a decision names both
    tz = deps.settings.tz
    message = decision_blocks(
        meetup, registration, tz, deps.settings.organiser_contact, position=result.waitlist_position
    )
    attachment = (
        calendar_attachment(meetup, tz, now=now, session=session, organiser=deps.calendar_organiser)
        if registration.status == CONFIRMED
        else None
    )
    told = enqueue_dm(
        session,
        registration.slack_user_id,
        message,
        message[0]["text"]["text"],
        key=f"{DECISION_KIND}:{registration.id}:{registration.status}:{_stamp(registration.status_changed_at)}",
        kind=DECISION_KIND,
        meetup_id=meetup.id,
        registration_id=registration.id,
        required_status=registration.status,
        attachment=attachment,
        now=now,
    )
    return [told, *queue_approval_messages(session, deps, meetup, registration, now=now)]


def _may_decide(deps: Deps, user_id: str, registration_id: int | None) -> bool:
    """Organisers decide every sign-up; co-organisers those for their meetup."""
    if deps.organisers.is_organiser(user_id):
        return True
    meetup, _ = approvals.get_registration(deps.db, registration_id) if registration_id else (None, None)
    return meetup is not None and deps.can_run(user_id, meetup.id)


def on_decision(
    ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, deps: Deps, *, approve: bool
) -> None:
    ack()
    organiser_id = body["user"]["id"]
    registration_id = parse_id(action.get("value"))
    if not _may_decide(deps, organiser_id, registration_id):
        # Checked here, on the server: the button could be forged by anyone.
        tell(client, body, "Only organisers can approve or decline sign-ups.", respond)
        return
    if registration_id is None:
        tell(client, body, "That sign-up no longer exists.", respond)
        return
    now = deps.clock()
    queued: list[int] = []
    result = approvals.decide(
        deps.db,
        registration_id,
        approve=approve,
        organiser_id=organiser_id,
        now=now,
        limits=deps.limits,
        then=lambda session, decided: queued.extend(_queue_decision(session, deps, decided, now=now)),
    )
    if result.outcome == approvals.ApprovalOutcome.NOT_FOUND:
        tell(client, body, "That sign-up no longer exists.", respond)
        return
    # Every outcome but "not found" names the meetup and the registration.
    assert result.meetup is not None and result.registration is not None
    if result.outcome == approvals.ApprovalOutcome.ALREADY_DECIDED:
        tell(client, body, already_decided_text(result.meetup, result.registration), respond)
        sync_approval_messages(deps, result.registration.id)
        return
    if result.outcome == approvals.ApprovalOutcome.NOT_POSSIBLE:
        tell(client, body, f"You cannot approve this sign-up. {result.reason}", respond)
        return
    deps.outbox.deliver_soon(queued)
    # The card's places left and the Home tab.
    deps.registration_hooks.run(
        client, deps, result.meetup.id, result.registration.slack_user_id, body, result.registration
    )


def register(app: App, deps: Deps) -> None:
    deps.outbox.on_failed(approvals.REQUEST_KIND, partial(_ask_each_organiser, deps))

    @app.action(APPROVE_ACTION)
    def on_approve(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        on_decision(ack, body, action, client, respond, deps, approve=True)

    @app.action(DECLINE_ACTION)
    def on_decline(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        on_decision(ack, body, action, client, respond, deps, approve=False)
