"""`/meetup message [ID]`: an organiser writes one message to a meetup's
attendees (everyone with a place, the waitlist, or both), checks a preview,
then sends it through the outbox, once a person.

Each step checks on the server that the person is an organiser, or a
co-organiser of that meetup (`deps.can_run`): a forged submission by anyone
else sends nothing. The preview's private metadata
holds the message and its key, made when the preview is shown, so Send
pressed twice sends it once.
"""

from __future__ import annotations

import json
import logging
import uuid

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.common.formatting import plural
from bot.meetups.meetups import get_meetup
from bot.organising.attendee_messages import (
    check_messageable,
    clean_message,
    count_recipients,
    message_problem,
    send_to_attendees,
)
from bot.organising.organising import NotChangeable, pick_meetup
from handlers.blocks.attendee_messages import (
    COMPOSE_CALLBACK,
    EDIT_ACTION,
    PREVIEW_CALLBACK,
    attendee_message,
    compose_modal,
    preview_modal,
)
from handlers.blocks.common import message_modal
from handlers.deps import CommandRequest, Deps, on_view_submission
from handlers.parse import parse_id
from storage.models import MESSAGE_AUDIENCES

log = logging.getLogger(__name__)

TITLE = "Message attendees"
# Slack's limit on a view's private_metadata.
METADATA_LIMIT = 3000


def _metadata(view: dict) -> dict:
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _allowed(deps: Deps, body: dict, data: dict) -> bool:
    return deps.can_run(body["user"]["id"], parse_id(str(data.get("meetup_id"))))


def _meetup(deps: Deps, data: dict):
    """The meetup the form is about, while its attendees can be messaged."""
    meetup_id = parse_id(str(data.get("meetup_id")))
    meetup = get_meetup(deps.db, meetup_id) if meetup_id else None
    return check_messageable(meetup, deps.clock())


def _compose(deps: Deps, meetup, *, text: str = "", audience: str = "") -> dict:
    counts = {a: count_recipients(deps.db, meetup.id, a) for a in MESSAGE_AUDIENCES}
    metadata = json.dumps({"meetup_id": meetup.id})
    return compose_modal(meetup, deps.settings.tz, counts, metadata=metadata, text=text, audience=audience)


def message_command(request: CommandRequest) -> None:
    deps = request.deps
    meetup, problem = pick_meetup(
        deps.db, request.args, now=deps.clock(), tz=deps.settings.tz, usage="/meetup message ID"
    )
    if meetup is not None:
        try:
            check_messageable(meetup, deps.clock())
        except NotChangeable as error:
            meetup, problem = None, str(error)
    if meetup is None:
        request.ack(text=problem)
        return
    request.ack()
    request.client.views_open(trigger_id=request.command["trigger_id"], view=_compose(deps, meetup))


def _answers(view: dict) -> tuple[str, str]:
    values = view.get("state", {}).get("values", {})
    text = (values.get("text", {}).get("value") or {}).get("value")
    audience = ((values.get("audience", {}).get("value") or {}).get("selected_option") or {}).get("value", "")
    return clean_message(text), audience


def submit_compose(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    """The form, submitted: show the preview, or say what to fix."""
    if not _allowed(deps, body, _metadata(view)):
        ack(response_action="update", view=message_modal(TITLE, "Only organisers can message attendees."))
        return
    try:
        meetup = _meetup(deps, _metadata(view))
    except NotChangeable as error:
        ack(response_action="update", view=message_modal(TITLE, str(error)))
        return
    text, audience = _answers(view)
    errors = message_problem(text, audience)
    count = 0 if errors else count_recipients(deps.db, meetup.id, audience)
    if not errors and count == 0:
        errors["audience"] = "Nobody is in this group yet: select another"
    metadata = json.dumps(
        {"meetup_id": meetup.id, "audience": audience, "text": text, "key": uuid.uuid4().hex}, ensure_ascii=False
    )
    if not errors and len(metadata) > METADATA_LIMIT:
        errors["text"] = "Message is too long: make it shorter"
    if errors:
        ack(response_action="errors", errors=errors)
        return
    _, blocks = attendee_message(meetup, text, deps.settings.tz)
    ack(response_action="update", view=preview_modal(blocks, audience, count, metadata=metadata))


def submit_preview(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    """Send pressed: queue the message to everyone, once, and say so."""
    user_id, data = body["user"]["id"], _metadata(view)
    if not _allowed(deps, body, data):
        ack(response_action="update", view=message_modal(TITLE, "Only organisers can message attendees."))
        return
    text, audience, key = clean_message(data.get("text")), str(data.get("audience", "")), str(data.get("key", ""))
    try:
        meetup = _meetup(deps, data)
        if message_problem(text, audience) or not key:
            raise NotChangeable("The message could not be read. Use `/meetup message` to write it again.")
        sent = send_to_attendees(
            deps.db,
            meetup.id,
            message_key=key[:64],
            audience=audience,
            message=attendee_message(meetup, text, deps.settings.tz),
            sent_by=user_id,
            now=deps.clock(),
        )
    except NotChangeable as error:
        ack(response_action="update", view=message_modal(TITLE, str(error)))
        return
    people = plural(sent.record.recipient_count, "person", "people")
    if sent.already_sent:
        reply = f"Your message has already been sent to {people}."
    else:
        reply = f"We are sending your message to {people}."
    ack(response_action="update", view=message_modal("Message sent", reply))
    deps.outbox.deliver_soon(sent.queued)


def on_edit(ack: Ack, body: dict, client: WebClient, deps: Deps) -> None:
    """Back from the preview to the form, with what was typed."""
    ack()
    view = body.get("view") or {}
    data = _metadata(view)
    if not _allowed(deps, body, data):
        return
    try:
        meetup = _meetup(deps, data)
        new_view = _compose(deps, meetup, text=clean_message(data.get("text")), audience=str(data.get("audience", "")))
    except NotChangeable as error:
        new_view = message_modal(TITLE, str(error))
    try:
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=new_view)
    except SlackApiError as error:
        log.warning("Could not go back to the message form: %s", error.response.get("error"))


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add(
        "message",
        "send a message to a meetup's attendees or waitlist",
        message_command,
        organiser_only=True,
        co_organisers=True,
        usage="[ID]",
    )
    on_view_submission(app, COMPOSE_CALLBACK, submit_compose, deps)
    on_view_submission(app, PREVIEW_CALLBACK, submit_preview, deps)

    @app.action(EDIT_ACTION)
    def edit(ack: Ack, body: dict, client: WebClient) -> None:
        on_edit(ack, body, client, deps)
