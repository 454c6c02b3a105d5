"""`/meetup door [ID]`: the door list, for a meetup's organisers and
co-organisers, to check people in and let people in from the waitlist; and
`/meetup here CODE`, for anyone with a place to check themselves in with the
code shown at the venue.

Every press checks on the server that the person may run the meetup
(`deps.can_run`): a forged press by anyone else checks nobody in.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import partial

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.common.outbox import enqueue_dm_to_registration
from bot.meetups.meetups import get_meetup, upcoming_meetups
from bot.organising.door import check_in, check_in_with_code, door_list, is_meetup_day, let_in
from bot.organising.organising import pick_meetup
from handlers.blocks.common import message_modal, section
from handlers.blocks.door import (
    CHECK_IN_ACTION,
    DOOR_CALLBACK,
    LET_IN_ACTION,
    SEARCH_ACTION,
    SEARCH_BLOCK,
    door_modal,
    walk_in_message,
)
from handlers.deps import CommandRequest, Deps, on_view_submission
from handlers.parse import parse_id, view_metadata
from storage.models import MEETUP_CANCELLED, Meetup, Registration

log = logging.getLogger(__name__)

TITLE = "Door list"
NOT_ALLOWED = "Only the meetup's organisers can use its door list."


def _door_view(deps: Deps, meetup: Meetup, query: str = "", notice: str = "") -> dict:
    query = " ".join(query.split())[:100]
    door = door_list(deps.db, meetup, query, pseudonyms=deps.pseudonyms, now=deps.clock(), tz=deps.settings.tz)
    metadata = json.dumps({"meetup_id": meetup.id, "query": query}, ensure_ascii=False)
    return door_modal(door, deps.settings.tz, metadata=metadata, notice=notice)


def _todays_meetup(deps: Deps) -> Meetup | None:
    """The one meetup happening today, if there is exactly one."""
    now, tz = deps.clock(), deps.settings.tz
    today = [m for m in upcoming_meetups(deps.db, now) if m.status != MEETUP_CANCELLED and is_meetup_day(m, now, tz)]
    return today[0] if len(today) == 1 else None


def door_command(request: CommandRequest) -> None:
    deps = request.deps
    meetup = None if request.args else _todays_meetup(deps)
    problem = ""
    if meetup is None:
        meetup, problem = pick_meetup(
            deps.db, request.args, now=deps.clock(), tz=deps.settings.tz, usage="/meetup door ID"
        )
    if meetup is not None and meetup.status == MEETUP_CANCELLED:
        meetup, problem = None, "That meetup is cancelled, so it has no door list."
    if meetup is None:
        request.ack(text=problem)
        return
    # The trigger_id lives 3 seconds: open straight away with what is read.
    request.ack()
    request.client.views_open(trigger_id=request.command["trigger_id"], view=_door_view(deps, meetup))


def _allowed_meetup(deps: Deps, user_id: str, data: dict) -> Meetup | None:
    meetup_id = parse_id(str(data.get("meetup_id")))
    if meetup_id is None or not deps.can_run(user_id, meetup_id):
        return None
    return get_meetup(deps.db, meetup_id)


def _update(client: WebClient, view: dict, new_view: dict) -> None:
    try:
        client.views_update(view_id=view["id"], view=new_view)
    except SlackApiError as error:
        log.warning("Could not update the door list: %s", error.response.get("error"))


def on_door_action(ack: Ack, body: dict, client: WebClient, deps: Deps, act: Callable[..., str] | None) -> None:
    """A search, Check in or Let in pressed in the door list: do it, then
    show the list again, as it now is."""
    ack()
    view = body.get("view") or {}
    data = view_metadata(view)
    user_id = body["user"]["id"]
    meetup = _allowed_meetup(deps, user_id, data)
    if meetup is None:
        _update(client, view, message_modal(TITLE, NOT_ALLOWED))
        return
    action = (body.get("actions") or [{}])[0]
    query = str(data.get("query") or "")
    notice = ""
    if act is None:
        query = str(action.get("value") or "")
    else:
        registration_id = parse_id(str(action.get("value")))
        if registration_id is not None:
            notice = act(deps.db, meetup, registration_id, by=user_id, now=deps.clock(), tz=deps.settings.tz)
    _update(client, view, _door_view(deps, meetup, query, notice))


def _let_in(deps: Deps, db, meetup: Meetup, registration_id: int, **kwargs) -> str:
    """Let someone in, and tell them: their Slack still says they are on the waitlist."""
    queued: list[int] = []

    def tell(session, meetup: Meetup, registration: Registration) -> None:
        text = walk_in_message(meetup)
        key = f"walk_in:{registration.id}"
        queued.append(
            enqueue_dm_to_registration(
                session, registration, [section(text)], text, key=key, kind="walk_in", meetup_id=meetup.id
            )
        )

    notice = let_in(db, meetup.id, registration_id, tell=tell, **kwargs)
    deps.outbox.deliver_soon(queued)
    return notice


def submit_search(ack: Ack, body: dict, view: dict, client: WebClient, deps: Deps) -> None:
    """Search pressed: the list again, searched; the modal stays open."""
    meetup = _allowed_meetup(deps, body["user"]["id"], view_metadata(view))
    if meetup is None:
        ack(response_action="update", view=message_modal(TITLE, NOT_ALLOWED))
        return
    values = view.get("state", {}).get("values", {})
    query = (values.get(SEARCH_BLOCK, {}).get(SEARCH_ACTION) or {}).get("value") or ""
    ack(response_action="update", view=_door_view(deps, meetup, query))


def here_command(request: CommandRequest) -> None:
    deps = request.deps
    if not request.args:
        request.ack(text="Use `/meetup here CODE` with the code shown at the venue.")
        return
    request.ack(
        text=check_in_with_code(
            deps.db,
            request.user_id,
            " ".join(request.args),
            pseudonyms=deps.pseudonyms,
            now=deps.clock(),
            tz=deps.settings.tz,
        )
    )


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add(
        "door",
        "check people in at the door, and let people in from the waitlist",
        door_command,
        organiser_only=True,
        co_organisers=True,
        usage="[ID]",
    )
    deps.subcommands.add("here", "check yourself in at a meetup with the code shown there", here_command, usage="CODE")
    on_view_submission(app, DOOR_CALLBACK, submit_search, deps)

    @app.action(SEARCH_ACTION)
    def search(ack: Ack, body: dict, client: WebClient) -> None:
        on_door_action(ack, body, client, deps, None)

    @app.action(CHECK_IN_ACTION)
    def check_in_pressed(ack: Ack, body: dict, client: WebClient) -> None:
        on_door_action(ack, body, client, deps, check_in)

    @app.action(LET_IN_ACTION)
    def let_in_pressed(ack: Ack, body: dict, client: WebClient) -> None:
        on_door_action(ack, body, client, deps, partial(_let_in, deps))
