"""A meetup's agenda: the talks, typed one a line ("1:30pm | Title | Speaker |
Organisation"), and, once `/meetup schedule` has built the grid, the
open-space sessions in it.

`timed_agenda` gives the agenda as plain data, free of Slack, for anything
that shows it (Slack's blocks in handlers/blocks, the calendar file, a web
page); `agenda_lines` writes it as plain text. Parsing and formatting are pure;
only `agenda_in` reads the database, for the grid.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.common.formatting import format_clock, format_time, parse_time, parse_time_range
from storage import schedules as schedule_store
from storage.db import Database
from storage.models import Meetup

MAX_TALKS = 20
MAX_PART = 200
EXAMPLE = "1:30pm | Open source in government | Ada Lovelace | GDS"
TIME_FORMAT = 'a time like "1:30pm" or "13:30", or a start and end like "1:30pm to 2pm"'


@dataclass(frozen=True)
class Talk:
    title: str
    speaker: str
    organisation: str
    # Local times of day as "HH:MM"; empty for talks entered without times.
    start: str = ""
    end: str = ""


class AgendaError(ValueError):
    """Says which line is wrong and how to write it."""


def _read_times(text: str, number: int) -> tuple[str, str]:
    """A talk's start, or start and end, as "HH:MM"; AgendaError saying the format otherwise."""
    start, end = parse_time_range(text)
    if start is None or end is None:
        start, end = parse_time(text), None
    if start is None:
        raise AgendaError(f"Line {number}: enter the time as {TIME_FORMAT}")
    if end is not None and end <= start:
        raise AgendaError(f"Line {number}: the end time must be after the start time")
    return f"{start:%H:%M}", f"{end:%H:%M}" if end is not None else ""


def parse_agenda(text: str | None) -> list[Talk]:
    """Read the agenda field. Blank lines are skipped; any other line has a
    title, a speaker and their organisation separated by "|", with the
    start time (or start and end) first. Lines without a time still work:
    talks were entered that way before the agenda had times."""
    talks: list[Talk] = []
    lines = [line.strip() for line in (text or "").splitlines()]
    for number, line in enumerate(lines, start=1):
        if not line:
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) not in (3, 4) or not all(parts):
            raise AgendaError(
                f"Line {number} needs a start time, a title, a speaker and their organisation separated by |, "
                f"like: {EXAMPLE}"
            )
        start, end = _read_times(parts.pop(0), number) if len(parts) == 4 else ("", "")
        if any(len(part) > MAX_PART for part in parts):
            raise AgendaError(f"Line {number} is too long: each part must be {MAX_PART} characters or fewer")
        title, speaker, organisation = parts
        talks.append(Talk(title, speaker, organisation, start=start, end=end))
    if len(talks) > MAX_TALKS:
        raise AgendaError(f"Enter {MAX_TALKS} talks or fewer")
    return talks


def agenda_to_json(talks: Sequence[Talk]) -> str:
    stored = [{k: v for k, v in asdict(talk).items() if v or k not in ("start", "end")} for talk in talks]
    return json.dumps(stored) if talks else ""


def talks_from_json(stored: list[dict]) -> list[Talk]:
    return [
        Talk(
            t.get("title", ""),
            t.get("speaker", ""),
            t.get("organisation", ""),
            start=t.get("start", ""),
            end=t.get("end", ""),
        )
        for t in stored
    ]


def _clock_text(value: str) -> str:
    return format_clock(time.fromisoformat(value))


def agenda_text(talks: list[Talk]) -> str:
    """The agenda as the organiser types it, to prefill the edit form."""

    def when(talk: Talk) -> str:
        if not talk.start:
            return ""
        span = _clock_text(talk.start) + (f" to {_clock_text(talk.end)}" if talk.end else "")
        return span + " | "

    return "\n".join(f"{when(t)}{t.title} | {t.speaker} | {t.organisation}" for t in talks)


# The timed agenda ----------------------------------------------------------------


@dataclass(frozen=True)
class AgendaItem:
    """One line of the agenda: a talk (with its speaker) or an open-space
    session (with its room). Times are aware, or None for a talk without."""

    title: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    speaker: str = ""
    organisation: str = ""
    room: str = ""

    @property
    def is_session(self) -> bool:
        return bool(self.room)


@dataclass(frozen=True)
class GridSession:
    title: str
    room: str
    starts_at: datetime
    ends_at: datetime
    # How many people the room holds: at the same time, the biggest room comes first.
    capacity: int = 0


def _on_the_day(meetup: Meetup, value: str, tz: ZoneInfo) -> datetime | None:
    if not value:
        return None
    return datetime.combine(meetup.starts_at.astimezone(tz).date(), time.fromisoformat(value), tzinfo=tz)


def timed_agenda(meetup: Meetup, tz: ZoneInfo, grid: Sequence[GridSession] = ()) -> list[AgendaItem]:
    """The talks in time order (talks without a time after them, as entered),
    then the open-space sessions of the grid by time, and at the same time
    the biggest room first, as the grid's post in Slack lists them (rooms of
    the same size stay in the order given: the grid's, from `grid_in`)."""
    talks = [
        AgendaItem(
            t.title,
            _on_the_day(meetup, t.start, tz),
            _on_the_day(meetup, t.end, tz),
            speaker=t.speaker,
            organisation=t.organisation,
        )
        for t in talks_from_json(meetup.talks)
    ]
    timed = sorted((t for t in talks if t.starts_at is not None), key=lambda t: t.starts_at or meetup.starts_at)
    untimed = [t for t in talks if t.starts_at is None]
    sessions = [
        AgendaItem(s.title, s.starts_at, s.ends_at, room=s.room)
        for s in sorted(grid, key=lambda s: (s.starts_at, -s.capacity))
    ]
    return timed + untimed + sessions


def grid_in(session, meetup_id: int) -> list[GridSession]:
    """The sessions of the meetup's current grid, read in `session`; empty before there is one."""
    return [
        GridSession(title, placed.room_name, placed.starts_at, placed.ends_at, placed.room_capacity)
        for placed, title in schedule_store.current_sessions(session, meetup_id)
    ]


def agenda_in(session, meetup: Meetup, tz: ZoneInfo) -> list[AgendaItem]:
    """The meetup's timed agenda, with the current grid's sessions, read in `session`."""
    return timed_agenda(meetup, tz, grid_in(session, meetup.id))


def read_agenda(db: Database, meetup: Meetup, tz: ZoneInfo) -> list[AgendaItem]:
    """The meetup's timed agenda with the grid's sessions, for code outside a transaction (a web page)."""
    with db.read() as session:
        return agenda_in(session, meetup, tz)


def item_time(item: AgendaItem, tz: ZoneInfo) -> str:
    """ "1:30pm", "1:30pm to 2pm", or empty for a talk without a time."""
    if item.starts_at is None:
        return ""
    start = format_time(item.starts_at, tz)
    return f"{start} to {format_time(item.ends_at, tz)}" if item.ends_at is not None else start


def item_line(item: AgendaItem, tz: ZoneInfo) -> str:
    """One item in plain text: "1:30pm to 2pm: Title, Speaker (Organisation)"."""
    when = item_time(item, tz)
    if item.is_session:
        what = f"{item.title} (open-space session, {item.room})"
    else:
        what = f"{item.title}, {item.speaker} ({item.organisation})"
    return f"{when}: {what}" if when else what


def agenda_lines(items: Sequence[AgendaItem], tz: ZoneInfo) -> list[str]:
    """The agenda in plain text, one line an item (the calendar file, text fallbacks)."""
    return [item_line(item, tz) for item in items]
