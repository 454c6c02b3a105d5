"""Organisers run meetups from Slack: `/meetup new` and `/meetup edit` (with
close / reopen sign-up and cancel), `/meetup announce`, and `/meetup
subscribe` / `unsubscribe`. The card itself is in handlers/announcement.py.

Every organiser action is checked here, on the server: a forged click or
submission by anyone else changes nothing. A meetup's co-organisers can edit
it, close or reopen its sign-up and cancel it (`deps.can_run`); only
organisers create meetups and name co-organisers.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.common.formatting import escape, plural
from bot.common.outbox import enqueue_dm
from bot.meetups.calendar import CANCEL, REQUEST, CalendarUser, calendar_attachment
from bot.meetups.meetups import ValidationError, get_meetup
from bot.meetups.subscriptions import subscribe, unsubscribe
from bot.organising.co_organisers import clean_co_organisers, co_organisers_of, set_co_organisers
from bot.organising.organising import (
    CancelMeetupResult,
    EditResult,
    MeetupForm,
    NotChangeable,
    cancel_meetup,
    check_changeable,
    create_from_form,
    pick_meetup,
    read_form,
    set_signup_open,
    update_meetup,
)
from bot.reminders.reminders import ReminderPlan
from handlers.announcement import (
    announce,
    cancel_subscriber_cards,
    queue_subscriber_cards,
    refresh_card,
    tell_subscribers,
)
from handlers.approvals import sync_approval_messages
from handlers.blocks.common import message_modal, section
from handlers.blocks.organising import (
    CANCEL_MEETUP_ACTION,
    CLOSE_SIGNUP_ACTION,
    CO_ORGANISERS_BLOCK,
    EDIT_MEETUP_CALLBACK,
    NEW_MEETUP_CALLBACK,
    REOPEN_SIGNUP_ACTION,
    changed_blocks,
    created_blocks,
    meetup_cancelled_blocks,
    meetup_modal,
    online_link_changed_blocks,
)
from handlers.deps import CommandRequest, Deps, on_view_submission
from handlers.parse import parse_id
from handlers.replies import queue_dm, tell
from handlers.signup import queue_promoted_message
from storage.models import CONFIRMED, Registration

log = logging.getLogger(__name__)


def _meetup_id(value: str | None) -> int | None:
    return parse_id(value)


# /meetup new and edit -------------------------------------------------------------


def form_for(deps: Deps, user_id: str, meetup=None) -> dict:
    """The meetup form as this person sees it: only organisers name the
    co-organisers, so a co-organiser's form leaves the question out."""
    co_organisers = None
    if deps.organisers.is_organiser(user_id):
        co_organisers = co_organisers_of(deps.db, meetup.id) if meetup is not None else []
    return meetup_modal(tz=deps.settings.tz, meetup=meetup, co_organisers=co_organisers)


def open_meetup_modal(client: WebClient, deps: Deps, trigger_id: str, meetup=None, *, user_id: str) -> None:
    client.views_open(trigger_id=trigger_id, view=form_for(deps, user_id, meetup))


def new_command(request: CommandRequest) -> None:
    request.ack()
    open_meetup_modal(request.client, request.deps, request.command["trigger_id"], user_id=request.user_id)


def edit_refusal(deps: Deps, args: list[str]):
    meetup, problem = pick_meetup(deps.db, args, now=deps.clock(), tz=deps.settings.tz, usage="/meetup edit ID")
    if problem:
        return None, problem
    try:
        check_changeable(meetup, deps.clock())
    except NotChangeable as error:
        return None, str(error)
    return meetup, ""


def edit_command(request: CommandRequest) -> None:
    meetup, problem = edit_refusal(request.deps, request.args)
    if problem:
        request.ack(text=problem)
        return
    request.ack()
    open_meetup_modal(request.client, request.deps, request.command["trigger_id"], meetup, user_id=request.user_id)


def announce_command(request: CommandRequest) -> None:
    deps = request.deps
    meetup, problem = edit_refusal(deps, request.args)
    if problem:
        request.ack(text=problem)
        return
    request.ack(text=f"Posting the announcement for *{escape(meetup.title)}*.")
    channel, new = announce(request.client, deps, meetup.id)
    if channel is None:
        # One a command: pressing it again after a failure says so again.
        told = queue_dm(
            deps,
            request.user_id,
            [section(_announce_failed(deps, meetup))],
            key=f"announce-failed:{meetup.id}:{request.command.get('trigger_id', '')}",
            kind="announce_failed",
            fallback="The announcement could not be posted.",
            meetup_id=meetup.id,
        )
        deps.outbox.deliver_soon([told])
    if new:
        # Subscribers had the card queued when the meetup was created; this
        # reaches those who subscribed since (the keys stop a second copy).
        tell_subscribers(deps, meetup.id)


def _announce_failed(deps: Deps, meetup) -> str:
    return (
        f"The announcement for *{escape(meetup.title)}* could not be posted in <#{deps.settings.channel_id}>. "
        f"Invite the bot to the channel with `/invite @meetup`, then use `/meetup announce {meetup.id}`."
    )


def _state_value(values: dict, block_id: str) -> dict:
    return values.get(block_id, {}).get("value") or {}


def parse_meetup_form(view: dict) -> MeetupForm:
    values = view.get("state", {}).get("values", {})

    def text(block_id: str) -> str:
        return _state_value(values, block_id).get("value") or ""

    audience = _state_value(values, "audience").get("selected_option") or {}
    sectors = _state_value(values, "extra_sectors").get("selected_options") or []
    return MeetupForm(
        title=text("title"),
        date=_state_value(values, "date").get("selected_date"),
        start_time=_state_value(values, "start_time").get("selected_time"),
        end_time=_state_value(values, "end_time").get("selected_time"),
        venue=text("venue"),
        host_organisation=text("host_organisation"),
        capacity=text("capacity"),
        audience=audience.get("value", ""),
        extra_sectors=frozenset(o.get("value", "") for o in sectors),
        description=text("description"),
        agenda=text("agenda"),
        online_link=text("online_link"),
        signup_closes_date=_state_value(values, "signup_closes").get("selected_date"),
    )


def parse_co_organisers(view: dict) -> list[str] | None:
    """The co-organisers chosen in the form; None when the form did not ask."""
    values = view.get("state", {}).get("values", {})
    if CO_ORGANISERS_BLOCK not in values:
        return None
    chosen = _state_value(values, CO_ORGANISERS_BLOCK).get("selected_users")
    return clean_co_organisers(chosen if isinstance(chosen, list) else [])


def _field_errors(view: dict, errors: dict[str, str]) -> dict[str, str]:
    # An error for a block the form does not have (a forged payload) would be
    # refused by Slack: show it on the title instead.
    present = view.get("state", {}).get("values", {}).keys()
    shown: dict[str, str] = {}
    for name, message in errors.items():
        shown.setdefault(name if name in present else "title", message)
    return shown


def submit_new(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    user_id = body["user"]["id"]
    if not deps.organisers.is_organiser(user_id):
        ack(response_action="update", view=message_modal("New meetup", "Only organisers can create meetups."))
        return
    now, tz = deps.clock(), deps.settings.tz
    fields, errors = read_form(parse_meetup_form(view), tz=tz, now=now)
    if fields is None:
        ack(response_action="errors", errors=_field_errors(view, errors))
        return
    queued: list[int] = []

    def queue_cards(session, meetup) -> None:
        set_co_organisers(session, meetup.id, parse_co_organisers(view) or [], now=now)
        queued.extend(queue_subscriber_cards(session, deps, meetup))

    try:
        meetup = create_from_form(
            deps.db,
            fields,
            tz=tz,
            now=now,
            created_by=user_id,
            plan=ReminderPlan.from_settings(deps.settings),
            then=queue_cards,
        )
    except ValidationError as error:
        ack(response_action="errors", errors=_field_errors(view, error.errors))
        return
    # Stored, with the subscribers' cards: the form can close. Announcing and
    # telling people comes after.
    ack()
    channel, _ = announce(client, deps, meetup.id)
    deps.outbox.deliver_soon(queued)
    message = created_blocks(meetup, channel_id=channel, tz=tz)
    if channel is None:
        message.insert(0, section(_announce_failed(deps, meetup)))
    key, fallback = f"created:{meetup.id}", f"You created {escape(meetup.title)}."
    told = queue_dm(deps, user_id, message, key=key, kind="created", fallback=fallback, meetup_id=meetup.id)
    deps.outbox.deliver_soon([told])


def submit_edit(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    user_id = body["user"]["id"]
    try:
        meetup_id = _meetup_id(str(json.loads(view.get("private_metadata") or "{}").get("meetup_id")))
    except ValueError:
        meetup_id = None
    if not deps.can_run(user_id, meetup_id):
        ack(response_action="update", view=message_modal("Change the meetup", "Only organisers can change meetups."))
        return
    meetup = get_meetup(deps.db, meetup_id) if meetup_id else None
    now, tz = deps.clock(), deps.settings.tz
    try:
        meetup = check_changeable(meetup, now)
    except NotChangeable as error:
        ack(response_action="update", view=message_modal("Change the meetup", str(error)))
        return
    fields, errors = read_form(parse_meetup_form(view), tz=tz, now=now, current=meetup)
    if fields is None:
        ack(response_action="errors", errors=_field_errors(view, errors))
        return
    queued: list[int] = []
    # A co-organiser's form has no such question; a forged one changes nothing.
    co_organisers = parse_co_organisers(view) if deps.organisers.is_organiser(user_id) else None

    def then(session, result: EditResult) -> None:
        if co_organisers is not None:
            set_co_organisers(session, result.meetup.id, co_organisers, now=now)
        queued.extend(queue_edit_notices(session, result, tz, now=now, organiser=deps.calendar_organiser))

    try:
        result = update_meetup(
            deps.db, meetup.id, fields, tz=tz, now=now, plan=ReminderPlan.from_settings(deps.settings), then=then
        )
    except ValidationError as error:
        ack(response_action="errors", errors=_field_errors(view, error.errors))
        return
    except NotChangeable as error:
        ack(response_action="update", view=message_modal("Change the meetup", str(error)))
        return
    text = f"Your changes to *{escape(result.meetup.title)}* are saved."
    if result.to_tell:
        text += (
            f" We are sending a message about the new {_what_changed(result.changes)} to "
            f"{plural(len(result.to_tell), 'person', 'people')} signed up."
        )
    if result.link_changed_for:
        people = plural(len(result.link_changed_for), "person", "people")
        if result.link_removed:
            text += f" We are telling {people} with a place that the online joining link has been removed."
        else:
            text += f" We are sending the new online joining link to {people} with a place."
    ack(response_action="update", view=message_modal("Changes saved", text))
    deps.outbox.deliver_soon(queued)
    refresh_card(client, deps, result.meetup.id)


def queue_edit_notices(
    session, result: EditResult, tz: ZoneInfo, *, now: datetime, organiser: CalendarUser | None
) -> list[int]:
    """In the edit's transaction: tell everyone registered what changed, with
    an updated calendar file for those with a place, and give anyone moved up
    by a bigger capacity the message everyone who gets a place gets. Each
    change raises the calendar SEQUENCE, which keys its notices: one a person."""
    meetup = result.meetup
    queued = [
        queue_promoted_message(session, meetup, person, tz, now=now, organiser=organiser) for person in result.promoted
    ]

    def update(registration: Registration) -> dict:
        return calendar_attachment(
            meetup, tz, now=now, method=REQUEST, session=session, organiser=organiser, registration=registration
        )

    link_changed = {r.id for r in result.link_changed_for}
    link_change = (
        "The online joining link has been removed." if result.link_removed else "The online joining link has changed."
    )
    for registration in result.to_tell:
        has_place = registration.status == CONFIRMED
        changes = result.changes + ([link_change] if registration.id in link_changed else [])
        queued.append(
            _queue_notice(
                session,
                registration,
                changed_blocks(meetup, changes, registration, tz),
                f"{escape(meetup.title)} has changed.",
                meetup=meetup,
                kind="meetup_changed",
                attachment=update(registration) if has_place else None,
                # Sent only while they still hold what the notice describes.
                required_status=registration.status,
                now=now,
            )
        )
    told = {r.id for r in result.to_tell}
    for registration in result.link_changed_for:
        if registration.id not in told:
            queued.append(
                _queue_notice(
                    session,
                    registration,
                    online_link_changed_blocks(meetup, registration, tz, removed=result.link_removed),
                    f"The online joining link for {escape(meetup.title)} has "
                    + ("been removed." if result.link_removed else "changed."),
                    meetup=meetup,
                    kind="online_link_changed",
                    attachment=update(registration),
                    required_status=CONFIRMED,
                    now=now,
                )
            )
    return queued


def _what_changed(changes: list[str]) -> str:
    words = [
        word
        for word, prefix in (("date", "The date"), ("time", "The time"), ("venue", "The venue"))
        if any(c.startswith(prefix) for c in changes)
    ]
    return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 1 else words)


# Close, reopen, cancel: buttons on the edit form ------------------------------------


def on_toggle_signup(ack: Ack, body: dict, action: dict, client: WebClient, deps: Deps, *, open_: bool) -> None:
    ack()
    meetup_id = _meetup_id(action.get("value"))
    if not deps.can_run(body["user"]["id"], meetup_id):
        tell(client, body, "Only organisers can close or reopen sign-up.")
        return
    try:
        meetup = set_signup_open(deps.db, meetup_id or 0, open_=open_, now=deps.clock())
    except NotChangeable as error:
        tell(client, body, str(error))
        return
    view = body.get("view") or {}
    if view.get("type") == "modal":
        # Same block and action ids: Slack keeps what the organiser has typed.
        try:
            client.views_update(view_id=view["id"], view=form_for(deps, body["user"]["id"], meetup))
        except SlackApiError as error:
            log.warning("Could not update the form: %s", error.response.get("error"))
    refresh_card(client, deps, meetup.id)


def on_cancel_meetup(ack: Ack, body: dict, action: dict, client: WebClient, deps: Deps) -> None:
    ack()
    meetup_id = _meetup_id(action.get("value"))
    if not deps.can_run(body["user"]["id"], meetup_id):
        tell(client, body, "Only organisers can cancel a meetup.")
        return
    tz, now = deps.settings.tz, deps.clock()
    queued: list[int] = []
    try:
        result = cancel_meetup(
            deps.db,
            meetup_id or 0,
            now=now,
            then=lambda session, result: queued.extend(
                queue_cancel_notices(
                    session, result, tz, deps.settings.organiser_contact, now=now, organiser=deps.calendar_organiser
                )
            ),
        )
    except NotChangeable as error:
        tell(client, body, str(error))
        return
    tell(
        client,
        body,
        f"You cancelled *{escape(result.meetup.title)}*. We are sending a message to "
        f"{plural(len(result.to_tell), 'person', 'people')} who signed up.",
    )
    deps.outbox.deliver_soon(queued)
    refresh_card(client, deps, result.meetup.id)
    for registration in result.to_tell:
        # Approval messages for anyone who was waiting now say it was cancelled.
        sync_approval_messages(deps, registration.id)


def queue_cancel_notices(
    session, result: CancelMeetupResult, tz: ZoneInfo, contact: str, *, now: datetime, organiser: CalendarUser | None
) -> list[int]:
    """In the cancellation's transaction: tell everyone who was registered,
    with a file that takes the meetup out of the calendar of those who had a
    place. Without a required status: the sender drops messages tied to a
    cancelled meetup's registrations, and this one is about just that."""
    meetup = result.meetup
    cancel_subscriber_cards(session, meetup.id)
    message = meetup_cancelled_blocks(meetup, tz, contact)

    def cancel_file(registration: Registration) -> dict:
        return calendar_attachment(meetup, tz, now=now, method=CANCEL, organiser=organiser, registration=registration)

    return [
        _queue_notice(
            session,
            registration,
            message,
            f"{escape(meetup.title)} has been cancelled.",
            meetup=meetup,
            kind="meetup_cancelled",
            attachment=cancel_file(registration) if registration.id in result.had_place else None,
            required_status=None,
            now=now,
        )
        for registration in result.to_tell
    ]


def _queue_notice(
    session,
    registration,
    message: list[dict],
    text: str,
    *,
    meetup,
    kind: str,
    attachment: dict | None,
    required_status: str | None,
    now: datetime,
) -> int:
    """A notice about the meetup to one person registered for it. The calendar
    SEQUENCE goes up with every change a notice is about, so the key sends
    each change's notice once a person."""
    return enqueue_dm(
        session,
        registration.slack_user_id,
        message,
        text,
        key=f"{kind}:{registration.id}:{meetup.ics_sequence}",
        kind=kind,
        meetup_id=meetup.id,
        registration_id=registration.id if required_status else None,
        required_status=required_status,
        attachment=attachment,
        now=now,
    )


# /meetup subscribe and unsubscribe -------------------------------------------------


def subscribe_command(request: CommandRequest) -> None:
    if subscribe(request.deps.db, request.user_id, now=request.deps.clock()):
        request.ack(
            text="You will get a direct message when a new meetup is announced. To stop, use `/meetup unsubscribe`."
        )
    else:
        request.ack(text="You are already subscribed to new meetups. To stop, use `/meetup unsubscribe`.")


def unsubscribe_command(request: CommandRequest) -> None:
    if unsubscribe(request.deps.db, request.user_id):
        request.ack(
            text="You will no longer get direct messages about new meetups. To start again, use `/meetup subscribe`."
        )
    else:
        request.ack(text="You are not subscribed to new meetups. To subscribe, use `/meetup subscribe`.")


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add(
        "new",
        "create a meetup and announce it, with its talks and their times and an online joining link if it has one",
        new_command,
        organiser_only=True,
    )
    deps.subcommands.add(
        "edit",
        "change a meetup (its talks and online joining link too), close or reopen sign-up, or cancel it",
        edit_command,
        organiser_only=True,
        co_organisers=True,
        usage="[ID]",
    )
    deps.subcommands.add(
        "announce",
        "post a meetup's announcement card, if it is missing",
        announce_command,
        organiser_only=True,
        usage="[ID]",
    )
    deps.subcommands.add("subscribe", "get a direct message when a new meetup is announced", subscribe_command)
    deps.subcommands.add("unsubscribe", "stop direct messages about new meetups", unsubscribe_command)

    on_view_submission(app, NEW_MEETUP_CALLBACK, submit_new, deps)
    on_view_submission(app, EDIT_MEETUP_CALLBACK, submit_edit, deps)

    @app.action(CLOSE_SIGNUP_ACTION)
    def on_close(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        on_toggle_signup(ack, body, action, client, deps, open_=False)

    @app.action(REOPEN_SIGNUP_ACTION)
    def on_reopen(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        on_toggle_signup(ack, body, action, client, deps, open_=True)

    @app.action(CANCEL_MEETUP_ACTION)
    def on_cancel(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        on_cancel_meetup(ack, body, action, client, deps)
