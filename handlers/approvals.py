"""Approvals: each person waiting for approval is posted to the organisers
(ORGANISER_CHANNEL_ID, or a DM to each organiser when it is unset) with
*Approve* / *Decline* buttons. Every copy of the message is updated once
someone decides, so two organisers never decide twice.
"""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.signups import approvals
from bot.signups.signups import find_registration
from handlers.blocks.approvals import (
    APPROVE_ACTION,
    DECLINE_ACTION,
    already_decided_text,
    approval_blocks,
    approval_text,
    decision_blocks,
)
from handlers.deps import Deps
from handlers.parse import parse_id
from handlers.replies import tell
from handlers.signup import registration_changed, send_dm
from storage.models import PENDING, Registration

log = logging.getLogger(__name__)


def _organiser_dms(deps: Deps) -> list[str]:
    """Where to ask each organiser: their user id, which chat.postMessage
    takes as their DM (the answer names the conversation, which is recorded)."""
    organisers = sorted(deps.organisers.all())
    if not organisers:
        log.warning(
            "Someone is waiting for approval, but there are no organisers to ask: set ORGANISER_USER_IDS, "
            "ORGANISER_USERGROUP_ID or ORGANISER_CHANNEL_ID"
        )
    return organisers


def sync_approval_messages(client: WebClient, deps: Deps, registration_id: int) -> None:
    """Post the approval request for someone newly waiting, or bring every
    copy of it up to date with what has happened since."""
    meetup, registration = approvals.get_registration(deps.db, registration_id)
    if registration is None or registration.pending_at is None:
        return
    tz, now = deps.settings.tz, deps.clock()
    existing = approvals.messages_for(deps.db, registration)
    message = approval_blocks(meetup, registration, tz)
    text = approval_text(meetup, registration)
    if not existing:
        if registration.status != PENDING:
            return

        def post(channels: list[str]) -> bool:
            posted_any = False
            for channel in channels:
                try:
                    posted = client.chat_postMessage(channel=channel, text=text, blocks=message)
                except SlackApiError as error:
                    log.error("Could not post an approval request in %s: %s", channel, error.response.get("error"))
                    continue
                approvals.record_message(deps.db, registration, channel=posted["channel"], ts=posted["ts"], now=now)
                posted_any = True
            return posted_any

        channel = deps.settings.organiser_channel_id
        # When the organisers' channel refuses (the bot was never invited),
        # ask each organiser directly rather than leave the person waiting.
        if not (channel and post([channel])):
            post(_organiser_dms(deps))
        return
    for ref in existing:
        try:
            client.chat_update(channel=ref.channel, ts=ref.ts, text=text, blocks=message)
        except SlackApiError as error:
            log.warning("Could not update an approval request: %s", error.response.get("error"))


def _approval_hook(
    client: WebClient, deps: Deps, meetup_id: int, user_id: str, body: dict, registration: Registration | None
) -> None:
    if registration is None:
        registration = find_registration(deps.db, meetup_id, user_id)
    # Someone who never waited for approval has no messages: the usual case, cheaply.
    if registration is not None and registration.pending_at is not None:
        sync_approval_messages(client, deps, registration.id)


def on_decision(
    ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond, deps: Deps, *, approve: bool
) -> None:
    ack()
    organiser_id = body["user"]["id"]
    if not deps.organisers.is_organiser(organiser_id):
        # Checked here, on the server: the button could be forged by anyone.
        tell(client, body, "Only organisers can approve or decline sign-ups.", respond)
        return
    registration_id = parse_id(action.get("value"))
    if registration_id is None:
        tell(client, body, "That sign-up no longer exists.", respond)
        return
    result = approvals.decide(
        deps.db,
        registration_id,
        approve=approve,
        organiser_id=organiser_id,
        now=deps.clock(),
        contact=deps.settings.organiser_contact,
        limits=deps.limits,
    )
    if result.outcome == approvals.ApprovalOutcome.NOT_FOUND:
        tell(client, body, "That sign-up no longer exists.", respond)
        return
    # Every outcome but "not found" names the meetup and the registration.
    assert result.meetup is not None and result.registration is not None
    if result.outcome == approvals.ApprovalOutcome.ALREADY_DECIDED:
        tell(client, body, already_decided_text(result.meetup, result.registration), respond)
        sync_approval_messages(client, deps, result.registration.id)
        return
    if result.outcome == approvals.ApprovalOutcome.NOT_POSSIBLE:
        tell(client, body, f"You cannot approve this sign-up. {result.reason}", respond)
        return
    tz = deps.settings.tz
    message = decision_blocks(
        result.meetup, result.registration, tz, deps.settings.organiser_contact, position=result.waitlist_position
    )
    send_dm(client, result.registration.slack_user_id, message, fallback=message[0]["text"]["text"])
    # Updates every copy of the approval message, the card and the Home tab.
    registration_changed(client, deps, result.meetup.id, result.registration.slack_user_id, body, result.registration)


def register(app: App, deps: Deps) -> None:
    deps.registration_hooks.add(_approval_hook)

    @app.action(APPROVE_ACTION)
    def on_approve(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        on_decision(ack, body, action, client, respond, deps, approve=True)

    @app.action(DECLINE_ACTION)
    def on_decline(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        on_decision(ack, body, action, client, respond, deps, approve=False)
