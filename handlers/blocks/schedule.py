"""Block Kit for the session grid: the organisers' form, the grid and the messages to session leads.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

import json
from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_date, format_time, format_when, plural
from bot.topics.grid import ROOM_EXAMPLE, SLOT_EXAMPLE
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
    return text


def session_dm(placed: PlacedSession, meetup: Meetup, tz: ZoneInfo, *, moved: bool) -> list[dict]:
    title = f"*{escape(placed.topic.topic.title)}*"
    slot = placed.placement.slot
    if placed.lead:
        first = f"Your session {title} has moved." if moved else f"You are leading {title} at *{escape(meetup.title)}*."
    else:
        first = (
            f"Your topic {title} {'has moved' if moved else 'has a session'} at *{escape(meetup.title)}*. "
            "Nobody has said they will lead it yet: lead it yourself, or find someone who will."
        )
    return [
        section(
            f"{first}\n*Where:* {escape(placed.placement.room.name)}\n"
            f"*When:* {format_when(slot.starts_at, slot.ends_at, tz)}"
        )
    ]


def dropped_dm(topic: Topic, meetup: Meetup) -> list[dict]:
    return [
        section(
            f"Your topic *{escape(topic.title)}* no longer has a session at *{escape(meetup.title)}*: "
            "the organisers have built the grid again and it did not fit."
        )
    ]
