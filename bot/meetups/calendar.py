"""The calendar file (.ics) that goes with a place at a meetup.

Calendars recognise an event by its UID and take a file with a higher
SEQUENCE as a change to it, so the UID never changes for a meetup and
`Meetup.ics_sequence` goes up whenever something a calendar shows changes.

The file sent with a place says METHOD:PUBLISH (add this event). The file
sent with a change says METHOD:REQUEST (replace the event you have), and the
one sent when the meetup is cancelled METHOD:CANCEL (remove it).

RFC 5546 (iTIP) lets only an organiser send a REQUEST or a CANCEL, to its
attendees: both must name the ORGANIZER and the ATTENDEE, and strict
calendars (Outlook, Apple Calendar) refuse or mishandle one that does not. So
every file names the organising team as ORGANIZER (ORGANISER_NAME at
ORGANISER_CONTACT, when that is an email address), and a REQUEST or CANCEL
names the one person it is for as ATTENDEE: each person gets their own, and
nobody sees who else is coming. A PUBLISH has no ATTENDEE (RFC 5546 3.2.1),
so everyone with a place can share it. Without an organiser's email address
a REQUEST or CANCEL cannot be valid, so the change goes as METHOD:PUBLISH
instead: the same UID with a higher SEQUENCE replaces the event in the
calendar that has it, and STATUS:CANCELLED marks it cancelled.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress

from bot.meetups.agenda import AgendaItem, agenda_lines, grid_in, timed_agenda
from storage.models import MEETUP_CANCELLED, Meetup, Registration

FILENAME = "meetup.ics"
PUBLISH, REQUEST, CANCEL = "PUBLISH", "REQUEST", "CANCEL"
PRODID = "-//Cross-government meetup bot//EN"


@dataclass(frozen=True)
class CalendarUser:
    """Someone a file names: the ORGANIZER, or the ATTENDEE it is for."""

    name: str
    email: str


# An address a mailto: URI can carry as it is: nothing to quote or escape.
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def calendar_organiser(name: str, contact: str) -> CalendarUser | None:
    """The ORGANIZER of every file: ORGANISER_NAME at ORGANISER_CONTACT (the
    organising team's shared address, already public on the public pages),
    or None when the contact is not an email address."""
    email = contact.strip().removeprefix("mailto:")
    return CalendarUser(name, email) if _EMAIL.fullmatch(email) else None


def attendee(registration: Registration) -> CalendarUser | None:
    """The person a REQUEST or CANCEL is for, as they signed up."""
    email = (registration.email or "").strip()
    return CalendarUser(registration.full_name, email) if _EMAIL.fullmatch(email) else None


def sent_method(method: str, organiser: CalendarUser | None, person: CalendarUser | None) -> str:
    """The METHOD a file says: a REQUEST or CANCEL needs both an ORGANIZER
    and an ATTENDEE (RFC 5546 3.2.2, 3.2.5); without them, PUBLISH."""
    return method if method != PUBLISH and organiser is not None and person is not None else PUBLISH


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
    organiser: CalendarUser | None = None,
    person: CalendarUser | None = None,
) -> str:
    """An iCalendar file for the meetup, in local time with its VTIMEZONE, so
    it shows the right time in any calendar, across daylight saving changes.
    Its description has the `agenda` (bot.meetups.agenda), or the talks alone
    when not given. The bot sends it only to people with a place, so it has
    the online link; the `public` copy (the public pages) never has it.
    `method` is what the file is for; it says the METHOD `sent_method` gives,
    with the `organiser` as ORGANIZER and, in a REQUEST or CANCEL, the
    `person` it is for as ATTENDEE."""
    agenda = agenda if agenda is not None else tuple(timed_agenda(meetup, tz))
    method = sent_method(method, organiser, person)
    key = (
        method,
        organiser,
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
        text = made[1]
    else:
        link = None if public else meetup.online_link
        text = _make_ics(meetup, tz, now=now, method=method, agenda=agenda, link=link, organiser=organiser)
        with _made_lock:
            if len(_made) >= 100:
                _made.clear()
            _made[key] = (now, text)
    return text if method == PUBLISH or person is None else _with_attendee(text, person)


def _address(user: CalendarUser, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{user.email}")
    address.params["CN"] = user.name
    address.params.update(params)
    return address


def _with_attendee(text: str, person: CalendarUser) -> str:
    """The file made for everyone, with the person it is for as its ATTENDEE:
    they have a place (ACCEPTED) and need not reply (RSVP=FALSE). Added to
    the text, so a change to 5,000 people makes the file once, not 5,000 times."""
    event = Event()
    event.add("attendee", _address(person, ROLE="REQ-PARTICIPANT", PARTSTAT="ACCEPTED", RSVP="FALSE"))
    line = event.to_ical().decode("utf-8").removeprefix("BEGIN:VEVENT\r\n").removesuffix("END:VEVENT\r\n")
    return text.replace("END:VEVENT\r\n", line + "END:VEVENT\r\n", 1)


def _make_ics(
    meetup: Meetup,
    tz: ZoneInfo,
    *,
    now: datetime,
    method: str,
    agenda: tuple[AgendaItem, ...],
    link: str | None,
    organiser: CalendarUser | None,
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
    if organiser is not None:
        event.add("organizer", _address(organiser))
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
# A cancellation sent as PUBLISH (no organiser's email address): calendars
# keep the event, shown as cancelled.
_CANCELLED_COMMENT = "To show the meetup as cancelled in your calendar, open this file."


def calendar_attachment(
    meetup: Meetup,
    tz: ZoneInfo,
    *,
    now: datetime,
    method: str = PUBLISH,
    session=None,
    organiser: CalendarUser | None,
    registration: Registration | None = None,
) -> dict:
    """The outbox's description of the file to upload beside a message:
    PUBLISH with a new place, REQUEST with a change, CANCEL with a cancellation,
    the last two for the one `registration` they go to (see `meetup_ics`).
    Given the `session`, the agenda in it has the grid's sessions too."""
    agenda = _agenda(session, meetup, tz, now) if session is not None else None
    person = attendee(registration) if registration is not None and method != PUBLISH else None
    comment = _COMMENTS[method]
    if method == CANCEL and sent_method(method, organiser, person) == PUBLISH:
        comment = _CANCELLED_COMMENT
    return {
        "filename": FILENAME,
        "title": f"{meetup.title[:80]} (calendar file)",
        "content": meetup_ics(meetup, tz, now=now, method=method, agenda=agenda, organiser=organiser, person=person),
        "comment": comment,
    }
