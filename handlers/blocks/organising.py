"""Block Kit for organisers running a meetup: the meetup form, and messages after a change.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

import json
from typing import Any
from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_when
from bot.meetups.agenda import EXAMPLE, agenda_text, talks_from_json
from bot.meetups.audience import OPTIONAL_SECTORS
from bot.organising.co_organisers import MAX_CO_ORGANISERS
from bot.organising.organising import closing_date
from handlers.blocks.common import (
    button,
    choice_element,
    context,
    input_block,
    meetup_details,
    plain,
    section,
    text_element,
)
from handlers.blocks.signup import status_blocks
from storage.models import MEETUP_CLOSED

NEW_MEETUP_CALLBACK = "meetup_new"
EDIT_MEETUP_CALLBACK = "meetup_edit"
CLOSE_SIGNUP_ACTION = "close_signup"
REOPEN_SIGNUP_ACTION = "reopen_signup"
CANCEL_MEETUP_ACTION = "cancel_meetup"
CO_ORGANISERS_BLOCK = "co_organisers"


AUDIENCE_LABELS = {
    "government": "Government",
    "public_sector": "Public sector",
    "open": "Open to everyone",
}


AUDIENCE_HINTS = {
    "government": "Central and devolved government and arm's-length bodies, and any kinds ticked below",
    "public_sector": "Anyone with a recognised public sector email address",
    "open": "Anyone",
}


def _sector_option(key: str) -> dict:
    label = OPTIONAL_SECTORS[key]
    return {"text": plain(label[0].upper() + label[1:]), "value": key}


def meetup_modal(*, tz: ZoneInfo, meetup=None, co_organisers: list[str] | None = None) -> dict:
    """The form for `/meetup new`, or prefilled for `/meetup edit`, where it
    also has the buttons to close or reopen sign-up and cancel the meetup.
    It asks for the co-organisers, chosen already, when given them (a list,
    perhaps empty): only organisers name them."""
    editing = meetup is not None
    blocks: list[dict] = []
    if editing:
        blocks.append(
            context(
                "Changing the date, time or venue sends a message to everyone signed up. "
                "Changing the online joining link sends the new link to everyone with a place."
            )
        )
    blocks += [
        input_block("title", "Title", text_element(meetup.title if editing else "")),
        *_when_questions(meetup, tz),
        input_block(
            "venue",
            "Venue",
            text_element(meetup.venue if editing else "", max_length=300),
            hint="The building's name and address, as people will need to find it",
        ),
        input_block(
            "host_organisation",
            "Host organisation",
            text_element(meetup.host_organisation if editing else ""),
            optional=True,
        ),
        _capacity_question(meetup),
        *_audience_questions(meetup),
        input_block(
            "description",
            "Description",
            text_element(meetup.description if editing else "", multiline=True, max_length=2000),
            optional=True,
        ),
        _agenda_question(meetup),
        input_block(
            "online_link",
            "Online joining link",
            text_element(meetup.online_link if editing else "", max_length=500, placeholder="https://"),
            optional=True,
            hint="For people joining online. Only people with a place see it. Leave it empty if there is none.",
        ),
        _closes_question(meetup, tz),
    ]
    if co_organisers is not None:
        blocks.append(_co_organisers_question(co_organisers))
    if editing:
        blocks += [{"type": "divider"}] + manage_blocks(meetup)
    return {
        "type": "modal",
        "callback_id": EDIT_MEETUP_CALLBACK if editing else NEW_MEETUP_CALLBACK,
        "title": plain("Change the meetup" if editing else "New meetup"),
        "submit": plain("Save changes" if editing else "Create and announce"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"meetup_id": meetup.id} if editing else {}),
        "blocks": blocks,
    }


# The names of the UK's time zone: its forms say "UK time", which everyone knows.
UK_ZONES = frozenset({"Europe/London", "GB", "Europe/Belfast"})


def time_zone_name(tz: ZoneInfo) -> str:
    """ "UK" for the UK's time zone (TIMEZONE's default), the zone's own name otherwise."""
    return "UK" if str(tz) in UK_ZONES else str(tz)


def _when_questions(meetup, tz: ZoneInfo) -> list[dict]:
    """Date, start and end, shown and read in the workspace's time zone."""
    date = {"type": "datepicker", "action_id": "value", "placeholder": plain("Choose the date")}
    start = {"type": "timepicker", "action_id": "value", "placeholder": plain("Start time")}
    end = {"type": "timepicker", "action_id": "value", "placeholder": plain("End time")}
    if meetup is not None:
        local_start = meetup.starts_at.astimezone(tz)
        date["initial_date"] = f"{local_start:%Y-%m-%d}"
        start["initial_time"] = f"{local_start:%H:%M}"
        end["initial_time"] = f"{meetup.ends_at.astimezone(tz):%H:%M}"
    zone = time_zone_name(tz)
    return [
        input_block("date", "Date", date),
        input_block("start_time", "Start time", start, hint=f"{zone} time"),
        input_block("end_time", "End time", end, hint=f"{zone} time"),
    ]


def _capacity_question(meetup) -> dict:
    capacity = {"type": "number_input", "action_id": "value", "is_decimal_allowed": False}
    if meetup is not None:
        capacity["initial_value"] = str(meetup.capacity)
    return input_block(
        "capacity", "Number of places", capacity, hint="When the places are taken, people join the waitlist"
    )


def _audience_questions(meetup) -> list[dict]:
    """Who can come, and which other sectors a government meetup lets in."""
    audience: dict[str, Any] = choice_element(
        "radio_buttons",
        [
            {"text": plain(label), "description": plain(AUDIENCE_HINTS[value]), "value": value}
            for value, label in AUDIENCE_LABELS.items()
        ],
    )
    sectors = choice_element("checkboxes", [_sector_option(key) for key in OPTIONAL_SECTORS])
    if meetup is None:
        audience["initial_option"] = audience["options"][0]
    else:
        audience["initial_option"] = next(o for o in audience["options"] if o["value"] == meetup.audience)
        if meetup.sectors:
            sectors["initial_options"] = [_sector_option(key) for key in OPTIONAL_SECTORS if key in meetup.sectors]
    return [
        input_block("audience", "Who can come", audience),
        input_block(
            "extra_sectors",
            "For a government meetup, also include",
            sectors,
            optional=True,
            hint="People from these can sign up too. Leave them all unticked to keep it to central "
            "and devolved government and arm's-length bodies.",
        ),
    ]


def _agenda_question(meetup) -> dict:
    talks = text_element(
        agenda_text(talks_from_json(meetup.talks)) if meetup is not None else "",
        multiline=True,
        max_length=3000,
        placeholder=EXAMPLE,
    )
    return input_block(
        "agenda",
        "Talks",
        talks,
        optional=True,
        hint="One talk a line: start time | title | speaker | speaker's organisation. "
        'The time is like "1:30pm" or "13:30", or a start and end like "1:30pm to 2pm".',
    )


def _closes_question(meetup, tz: ZoneInfo) -> dict:
    closes = {"type": "datepicker", "action_id": "value", "placeholder": plain("Choose the date")}
    if meetup is not None and meetup.signup_closes_at:
        closes["initial_date"] = closing_date(meetup.signup_closes_at, tz).isoformat()
    return input_block(
        "signup_closes",
        "Sign-up closes",
        closes,
        optional=True,
        hint="At the end of this day. Leave it empty to take sign-ups until the meetup starts.",
    )


def _co_organisers_question(chosen: list[str]) -> dict:
    people: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": "value",
        "placeholder": plain("Choose people"),
        "max_selected_items": MAX_CO_ORGANISERS,
    }
    if chosen:
        people["initial_users"] = chosen
    return input_block(
        CO_ORGANISERS_BLOCK,
        "Co-organisers",
        people,
        optional=True,
        hint="People who help run this meetup, such as the host department's team. They can see the list, "
        "approve sign-ups, change the meetup and message attendees, for this meetup only.",
    )


def manage_blocks(meetup) -> list[dict]:
    """Close or reopen sign-up, and cancel the meetup, from the edit form."""
    value = str(meetup.id)
    if meetup.status == MEETUP_CLOSED:
        state = "Sign-up is closed."
        toggle = button("Reopen sign-up", REOPEN_SIGNUP_ACTION, value)
    else:
        state = "Sign-up is open."
        toggle = button("Close sign-up", CLOSE_SIGNUP_ACTION, value)
    cancel = button("Cancel the meetup", CANCEL_MEETUP_ACTION, value, style="danger")
    cancel["confirm"] = {
        "title": plain("Cancel the meetup?"),
        "text": plain("Everyone signed up will get a message saying it is cancelled. You cannot undo this."),
        "confirm": plain("Cancel the meetup"),
        "deny": plain("Keep the meetup"),
        "style": "danger",
    }
    return [section(state), {"type": "actions", "block_id": "manage", "elements": [toggle, cancel]}]


def created_blocks(meetup, *, channel_id: str | None, tz: ZoneInfo) -> list[dict]:
    """Tells the organiser the meetup exists and where it was announced."""
    where = f" and announced it in <#{channel_id}>" if channel_id else ""
    return [
        section(
            f"You created *{escape(meetup.title)}*{where}. It is meetup number {meetup.id}.\n"
            f"To change it, use `/meetup edit {meetup.id}`."
        ),
        section(meetup_details(meetup, tz)),
    ]


def changed_blocks(meetup, changes: list[str], registration, tz: ZoneInfo) -> list[dict]:
    lines = "\n".join(f"• {escape(change)}" for change in changes)
    return [section(f"*{escape(meetup.title)}* has changed.\n{lines}")] + status_blocks(meetup, registration, tz)[1:]


def online_link_changed_blocks(meetup, registration, tz: ZoneInfo, *, removed: bool = False) -> list[dict]:
    """To everyone with a place, when the link they were sent is no longer
    the one, or when there is no link any more."""
    title = escape(meetup.title)
    if removed:
        heading = (
            f"The online joining link for *{title}* has been removed, so you cannot join online. "
            "Your place is unchanged. If the organisers add a new link, we will send it to you."
        )
    else:
        heading = f"The online joining link for *{title}* has changed. Use the new one below."
    return [section(heading)] + status_blocks(meetup, registration, tz)[1:]


def meetup_cancelled_blocks(meetup, tz: ZoneInfo, contact: str) -> list[dict]:
    return [
        section(
            f"*{escape(meetup.title)}* on {format_when(meetup.starts_at, meetup.ends_at, tz)} has been "
            f"cancelled. You do not need to do anything. If you have questions, contact {escape(contact)}."
        )
    ]
