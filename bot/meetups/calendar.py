"""The calendar file (.ics) that goes with a place at a meetup.

Calendars recognise an event by its UID and take a file with a higher
SEQUENCE as a change to it, so the UID never changes for a meetup and
`Meetup.ics_sequence` goes up whenever something a calendar shows changes.

The file sent with a place says METHOD:PUBLISH (add this event). The file
sent with a change says METHOD:REQUEST (replace the event you have), and the
one sent when the meetup is cancelled METHOD:CANCEL (remove it).
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from bot.meetups.agenda import AgendaItem, agenda_lines, grid_in, timed_agenda
from storage.models import MEETUP_CANCELLED, Meetup

FILENAME = "meetup.ics"
PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"
PRODID = "-//Cross-government meetup bot//EN"


def event_uid(meetup: Meetup) -> str:
    """Stable for the meetup's life. The creation time makes it unique even
    across two deployments whose meetups share an id."""
    return f"meetup-{meetup.id}-{meetup.created_at:%Y%m%dT%H%M%S}@cross-government-meetup-bot"


# Files made lately, by what they show: everyone with a place at a meetup gets
# the same file, and making one (its VTIMEZONE above all) costs more CPU than
# the rest of a sign-up. A file is remade after MAX_AGE, so its DTSTAMP (when
# it was made) stays recent.
MAX_AGE = timedelta(hours=1)
_made: dict[tuple, tuple[datetime, str]] = {}
_made_lock = threading.Lock()


def meetup_ics(
    meetup: Meetup,
    tz: ZoneInfo,
    *,
    now: datetime,
    method: str = PUBLISH,
    agenda: tuple[AgendaItem, ...] | None = None,
    public: bool = False,
) -> str:
    """An iCalendar file for the meetup, in local time with its VTIMEZONE, so
    it shows the right time in any calendar, across daylight saving changes.
    Its description has the `agenda` (bot.meetups.agenda), or the talks alone
    when not given. The bot sends it only to people with a place, so it has
    the online link; the `public` copy (the public pages) never has it."""
    agenda = agenda if agenda is not None else tuple(timed_agenda(meetup, tz))
    key = (
        method,
        meetup.id,
        meetup.created_at,
        meetup.ics_sequence,
        meetup.title,
        meetup.venue,
        meetup.description,
        meetup.host_organisation,
        meetup.starts_at,
        meetup.ends_at,
        meetup.status,
        None if public else meetup.online_link,
        agenda,
        str(tz),
    )
    with _made_lock:
        made = _made.get(key)
    if made is not None and timedelta(0) <= now - made[0] < MAX_AGE:
        return made[1]
    text = _make_ics(meetup, tz, now=now, method=method, agenda=agenda, link=None if public else meetup.online_link)
    with _made_lock:
        if len(_made) >= 100:
            _made.clear()
        _made[key] = (now, text)
    return text


def _make_ics(
    meetup: Meetup, tz: ZoneInfo, *, now: datetime, method: str, agenda: tuple[AgendaItem, ...], link: str | None
) -> str:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)

    event = Event()
    event.add("uid", event_uid(meetup))
    event.add("sequence", meetup.ics_sequence or 0)
    event.add("dtstamp", now)
    event.add("dtstart", meetup.starts_at.astimezone(tz))
    event.add("dtend", meetup.ends_at.astimezone(tz))
    event.add("summary", meetup.title)
    # LOCATION stays the venue, where people go; the link is the event's URL.
    event.add("location", meetup.venue)
    if link:
        event.add("url", link)
    description = [meetup.description] if meetup.description else []
    if meetup.host_organisation:
        description.append(f"Hosted by {meetup.host_organisation}.")
    if agenda:
        description.append("Agenda:\n" + "\n".join(agenda_lines(agenda, tz)))
    if link:
        description.append(f"Join online: {link}")
    description.append("Bring photo ID: the building's security team checks it at the door.")
    event.add("description", "\n\n".join(description))
    event.add("status", "CANCELLED" if meetup.status == MEETUP_CANCELLED else "CONFIRMED")
    calendar.add_component(event)
    # Only the rules around the meetup: a VTIMEZONE from 1970 on is 5 KB of
    # daylight saving dates nobody needs.
    calendar.add_missing_timezones(
        first_date=(meetup.starts_at - timedelta(days=366)).date(),
        last_date=(meetup.ends_at + timedelta(days=366)).date(),
    )
    return calendar.to_ical().decode("utf-8")


def bump_calendar_sequence(meetup: Meetup) -> None:
    """Call after changing anything a calendar shows (time, venue, title, or
    cancelling), in the same transaction: the next file sent replaces the old."""
    meetup.ics_sequence = (meetup.ics_sequence or 0) + 1


# Agendas read lately, by meetup, talks and grid: a rush of sign-ups would
# otherwise read the same grid for every calendar file. A grid is never
# changed once stored (a new one replaces it), so its id on the meetup's row
# (`current_schedule_id`) says whether a kept agenda is still right.
# GRID_MAX_AGE bounds how long a topic's title, deleted meanwhile, could stay
# in the files.
GRID_MAX_AGE = timedelta(minutes=1)
_agendas: dict[tuple, tuple[datetime, tuple[AgendaItem, ...]]] = {}


def _agenda(session, meetup: Meetup, tz: ZoneInfo, now: datetime) -> tuple[AgendaItem, ...]:
    key = (meetup.id, meetup.agenda, meetup.starts_at, meetup.current_schedule_id, str(tz))
    with _made_lock:
        made = _agendas.get(key)
    if made is not None and timedelta(0) <= now - made[0] < GRID_MAX_AGE:
        return made[1]
    agenda = tuple(timed_agenda(meetup, tz, grid_in(session, meetup.id) if key[3] is not None else ()))
    with _made_lock:
        if len(_agendas) >= 100:
            _agendas.clear()
        _agendas[key] = (now, agenda)
    return agenda


def forget_made() -> None:
    """Drop the files and agendas made so far: for tests, each of which has a
    database of its own where the same ids mean other things."""
    with _made_lock:
        _made.clear()
        _agendas.clear()


_COMMENTS = {
    PUBLISH: "To add the meetup to your calendar, open this file.",
    REQUEST: "To update the meetup in your calendar, open this file.",
    CANCEL: "To remove the meetup from your calendar, open this file.",
}


def calendar_attachment(meetup: Meetup, tz: ZoneInfo, *, now: datetime, method: str = PUBLISH, session=None) -> dict:
    """The outbox's description of the file to upload beside a message:
    PUBLISH with a new place, REQUEST with a change, CANCEL with a cancellation.
    Given the `session`, the agenda in it has the grid's sessions too."""
    agenda = _agenda(session, meetup, tz, now) if session is not None else None
    return {
        "filename": FILENAME,
        "title": f"{meetup.title[:80]} (calendar file)",
        "content": meetup_ics(meetup, tz, now=now, method=method, agenda=agenda),
        "comment": _COMMENTS[method],
    }
