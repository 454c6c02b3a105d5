"""Block Kit for `/meetup door`: the door list organisers check people in
from, with the self check-in code to put on a screen at the venue.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_date, format_time, plural
from bot.common.slack_limits import shorten
from bot.organising.door import DoorList, DoorPerson
from handlers.blocks.common import button, checked_in_counts, context, input_block, plain, section, text_element
from storage.models import WAITLISTED, Meetup

DOOR_CALLBACK = "door"
SEARCH_BLOCK = "search"
SEARCH_ACTION = "door_search"
CHECK_IN_ACTION = "door_check_in"
LET_IN_ACTION = "door_let_in"
FIELD = 100


def _header(door: DoorList, tz: ZoneInfo) -> dict:
    m = door.meetup
    waiting = door.everyone - door.places
    counts = checked_in_counts(door.checked_in, door.places)
    if waiting:
        counts += f" {plural(waiting, 'person is', 'people are')} on the waitlist."
    return section(
        f"*{shorten(escape(m.title), FIELD)}*, {format_date(m.starts_at, tz)}\n"
        f"Self check-in code: *{door.code}* (people type `/meetup here {door.code}`)\n"
        f"{counts} {plural(m.capacity, 'place')} in all."
    )


def _search(query: str) -> dict:
    element = text_element(query, max_length=100, placeholder="Name or organisation")
    element["action_id"] = SEARCH_ACTION
    element["dispatch_action_config"] = {"trigger_actions_on": ["on_enter_pressed"]}
    block = input_block(SEARCH_BLOCK, "Search", element, optional=True)
    block["dispatch_action"] = True
    return block


def _person(person: DoorPerson, door: DoorList, tz: ZoneInfo) -> dict:
    who = f"*{shorten(escape(person.name), FIELD)}*, {shorten(escape(person.organisation), FIELD)}"
    value = str(person.registration_id)
    if person.checked_in_at is not None:
        walked_in = ", let in from the waitlist" if person.walk_in else ""
        return section(f"{who}\nChecked in at {format_time(person.checked_in_at, tz)}{walked_in}")
    if person.status == WAITLISTED:
        block = section(f"{who}\nOn the waitlist")
        if door.room:
            block["accessory"] = button("Let in from the waitlist", LET_IN_ACTION, value)
        return block
    block = section(f"{who}\nHas a place")
    if door.on_the_day:
        block["accessory"] = button("Check in", CHECK_IN_ACTION, value, style="primary")
    return block


def _what_is_shown(door: DoorList, tz: ZoneInfo) -> list[str]:
    notes = []
    if not door.on_the_day:
        notes.append(f"You can check people in on the day of the meetup, {format_date(door.meetup.starts_at, tz)}.")
    elif door.everyone > door.places and not door.room:
        notes.append("Nobody can be let in from the waitlist: as many people have come as there are places.")
    if door.query and not door.matching:
        notes.append(f"Nobody on the list matches '{shorten(escape(door.query), FIELD)}'.")
    elif not door.everyone:
        notes.append("Nobody has a place yet.")
    if door.matching > len(door.people):
        notes.append(f"Showing {len(door.people)} of {door.matching}. Search by name or organisation to find someone.")
    return notes


def door_modal(door: DoorList, tz: ZoneInfo, *, metadata: str, notice: str = "") -> dict:
    """The door list: the code and counts, a search, then one block a person
    (at most SHOWN of them, saying how many more there are)."""
    blocks = [_header(door, tz), _search(door.query)]
    if notice:
        blocks.append(section(notice))
    blocks += [context(note) for note in _what_is_shown(door, tz)]
    blocks += [_person(p, door, tz) for p in door.people]
    return {
        "type": "modal",
        "callback_id": DOOR_CALLBACK,
        "private_metadata": metadata,
        "title": plain("Door list"),
        "submit": plain("Search"),
        "close": plain("Close"),
        "blocks": blocks,
    }


def walk_in_message(meetup: Meetup) -> str:
    """The message to someone let in from the waitlist at the door."""
    return (
        f"You now have a place at *{escape(meetup.title)}*: the organisers let you in from the waitlist "
        "at the door, and you are checked in."
    )
