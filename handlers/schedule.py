"""`/meetup schedule`: the organisers' form, the grid in the channel, and a
message to each session lead."""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.common.formatting import escape
from bot.meetups.meetups import get_meetup
from bot.topics.grid import GridInputError, Room, Slot, parse_rooms, parse_slots, rooms_text, slots_text
from bot.topics.sessions import ScheduleOutcome, build_schedule, last_rooms_and_slots, record_grid_message
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
from handlers.signup import send_dm
from handlers.topics import announce_carried, input_value, pick_meetup
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
    outcome = build_schedule(
        deps.db, meetup_id=meetup.id, rooms=rooms, slots=slots, organiser=user_id, now=deps.clock()
    )
    if outcome is None:
        _update_form(client, view, message_modal("Session grid", "That meetup no longer exists."))
        return
    # The grid is stored: say so, then post it and tell the leads.
    _update_form(client, view, message_modal("Grid posted", grid_summary(outcome, deps.settings.channel_id)))
    post_grid(client, deps, outcome)


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


def post_grid(client: WebClient, deps: Deps, outcome: ScheduleOutcome) -> None:
    tz = deps.settings.tz
    fallback, grid = grid_blocks(outcome, tz)
    try:
        posted = client.chat_postMessage(
            channel=deps.settings.channel_id, text=fallback, blocks=grid, unfurl_links=False
        )
        record_grid_message(deps.db, outcome.schedule_id, channel=posted["channel"], ts=posted["ts"])
    except SlackApiError as error:
        log.error("Could not post the session grid: %s", error.response.get("error"))
    # On a re-run, only people whose session is new or has moved hear about it.
    for placed in outcome.sessions:
        if not placed.changed:
            continue
        message = session_dm(placed, outcome.meetup, tz, moved=placed.moved)
        send_dm(
            client, placed.lead or placed.topic.topic.proposer_user_id, message, fallback=message[0]["text"]["text"]
        )
    for topic in outcome.dropped:
        if topic.status == TOPIC_OPEN:
            message = dropped_dm(topic, outcome.meetup)
            send_dm(client, topic.proposer_user_id, message, fallback=message[0]["text"]["text"])


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add(
        "schedule",
        "build the grid of discussion sessions from the votes",
        schedule_command,
        organiser_only=True,
        usage="[ID]",
    )

    on_view_submission(app, SCHEDULE_CALLBACK, submit_schedule, deps)
