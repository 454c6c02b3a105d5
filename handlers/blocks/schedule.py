"""Block Kit for the session grid: the organisers' form, the grid and the messages to session leads.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_date, format_time, format_when, plural
from bot.topics.grid import ROOM_EXAMPLE, SLOT_EXAMPLE
from bot.topics.leads import LeadPlace, Standing
from bot.topics.sessions import PlacedSession, ScheduleOutcome
from handlers.blocks.common import context, meetup_choice, plain, section, text_input
from handlers.blocks.topics import chunks, topic_link
from storage.models import Meetup, Topic

SCHEDULE_CALLBACK = "build_schedule"


def schedule_modal(meetups: list[Meetup], tz: ZoneInfo, *, channel_id: str, rooms: str = "", slots: str = "") -> dict:
    intro = (
        "Topics with the most votes are placed first, each in the time slot where the fewest of its "
        f"voters have another session. The grid is posted in <#{channel_id}>, and each session lead "
        "gets a message with their room and time."
    )
    if rooms:
        intro += " Sessions already in the grid stay where they are if their room and time slot are still here."
    blocks = [section(intro)]
    if len(meetups) > 1:
        blocks.append(meetup_choice(meetups, tz))
    blocks += [
        text_input(
            "rooms",
            "Rooms",
            multiline=True,
            max_length=2000,
            initial=rooms,
            hint=f"One a line: the room's name, a comma and how many people it holds. For example: {ROOM_EXAMPLE}",
        ),
        text_input(
            "slots",
            "Time slots",
            multiline=True,
            max_length=1000,
            initial=slots,
            hint=f"One a line, for example: {SLOT_EXAMPLE}",
        ),
    ]
    return {
        "type": "modal",
        "callback_id": SCHEDULE_CALLBACK,
        "title": plain("Session grid"),
        "submit": plain("Build and post the grid"),
        "close": plain("Cancel"),
        "private_metadata": json.dumps({"meetup_id": meetups[0].id if len(meetups) == 1 else None}),
        "blocks": blocks,
    }


def _lead_words(placed: PlacedSession) -> str:
    if placed.lead:
        return f"led by {escape(placed.topic.topic.proposer_name)}"
    return "needs someone to lead it"


def grid_blocks(outcome: ScheduleOutcome, tz: ZoneInfo) -> tuple[str, list[dict]]:
    meetup = outcome.meetup
    heading = "Updated discussion sessions" if outcome.rerun else "Discussion sessions"
    fallback = f"{heading} at {escape(meetup.title)}"
    blocks = [section(f"*{heading} at {escape(meetup.title)}*, {format_date(meetup.starts_at, tz)}")]
    for slot in outcome.slots:
        lines = [f"*{format_time(slot.starts_at, tz)} to {format_time(slot.ends_at, tz)}*"]
        here = [s for s in outcome.sessions if s.placement.slot == slot]
        lines += [
            f"• *{escape(s.placement.room.name)}* ({plural(s.placement.room.capacity, 'place')}): "
            f"{topic_link(s.topic.topic)}, {_lead_words(s)}"
            for s in here
        ]
        if not here:
            lines.append("No sessions.")
        blocks += [section(text) for text in chunks(lines)]
    if outcome.unplaced:
        lines = ["*Did not fit*"]
        lines += [f"• {topic_link(r.topic)} ({plural(r.votes, 'vote')})" for r in outcome.unplaced[:20]]
        if len(outcome.unplaced) > 20:
            lines.append(f"and {len(outcome.unplaced) - 20} more")
        blocks += [section(text) for text in chunks(lines)]
        blocks.append(
            context(
                "Topics that did not fit are offered at the next meetup, with their votes starting again from zero."
            )
        )
    return fallback, blocks


def grid_summary(outcome: ScheduleOutcome, channel_id: str) -> str:
    text = (
        f"The grid for *{escape(outcome.meetup.title)}* is posted in <#{channel_id}>: "
        f"{plural(len(outcome.sessions), 'session')}, "
        f"{plural(len(outcome.unplaced), 'topic')} did not fit. "
    )
    if outcome.clashes.everyone:
        text += (
            f"{plural(outcome.clashes.everyone, 'clash', 'clashes')} remain where someone voted for two "
            f"sessions at the same time ({outcome.clashes.confirmed} for people with a place)."
        )
    else:
        text += "Nobody who voted has two of their sessions at the same time."
    return text + _leads_without_place(outcome)


# How the organisers' summary says why a lead has no place.
_WHY_NO_PLACE = {
    Standing.WAITLISTED: "on the waitlist",
    Standing.PENDING: "waiting for approval",
    Standing.DECLINED: "not offered a place",
    Standing.NOT_SIGNED_UP: "not signed up",
}
MAX_LEADS_NAMED = 10


def _leads_without_place(outcome: ScheduleOutcome) -> str:
    """The organisers' warning about session leads who cannot come yet."""
    missing = outcome.leads_without_place
    if not missing:
        return ""
    names = [f"{escape(s.topic.topic.proposer_name)} ({_why(s.place)})" for s in missing[:MAX_LEADS_NAMED]]
    if len(missing) > MAX_LEADS_NAMED:
        names.append(f"{len(missing) - MAX_LEADS_NAMED} more")
    listed = ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]
    verb = "does" if len(missing) == 1 else "do"
    return f"\n\n{plural(len(missing), 'session lead')} {verb} not have a place at the meetup: {listed}."


def _why(place: LeadPlace) -> str:
    if place.waitlist_position:
        return f"number {place.waitlist_position} on the waitlist"
    return _WHY_NO_PLACE[place.standing]


def session_dm(placed: PlacedSession, meetup: Meetup, tz: ZoneInfo, *, moved: bool, contact: str) -> list[dict]:
    """The message to a session's lead, or to its proposer when nobody has
    said they will lead it; one without a place at the meetup is told so."""
    title = f"*{escape(placed.topic.topic.title)}*"
    slot = placed.placement.slot
    has_place = placed.place.has_place
    if placed.lead and has_place:
        first = f"Your session {title} has moved." if moved else f"You are leading {title} at *{escape(meetup.title)}*."
    elif placed.lead:
        first = (
            f"Your session {title} has moved."
            if moved
            else f"Your topic {title} has a session at *{escape(meetup.title)}*, and you said you would lead it."
        )
    else:
        first = f"Your topic {title} {'has moved' if moved else 'has a session'} at *{escape(meetup.title)}*."
        if has_place:
            first += " Nobody has said they will lead it yet: lead it yourself, or find someone who will."
    text = (
        f"{first}\n*Where:* {escape(placed.placement.room.name)}\n"
        f"*When:* {format_when(slot.starts_at, slot.ends_at, tz)}"
    )
    if not has_place:
        text += "\n\n" + no_place_words(placed.place, lead=placed.lead is not None, contact=contact)
    return [section(text)]


def no_place_words(place: LeadPlace, *, lead: bool, contact: str) -> str:
    """Why someone whose topic has a session has no place yet, and what they can do."""
    who = escape(contact)
    if place.standing is Standing.WAITLISTED:
        where = f"number {place.waitlist_position} on the waitlist" if place.waitlist_position else "on the waitlist"
        text = (
            f"You do not have a place at the meetup yet: you are {where}. "
            "We will send you a message if a place becomes free."
        )
    elif place.standing is Standing.PENDING:
        text = (
            "You do not have a place at the meetup yet: your request for a place is waiting for an organiser's "
            "approval. We will send you a message when they have decided."
        )
    elif place.standing is Standing.DECLINED:
        text = "You do not have a place at the meetup: an organiser could not offer you one."
    elif place.can_sign_up:
        text = "You do not have a place at the meetup because you are not signed up. Use `/meetup signup` to sign up."
    else:
        text = "You do not have a place at the meetup because you are not signed up, and sign-up has closed."
    if not lead:
        return f"{text} Nobody has said they will lead it yet: find someone with a place who will, or ask {who} to."
    if place.standing is Standing.DECLINED or (place.standing is Standing.NOT_SIGNED_UP and not place.can_sign_up):
        return f"{text} Tell {who}, so they can find someone else to lead it."
    return f"{text} If you cannot come, tell {who} so they can find someone else to lead it."


def dropped_dm(topic: Topic, meetup: Meetup) -> list[dict]:
    return [
        section(
            f"Your topic *{escape(topic.title)}* no longer has a session at *{escape(meetup.title)}*: "
            "the organisers have built the grid again and it did not fit."
        )
    ]
