"""Signing up and cancelling: the slash command, the buttons and the modal."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.common.formatting import escape
from bot.common.outbox import enqueue_dm
from bot.introductions.introductions import give_consent, leave_meetup
from bot.meetups.calendar import CalendarUser, calendar_attachment
from bot.meetups.meetups import get_meetup
from bot.meetups.subscriptions import is_subscribed
from bot.signups.details import STARTED, DetailsResult, change_details, find_changeable
from bot.signups.signups import (
    CancelOutcome,
    SignupForm,
    SignupOutcome,
    SignupResult,
    cancel,
    clean_text,
    current_registrations,
    sign_up,
    signup_choices,
    validate,
)
from handlers.approvals import queue_approval_messages
from handlers.blocks.common import message_modal
from handlers.blocks.introductions import wants_introduction
from handlers.blocks.signup import (
    CANCEL_ACTION,
    CHANGE_DETAILS_ACTION,
    DETAILS_CALLBACK,
    OPEN_SIGNUP_ACTION,
    SIGNUP_CALLBACK,
    cancelled_text,
    details_modal,
    details_saved_blocks,
    not_eligible_blocks,
    promoted_blocks,
    signup_modal,
    status_blocks,
)
from handlers.deps import CommandRequest, Deps, on_view_submission
from handlers.parse import parse_id, view_metadata
from handlers.replies import queue_dm, tell
from storage.models import CONFIRMED, Meetup, Registration

log = logging.getLogger(__name__)

# A sign-up that holds or waits for a place: the person gets a message about it.
ACTIVE_OUTCOMES = (SignupOutcome.CONFIRMED, SignupOutcome.WAITLISTED, SignupOutcome.PENDING_APPROVAL)


def registration_changed(
    client: WebClient, deps: Deps, meetup_id: int, user_id: str, body: dict, registration: Registration | None = None
) -> None:
    """Run the hooks other features added (handlers.deps.RegistrationHooks)."""
    deps.registration_hooks.run(client, deps, meetup_id, user_id, body, registration)


# Messages after a sign-up or a cancellation, through the outbox ---------------------


def _stamp(moment: datetime | None) -> str:
    return f"{moment.timestamp():.6f}" if moment else "0"


def queue_signup_message(
    session,
    meetup: Meetup,
    registration: Registration,
    tz: ZoneInfo,
    *,
    position: int | None,
    now: datetime,
    organiser: CalendarUser | None,
) -> int:
    """Queue the message telling someone the outcome of their sign-up, with the
    calendar file when they have a place. It is sent only while their status
    is still the one it describes."""
    message = status_blocks(meetup, registration, tz, position=position)
    key = f"signup:{registration.id}:{registration.status}:{_stamp(registration.status_changed_at)}"
    return _queue_dm(
        session,
        meetup,
        registration,
        tz,
        message,
        key=key,
        kind="signup",
        status=registration.status,
        now=now,
        organiser=organiser,
    )


def queue_promoted_message(
    session, meetup: Meetup, registration: Registration, tz: ZoneInfo, *, now: datetime, organiser: CalendarUser | None
) -> int:
    """Queue the message telling someone a place became free and is theirs."""
    message = promoted_blocks(meetup, registration, tz)
    key = f"promoted:{registration.id}:{_stamp(registration.confirmed_at)}"
    return _queue_dm(
        session,
        meetup,
        registration,
        tz,
        message,
        key=key,
        kind="promoted",
        status=CONFIRMED,
        now=now,
        organiser=organiser,
    )


def _queue_dm(
    session,
    meetup: Meetup,
    registration: Registration,
    tz: ZoneInfo,
    message: list[dict],
    *,
    key: str,
    kind: str,
    status: str,
    now: datetime,
    organiser: CalendarUser | None,
) -> int:
    """Queue a message about one registration, sent only while it still has
    `status`; one about a place comes with the calendar file."""
    attachment = (
        calendar_attachment(meetup, tz, now=now, session=session, organiser=organiser) if status == CONFIRMED else None
    )
    return enqueue_dm(
        session,
        registration.slack_user_id,
        message,
        message[0]["text"]["text"],
        key=key,
        kind=kind,
        meetup_id=meetup.id,
        registration_id=registration.id,
        required_status=status,
        attachment=attachment,
        now=now,
    )


def signup_refusal(deps: Deps, user_id: str, meetup_id: int | None = None) -> tuple[list, dict | None]:
    """The meetups this person can sign up for, or the message saying why
    there are none (already signed up, closed, nothing open).

    One database read: a trigger_id lives 3 seconds, and the modal still
    needs two Slack calls after this.
    """
    choices, registered = signup_choices(deps.db, user_id, deps.clock(), deps.meetup_copies)
    if meetup_id is not None:
        choices = [m for m in choices if m.id == meetup_id]
    available = [m for m in choices if m.id not in registered]
    if available:
        return available, None
    already = [m for m in choices if m.id in registered]
    if already:
        meetup = already[0]
        return [], {
            "text": f"You have already signed up for {escape(meetup.title)}. You can change your details or cancel.",
            "blocks": status_blocks(meetup, registered[meetup.id], deps.settings.tz, change=True),
        }
    if meetup_id is not None:
        return [], {"text": "Sign-up for this meetup has closed. Use `/meetup signup` to see meetups you can join."}
    if is_subscribed(deps.db, user_id):
        return [], {
            "text": f"{NONE_OPEN} You are subscribed, so you will get a message when the next one is announced."
        }
    return [], {"text": f"{NONE_OPEN} Use `/meetup subscribe` to get a message when the next one is announced."}


NONE_OPEN = "There are no meetups open for sign-up at the moment."


def open_signup_modal(
    client: WebClient, deps: Deps, *, meetups: list, user_id: str, trigger_id: str, channel_id: str | None = None
) -> bool:
    """Open the modal, prefilled from the person's Slack profile. False when
    Slack refused (most often: the 3-second trigger_id ran out)."""
    profile = _profile(client, user_id)
    email = profile.get("email", "")
    if not email:
        view = message_modal(
            "Sign up",
            "We cannot see an email address on your Slack profile, and we need it to check you work in "
            f"government. Add it to your profile, or contact {escape(deps.settings.organiser_contact)}.",
        )
    else:
        match = deps.domains.lookup(email)
        view = signup_modal(
            meetups=meetups,
            full_name=profile.get("real_name") or profile.get("display_name") or "",
            email=email,
            organisation=(match.organisation if match and match.organisation else ""),
            tz=deps.settings.tz,
            privacy_url=deps.settings.privacy_notice_url,
            purge_after_days=deps.settings.purge_after_days,
            channel_id=channel_id,
            venue_columns=deps.settings.venue_list_columns,
        )
    try:
        client.views_open(trigger_id=trigger_id, view=view)
        return True
    except SlackApiError as error:
        log.warning("Could not open the sign-up form: %s", error.response.get("error"))
        return False


def _profile(client: WebClient, user_id: str) -> dict:
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as error:
        log.warning("users.info failed: %s", error.response.get("error"))
        return {}
    profile = dict(user.get("profile") or {})
    profile.setdefault("real_name", user.get("real_name", ""))
    return profile


def _value(values: dict, block_id: str) -> str:
    """The text typed or the option chosen in one input block; "" when the
    block is missing or not shaped as Slack shapes it."""
    block = values.get(block_id)
    element = block.get("value") if isinstance(block, dict) else None
    if not isinstance(element, dict):
        return ""
    if element.get("type") == "checkboxes":
        options = element.get("selected_options")
        chosen = [o.get("value") for o in options if isinstance(o, dict)] if isinstance(options, list) else []
        return "yes" if "yes" in chosen else ""
    if element.get("type") in ("static_select", "radio_buttons"):
        option = element.get("selected_option")
        value = option.get("value") if isinstance(option, dict) else ""
    else:
        value = element.get("value")
    return value if isinstance(value, str) else ""


def parse_form(view: dict) -> SignupForm:
    state = view.get("state")
    values = state.get("values") if isinstance(state, dict) else None
    values = values if isinstance(values, dict) else {}
    metadata = view_metadata(view)
    return SignupForm(
        meetup_id=parse_id(metadata.get("meetup_id") or _value(values, "meetup")),
        full_name=clean_text(_value(values, "full_name")),
        email=str(metadata.get("email") or ""),
        organisation=clean_text(_value(values, "organisation")),
        role=_value(values, "role") or None,
        government_team=clean_text(_value(values, "government_team")),
        dietary_needs=clean_text(_value(values, "dietary_needs"), multiline=True),
        access_needs=clean_text(_value(values, "access_needs"), multiline=True),
        needs_consent=_value(values, "needs_consent") == "yes",
    )


def submit_signup(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    user_id = body["user"]["id"]
    form = parse_form(view)
    errors = validate(form)
    if errors:
        ack(response_action="errors", errors=_errors_on_shown_fields(errors, view))
        return
    result, queued = _sign_up_and_queue(deps, form, user_id, wants_introduction(view))
    if result.outcome == SignupOutcome.CLOSED:
        ack(
            response_action="update",
            view=message_modal("Sign-up closed", "Sign-up for this meetup has closed. Nothing has been saved."),
        )
        return
    meetup = result.meetup
    assert meetup is not None  # only a closed sign-up has no meetup
    if result.outcome in (SignupOutcome.ALREADY, SignupOutcome.NOT_ELIGIBLE):
        _answer_unchanged(ack, client, deps, view, meetup, result, user_id)
        return
    # The registration and its message are committed: closing the modal
    # now tells the truth. The outbox sends the message straight away, or
    # later if Slack is not answering.
    ack()
    deps.outbox.deliver_soon(queued)
    registration_changed(client, deps, meetup.id, user_id, body, result.registration)


def _errors_on_shown_fields(errors: dict[str, str], view: dict) -> dict[str, str]:
    present = {b.get("block_id") for b in view.get("blocks") or [] if isinstance(b, dict)}
    # An error for a field the modal does not show (a forged payload)
    # would be rejected by Slack; show it on the name field instead.
    return {(k if k in present else "full_name"): v for k, v in errors.items()}


def _sign_up_and_queue(
    deps: Deps, form: SignupForm, user_id: str, introduction: tuple[bool, str] = (False, "")
) -> tuple[SignupResult, list[int]]:
    """Sign up, queueing the message about the outcome in the same
    transaction. Returns the result and the queued messages, which the caller
    delivers after acknowledging. `introduction`: whether they asked for
    introductions, and what they work on, kept with the sign-up, not in it."""
    tz, now, organiser = deps.settings.tz, deps.clock(), deps.calendar_organiser
    queued: list[int] = []

    def queue_outcome(session, result) -> None:
        # In the sign-up's transaction: the message is stored if and only if
        # the sign-up is, before the modal closes ("durable before confirmed").
        if result.registration is not None and result.outcome in ACTIVE_OUTCOMES:
            position = result.waitlist_position
            # Someone now waiting: the organisers' request, in the same transaction.
            queued.extend(queue_approval_messages(session, deps, result.meetup, result.registration, now=now))
            queued.append(
                queue_signup_message(
                    session, result.meetup, result.registration, tz, position=position, now=now, organiser=organiser
                )
            )
            if introduction[0]:
                give_consent(session, user_id, introduction[1], now)

    result = sign_up(
        deps.db,
        form,
        user_id=user_id,
        now=now,
        contact=deps.settings.organiser_contact,
        then=queue_outcome,
        domains=deps.domains,
        limits=deps.limits,
        people=deps.person_keys,
        copies=deps.meetup_copies,
    )
    return result, queued


def _answer_unchanged(
    ack: Ack, client: WebClient, deps: Deps, view: dict, meetup: Meetup, result: SignupResult, user_id: str
) -> None:
    """Nothing changed (already signed up), or nothing is kept (not eligible):
    the modal says so, and a message keeps a copy."""
    if result.outcome != SignupOutcome.ALREADY:
        message = not_eligible_blocks(meetup, result.reason)
        ack(response_action="update", view=message_modal("You cannot sign up", message[0]["text"]["text"]))
        # Sent directly, best effort, not through the outbox: nothing is kept
        # about people who cannot come (README), and a queued message would be
        # a record of them until the meetup is purged. The modal said it all.
        send_dm(client, user_id, message, fallback=message[0]["text"]["text"])
        return
    assert result.registration is not None  # "already" names the registration there is
    # The copy changes nothing stored, yet it goes through the outbox: the
    # modal promises it, so it is stored before the modal says so, and a
    # Slack outage delays it rather than loses it. Keyed by the form
    # submitted: Slack sending the submission twice sends one copy.
    message = status_blocks(meetup, result.registration, deps.settings.tz)
    key = f"signup_copy:{user_id}:{view.get('id') or _stamp(deps.clock())}"
    copy = queue_dm(deps, user_id, message, key=key, kind="signup_copy", meetup_id=meetup.id)
    ack(
        response_action="update",
        view=message_modal(
            "Already signed up", "You have already signed up. We have sent you a message with the details."
        ),
    )
    deps.outbox.deliver_soon([copy])


def send_dm(client: WebClient, user_id: str, message_blocks: list[dict], *, fallback: str) -> None:
    """Post a direct message now, best effort: it is lost if Slack fails.
    For the few messages that must not be stored; every other goes through
    the outbox (handlers.replies.queue_dm, bot.common.outbox)."""
    try:
        # A user id as the channel posts into the DM with that person: no
        # conversations.open first, whose rate limit a rush would reach.
        client.chat_postMessage(channel=user_id, text=fallback[:3000], blocks=message_blocks)
    except SlackApiError as error:
        log.error("Could not send a direct message: %s", error.response.get("error"))


def signup_command(request: CommandRequest) -> None:
    meetups, refusal = signup_refusal(request.deps, request.user_id)
    if refusal:
        request.ack(**refusal)
        return
    request.ack()
    opened = open_signup_modal(
        request.client,
        request.deps,
        meetups=meetups,
        user_id=request.user_id,
        trigger_id=request.command["trigger_id"],
        channel_id=request.command.get("channel_id"),
    )
    if not opened:
        request.respond(
            text="The sign-up form did not open in time. Run `/meetup signup` again.", response_type="ephemeral"
        )


def cancel_command(request: CommandRequest) -> None:
    ack, deps, user_id = request.ack, request.deps, request.user_id
    mine = current_registrations(deps.db, user_id)
    if not mine:
        ack(text="You have not signed up for any upcoming meetups. Use `/meetup signup` to sign up.")
        return
    if len(mine) > 1:
        # Several sign-ups: let the person pick, rather than guess.
        result = []
        for meetup, registration in mine:
            result += status_blocks(meetup, registration, deps.settings.tz)
        ack(text="Choose which sign-up to cancel.", blocks=result)
        return
    meetup, _ = mine[0]
    result, queued = cancel_and_queue(deps, meetup_id=meetup.id, user_id=user_id)
    ack(text=cancel_outcome_text(result))
    after_cancel(request.client, deps, result, queued, user_id, request.command)


def cancel_and_queue(deps: Deps, *, meetup_id: int, user_id: str):
    """Cancel, queueing the message to whoever gets the freed place in the
    same transaction. Returns the result and the queued messages, which the
    caller delivers after acknowledging."""
    now = deps.clock()
    queued: list[int] = []

    def queue_promotions(session, result) -> None:
        for person in result.promoted:
            queued.append(
                queue_promoted_message(
                    session, result.meetup, person, deps.settings.tz, now=now, organiser=deps.calendar_organiser
                )
            )
        # A withdrawn request: its copies say so.
        queued.extend(queue_approval_messages(session, deps, result.meetup, result.registration, now=now))
        # Introductions not sent yet never go: they would name someone not coming.
        leave_meetup(session, result.meetup.id, user_id, deps.person_keys)

    result = cancel(deps.db, meetup_id=meetup_id, user_id=user_id, now=now, then=queue_promotions)
    return result, queued


def cancel_outcome_text(result) -> str:
    if result.outcome != CancelOutcome.CANCELLED:
        return "You do not have a place, a waitlist spot or a request for this meetup, so there is nothing to cancel."
    return cancelled_text(result.meetup, result.previous_status)


def after_cancel(client: WebClient, deps: Deps, result, queued: list[int], user_id: str, body: dict) -> None:
    """Slow work after the answer: send the queued messages to whoever moved
    up, then the hooks (the card's places left, the Home tab)."""
    if result.outcome != CancelOutcome.CANCELLED:
        return
    deps.outbox.deliver_soon(queued)
    registration_changed(client, deps, result.meetup.id, user_id, body, result.registration)


# Changing your details without losing your place -----------------------------------


def details_refusal(deps: Deps, refused: str | None) -> str:
    if refused == STARTED:
        return (
            "This meetup has started, so your details can no longer be changed here. "
            f"Contact {escape(deps.settings.organiser_contact)}."
        )
    return "You do not have a place, a waitlist spot or a request for this meetup, so there are no details to change."


def open_details_modal(client: WebClient, deps: Deps, body: dict, meetup_id: int | None, respond: Respond) -> None:
    """The form prefilled with the person's answers, or one line saying why not.
    From a modal (the sign-up button's answer) it goes on top of it."""
    trigger_id = body.get("trigger_id")
    if not trigger_id:
        return  # nothing can be opened without one; Slack always sends it
    found = find_changeable(deps.db, meetup_id or 0, body["user"]["id"], deps.clock())
    if found.refused:
        tell(client, body, details_refusal(deps, found.refused), respond)
        return
    assert found.meetup is not None and found.registration is not None  # a changeable sign-up has both
    view = details_modal(found.meetup, found.registration, deps.settings.tz, contact=deps.settings.organiser_contact)
    in_modal = (body.get("view") or {}).get("type") == "modal"
    try:
        (client.views_push if in_modal else client.views_open)(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        log.warning("Could not open the form to change details: %s", error.response.get("error"))


def submit_details(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    user_id, now = body["user"]["id"], deps.clock()
    queued: list[int] = []

    def queue_messages(session, result: DetailsResult) -> None:
        # In the change's transaction: a waiting request shows the organisers
        # the new answers, and the person's confirmation is stored with the change.
        meetup, registration = result.meetup, result.registration
        assert meetup is not None and registration is not None  # a change has both
        queued.extend(queue_approval_messages(session, deps, meetup, registration, now=now, details_changed=True))
        message = details_saved_blocks(meetup, registration)
        queued.append(
            enqueue_dm(
                session,
                user_id,
                message,
                message[0]["text"]["text"],
                key=f"details:{registration.id}:{_stamp(now)}",
                kind="details",
                meetup_id=meetup.id,
            )
        )

    result = change_details(deps.db, parse_form(view), user_id=user_id, now=now, then=queue_messages)
    if result.errors:
        ack(response_action="errors", errors=_errors_on_shown_fields(result.errors, view))
        return
    if result.refused:
        ack(response_action="update", view=message_modal("Change my details", details_refusal(deps, result.refused)))
        return
    ack()
    deps.outbox.deliver_soon(queued)


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add("signup", "sign up for a meetup", signup_command)
    deps.subcommands.add("cancel", "cancel your place, leave the waitlist or withdraw your request", cancel_command)

    on_view_submission(app, SIGNUP_CALLBACK, submit_signup, deps)
    on_view_submission(app, DETAILS_CALLBACK, submit_details, deps)

    @app.action(CHANGE_DETAILS_ACTION)
    def on_change_details_button(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        ack()
        open_details_modal(client, deps, body, parse_id(action.get("value")), respond)

    @app.action(OPEN_SIGNUP_ACTION)
    def on_signup_button(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        trigger_id = body.get("trigger_id")
        if not trigger_id:
            return  # nothing can be opened without one; Slack always sends it
        user_id = body["user"]["id"]
        meetups, refusal = signup_refusal(deps, user_id, parse_id(action.get("value")))
        if refusal:
            # The button may be on a channel message: answer in a modal only
            # this person sees, as the click gave us a trigger_id.
            view = message_modal("Sign up", refusal["text"])
            if refusal.get("blocks"):
                view["blocks"] = refusal["blocks"]
            client.views_open(trigger_id=trigger_id, view=view)
            return
        open_signup_modal(client, deps, meetups=meetups, user_id=user_id, trigger_id=trigger_id)

    @app.action(CANCEL_ACTION)
    def on_cancel_button(ack: Ack, body: dict, action: dict, client: WebClient, respond: Respond) -> None:
        ack()
        user_id = body["user"]["id"]
        meetup_id = parse_id(action.get("value"))
        # On the App Home there is no message to answer (no response_url):
        # the Home hook republishes it showing the new state instead.
        answer = respond if body.get("response_url") else (lambda **_: None)
        if meetup_id is None or get_meetup(deps.db, meetup_id) is None:
            answer(text="That meetup no longer exists.", replace_original=False)
            return
        result, queued = cancel_and_queue(deps, meetup_id=meetup_id, user_id=user_id)
        answer(text=cancel_outcome_text(result), replace_original=True)
        after_cancel(client, deps, result, queued, user_id, body)
