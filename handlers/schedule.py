"""`/meetup schedule`: the organisers' form, the grid in the channel, and a
message to each session lead."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.common.formatting import escape
from bot.common.outbox import enqueue_channel_post, enqueue_dm
from bot.meetups.meetups import get_meetup
from bot.topics.grid import GridInputError, Room, Slot, parse_rooms, parse_slots, rooms_text, slots_text
from bot.topics.sessions import ScheduleOutcome, build_schedule, last_rooms_and_slots
from bot.topics.topics import carry_over_finished, ranking, topic_meetups
from handlers.blocks.common import message_modal
from handlers.blocks.schedule import (
    SCHEDULE_CALLBACK,
    dropped_dm,
    grid_blocks,
    grid_summary,
    schedule_modal,
    session_dm,
)
from handlers.deps import CommandRequest, Deps, on_view_submission
from handlers.parse import parse_id, view_metadata
from handlers.topics import announce_carried, input_value, pick_meetup
from storage import deliveries as delivery_store
from storage.models import TOPIC_OPEN, Meetup

log = logging.getLogger(__name__)


def schedule_command(request: CommandRequest) -> None:
    deps = request.deps
    meetups = topic_meetups(deps.db, deps.clock())
    if request.args:
        chosen = pick_meetup(request, meetups)
        if chosen is None:
            return
        meetups = [chosen]
    elif not meetups:
        request.ack(text="There are no upcoming meetups to build a grid for.")
        return
    request.ack()
    rooms = slots = ""
    if len(meetups) == 1:
        last = last_rooms_and_slots(deps.db, meetups[0].id)
        if last:
            rooms, slots = rooms_text(last[0]), slots_text(last[1], deps.settings.tz)
    request.client.views_open(
        trigger_id=request.command["trigger_id"],
        view=schedule_modal(meetups, deps.settings.tz, channel_id=deps.settings.channel_id, rooms=rooms, slots=slots),
    )
    # Leftovers from a finished meetup join the list before the grid is built.
    announce_carried(request.client, deps, carry_over_finished(deps.db, deps.clock()))


def submit_schedule(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    user_id = body["user"]["id"]

    def answer(text: str) -> None:
        ack(response_action="update", view=message_modal("Session grid", text))

    if not deps.organisers.is_organiser(user_id):
        answer("Only organisers can build the grid.")
        return
    values = view.get("state", {}).get("values", {})
    meetup_id = parse_id(view_metadata(view).get("meetup_id") or input_value(values, "meetup"))
    meetup = get_meetup(deps.db, meetup_id) if meetup_id else None
    if meetup is None:
        ack(response_action="errors", errors={"meetup" if "meetup" in values else "rooms": "Select a meetup"})
        return
    if meetup.ends_at <= deps.clock():
        answer("That meetup is over, so its grid can no longer change. Nothing has been posted.")
        return
    rooms, slots, errors = _read_grid(values, meetup, deps.settings.tz)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    if not ranking(deps.db, meetup.id).topics:
        answer(
            f"Nobody has proposed a topic for {escape(meetup.title)} yet, so there is no grid "
            "to build. Nothing has been posted."
        )
        return
    # Ack before the search: with many topics it takes a second or more, and
    # Slack allows 3 for the ack. The form says the grid is coming, then what came.
    answer(
        f"Building the grid for {escape(meetup.title)}. It will be posted in <#{deps.settings.channel_id}> in a moment."
    )
    now, queued = deps.clock(), []
    outcome = build_schedule(
        deps.db,
        meetup_id=meetup.id,
        rooms=rooms,
        slots=slots,
        organiser=user_id,
        now=now,
        then=lambda session, stored: queued.extend(queue_grid_messages(session, deps, stored, now=now)),
    )
    if outcome is None:
        _update_form(client, view, message_modal("Session grid", "That meetup no longer exists."))
        return
    # The grid and its messages are stored: say so, then send them.
    _update_form(client, view, message_modal("Grid posted", grid_summary(outcome, deps.settings.channel_id)))
    deps.outbox.deliver_soon(queued)


def _read_grid(values: dict, meetup: Meetup, tz: ZoneInfo) -> tuple[list[Room], list[Slot], dict[str, str]]:
    """The rooms and time slots typed in the form, and what is wrong with them, by field."""
    rooms: list[Room] = []
    slots: list[Slot] = []
    errors = {}
    try:
        rooms = parse_rooms(input_value(values, "rooms"))
    except GridInputError as error:
        errors["rooms"] = str(error)
    try:
        slots = parse_slots(
            input_value(values, "slots"),
            day=meetup.starts_at.astimezone(tz).date(),
            tz=tz,
            within=Slot(meetup.starts_at, meetup.ends_at),
        )
    except GridInputError as error:
        errors["slots"] = str(error)
    return rooms, slots, errors


def _update_form(client: WebClient, view: dict, new_view: dict) -> None:
    if not view.get("id"):
        return
    try:
        client.views_update(view_id=view["id"], view=new_view)
    except SlackApiError as error:  # closed by then: the grid in the channel says it all
        log.info("Could not update the grid form: %s", error.response.get("error"))


def queue_grid_messages(session, deps: Deps, outcome: ScheduleOutcome, *, now: datetime) -> list[int]:
    """Queue the grid for the channel and a message to each lead whose
    session is new or has moved (or is gone), in the transaction that stores
    the grid. Returns the deliveries' ids, for deps.outbox.deliver_soon.

    Each stored grid is a version: its messages are keyed by its id, so it
    is posted once. One that replaces a grid still waiting (Slack was down)
    cancels the old one's post, and its message to a lead the older message
    to that lead: only the latest says where a session is.
    """
    meetup, tz = outcome.meetup, deps.settings.tz
    fallback, grid = grid_blocks(outcome, tz)
    queued = [
        enqueue_channel_post(
            session,
            deps.settings.channel_id,
            grid,
            fallback,
            key=_replacing(session, f"grid:{meetup.id}:", outcome.schedule_id),
            kind="grid",
            meetup_id=meetup.id,
            now=now,
        )
    ]
    # On a re-run, only people whose session is new or has moved hear about it.
    # Someone without a place at the meetup is told so (placed.place).
    for placed in outcome.sessions:
        if placed.changed:
            message = session_dm(placed, meetup, tz, moved=placed.moved, contact=deps.settings.organiser_contact)
            to = placed.lead or placed.topic.topic.proposer_user_id
            queued.append(_queue_lead(session, to, message, placed.topic.topic.id, outcome, now=now))
    for topic in outcome.dropped:
        if topic.status == TOPIC_OPEN:
            message = dropped_dm(topic, meetup)
            queued.append(_queue_lead(session, topic.proposer_user_id, message, topic.id, outcome, now=now))
    return queued


def _queue_lead(
    session, user_id: str, message: list[dict], topic_id: int, outcome: ScheduleOutcome, *, now: datetime
) -> int:
    key = _replacing(session, f"session:{outcome.meetup.id}:{topic_id}:", outcome.schedule_id)
    return enqueue_dm(
        session,
        user_id,
        message,
        message[0]["text"]["text"],
        key=key,
        kind="session",
        meetup_id=outcome.meetup.id,
        now=now,
    )


def _replacing(session, prefix: str, schedule_id: int) -> str:
    """The key of this grid's message, cancelling the same message from older
    grids that is still waiting to be sent."""
    key = f"{prefix}{schedule_id}"
    delivery_store.cancel_pending_with_key_prefix(session, prefix, keep_key=key, note="a newer grid replaced it")
    return key


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add(
        "schedule",
        "build the grid of discussion sessions from the votes",
        schedule_command,
        organiser_only=True,
        usage="[ID]",
    )

    on_view_submission(app, SCHEDULE_CALLBACK, submit_schedule, deps)
