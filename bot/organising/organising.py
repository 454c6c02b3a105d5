"""Running a meetup: reading the organiser's form, editing, closing and
reopening sign-up, cancelling, and what the announcement card says about places.

Changes to who holds a place (a bigger capacity fills places from the
waitlist; a cancelled meetup cancels everyone's place) happen with the meetup
locked, like sign-ups, so capacity stays exact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_date, format_time, plural
from bot.common.ids import parse_id, parse_whole_number
from bot.meetups.agenda import AgendaError, Talk, agenda_to_json, parse_agenda
from bot.meetups.calendar import bump_calendar_sequence
from bot.meetups.meetups import MeetupFields, ValidationError, is_taking_signups, parse_audience, validate_meetup
from bot.reminders.reminders import (
    DEFAULT_PLAN,
    ReminderPlan,
    cancel_reminders,
    create_reminders,
    reschedule_reminders,
)
from bot.signups.signups import clean_text, fill_places
from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage.db import Database
from storage.models import (
    ACTIVE_STATUSES,
    CANCELLED,
    CONFIRMED,
    MEETUP_CANCELLED,
    MEETUP_CLOSED,
    MEETUP_OPEN,
    Meetup,
    Registration,
)

LIMITS = {"title": 200, "venue": 300, "host_organisation": 200, "description": 2000}


# What the announcement card says -------------------------------------------


def places_text(meetup: Meetup, confirmed: int, now: datetime) -> str:
    """ "12 places left", "Full: join the waitlist" or "Sign-up closed"."""
    if meetup.status == MEETUP_CANCELLED:
        return "This meetup has been cancelled"
    if not is_taking_signups(meetup, now):
        return "Sign-up closed"
    left = meetup.capacity - confirmed
    if left <= 0:
        return "Full: join the waitlist"
    return plural(left, "place") + " left"


def card_state(db: Database, meetup_id: int) -> tuple[Meetup | None, int]:
    """The meetup and how many places are taken, read together."""
    with db.read() as session:
        meetup = meetup_store.get_meetup(session, meetup_id)
        if meetup is None:
            return None, 0
        return meetup, registration_store.count_confirmed(session, meetup_id)


def record_announcement(db: Database, meetup_id: int, *, channel: str, ts: str) -> None:
    with db.transaction() as session:
        meetup = meetup_store.get_meetup(session, meetup_id)
        if meetup is not None:
            meetup.announcement_channel = channel
            meetup.announcement_ts = ts


# The organiser's form --------------------------------------------------------


@dataclass(frozen=True)
class MeetupForm:
    """The meetup form as typed: dates "2027-02-26", times "13:00"."""

    title: str = ""
    date: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    venue: str = ""
    host_organisation: str = ""
    capacity: str = ""
    audience: str = ""
    extra_sectors: frozenset[str] = frozenset()
    description: str = ""
    agenda: str = ""
    signup_closes_date: str | None = None
    online_link: str = ""


# The form's fields for each error bot.meetups.validate_meetup can give.
_FORM_FIELD = {"starts": "date", "ends": "end_time", "signup_closes": "signup_closes"}
_FORM_MESSAGE = {"starts": "The date and start time must be in the future", "audience": "Select who can come"}


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _parse_time(value: str | None) -> time | None:
    try:
        return time.fromisoformat(value) if value else None
    except ValueError:
        return None


def signup_closes_at(chosen: date, *, starts: datetime, tz: ZoneInfo, current: datetime | None = None) -> datetime:
    """Sign-up closes at the end of the chosen day, or when the meetup starts
    if that is sooner. Keeps a closing time set elsewhere (the command line)
    when the day is unchanged, so editing other fields does not move it."""
    if current is not None and closing_date(current, tz) == chosen:
        return current
    end_of_day = datetime.combine(chosen + timedelta(days=1), time(0, 0), tzinfo=tz)
    return min(end_of_day, starts)


def closing_date(moment: datetime, tz: ZoneInfo) -> date:
    """The day sign-up closes on, as the form shows it: a close at midnight
    belongs to the day before."""
    return (moment.astimezone(tz) - timedelta(microseconds=1)).date()


def read_form(
    form: MeetupForm, *, tz: ZoneInfo, now: datetime, current: Meetup | None = None
) -> tuple[MeetupFields | None, dict[str, str]]:
    """Check the form; return the fields, or errors keyed by form field.

    `current` is the meetup being edited: its sign-up close date may already be
    in the past (sign-up has closed), which is not an error when unchanged.
    """
    errors: dict[str, str] = {}
    title, venue, host, description = _read_text(form, errors)
    day, start_time, end_time = _read_when(form, errors)
    capacity = parse_whole_number((form.capacity or "").strip())
    if capacity is None:
        errors["capacity"] = "Enter the number of places as a whole number, like 60"
    audience = parse_audience(form.audience or "")
    extra = frozenset(form.extra_sectors) if audience == "government" else frozenset()
    try:
        talks = parse_agenda(form.agenda)
    except AgendaError as error:
        errors["agenda"] = str(error)
        talks = []
    closes_day = _parse_date(form.signup_closes_date)
    if form.signup_closes_date and closes_day is None:
        errors["signup_closes"] = "Enter the date sign-up closes"
    if day is None or start_time is None or end_time is None or capacity is None:
        return None, errors

    starts = datetime.combine(day, start_time, tzinfo=tz)
    closes = None
    if closes_day is not None:
        current_close = current.signup_closes_at if current is not None else None
        closes = signup_closes_at(closes_day, starts=starts, tz=tz, current=current_close)
        if closes_day > day:
            errors["signup_closes"] = "Sign-up must close on or before the day of the meetup"
        elif closes <= now and closes != current_close:
            errors["signup_closes"] = "The date sign-up closes must be today or later"
    fields = MeetupFields(
        title=title,
        starts=starts,
        ends=datetime.combine(day, end_time, tzinfo=tz),
        venue=venue,
        host_organisation=host,
        capacity=capacity,
        audience=audience,
        extra_sectors=extra,
        description=description,
        agenda=talks,
        signup_closes=closes,
        online_link=(form.online_link or "").strip(),
    )
    for name, message in validate_meetup(fields, now=now).items():
        errors.setdefault(_FORM_FIELD.get(name, name), _FORM_MESSAGE.get(name, message))
    return (None, errors) if errors else (fields, {})


def _read_text(form: MeetupForm, errors: dict[str, str]) -> tuple[str, str, str, str]:
    """The title, venue, host and description, cleaned; too long is an error."""
    title = clean_text(form.title)
    venue = clean_text(form.venue)
    host = clean_text(form.host_organisation)
    description = clean_text(form.description, multiline=True)
    for name, value in (("title", title), ("venue", venue), ("host_organisation", host), ("description", description)):
        if len(value) > LIMITS[name]:
            errors[name] = f"{name.replace('_', ' ').capitalize()} must be {LIMITS[name]} characters or fewer"
    return title, venue, host, description


def _read_when(form: MeetupForm, errors: dict[str, str]) -> tuple[date | None, time | None, time | None]:
    """The day and the start and end times; each one missing is an error."""
    day = _parse_date(form.date)
    start_time, end_time = _parse_time(form.start_time), _parse_time(form.end_time)
    if day is None:
        errors["date"] = "Enter the date of the meetup"
    if start_time is None:
        errors["start_time"] = "Enter the start time"
    if end_time is None:
        errors["end_time"] = "Enter the end time"
    return day, start_time, end_time


def nothing_more(session, result) -> None:
    """The default `then` of the rules below: nothing to queue."""


def _aware(moment: datetime, tz: ZoneInfo) -> datetime:
    """Naive times are read as local time in `tz`."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=tz)


def create_meetup(
    db: Database,
    *,
    title: str,
    starts: datetime,
    ends: datetime,
    venue: str,
    capacity: int,
    audience: str = "government",
    extra_sectors: frozenset[str] = frozenset(),
    host_organisation: str = "",
    description: str = "",
    signup_closes: datetime | None = None,
    agenda: Sequence[Talk] = (),
    online_link: str = "",
    tz: ZoneInfo,
    now: datetime,
    created_by: str | None = None,
    reminder_plan=None,
    then: Callable[[object, Meetup], None] = nothing_more,
) -> Meetup:
    """Validate and store a meetup, with its reminder plan (bot.reminders;
    pass `ReminderPlan.from_settings(settings)`, or get the default offsets).
    Naive times are read as local time in `tz`. `then(session, meetup)` runs
    in the same transaction, to queue messages about it."""
    fields = MeetupFields(
        title=title,
        starts=_aware(starts, tz),
        ends=_aware(ends, tz),
        venue=venue,
        host_organisation=host_organisation,
        capacity=capacity,
        audience=parse_audience(audience),
        extra_sectors=extra_sectors,
        description=description,
        agenda=list(agenda),
        signup_closes=_aware(signup_closes, tz) if signup_closes else None,
        online_link=online_link.strip(),
    )
    return create_from_form(
        db, fields, tz=tz, now=now, created_by=created_by, plan=reminder_plan or ReminderPlan(tz=tz), then=then
    )


def create_from_form(
    db: Database,
    fields: MeetupFields,
    *,
    tz: ZoneInfo,
    now: datetime,
    created_by: str | None,
    plan: ReminderPlan = DEFAULT_PLAN,
    then: Callable[[object, Meetup], None] = nothing_more,
) -> Meetup:
    """Validate and store a meetup read from the form (or the command line);
    `then(session, meetup)` runs in the same transaction."""
    errors = validate_meetup(fields, now=now)
    if errors:
        raise ValidationError(errors)
    with db.transaction() as session:
        meetup = meetup_store.create_meetup(
            session,
            title=fields.title.strip(),
            description=fields.description.strip(),
            venue=fields.venue.strip(),
            host_organisation=fields.host_organisation.strip(),
            starts_at=fields.starts,
            ends_at=fields.ends,
            capacity=fields.capacity,
            audience=fields.audience,
            extra_sectors=",".join(sorted(fields.extra_sectors)),
            signup_closes_at=fields.signup_closes,
            agenda=agenda_to_json(fields.agenda),
            online_link=fields.online_link,
            status=MEETUP_OPEN,
            created_by=created_by,
            created_at=now,
        )
        create_reminders(session, meetup, plan, now=now)
        then(session, meetup)
        return meetup


# Editing -----------------------------------------------------------------------


class NotChangeable(Exception):
    """The meetup cannot be changed any more; the message says why."""


def check_changeable(
    meetup: Meetup | None, now: datetime, *, so: str = "it cannot be changed", until_end: bool = False
) -> Meetup:
    """The meetup, when it can still be changed (or, `until_end`, acted on
    until it ends); NotChangeable otherwise, saying why and `so` what."""
    if meetup is None:
        raise NotChangeable("That meetup no longer exists.")
    if meetup.status == MEETUP_CANCELLED:
        raise NotChangeable(f"{escape(meetup.title)} has been cancelled, so {so}.")
    if (meetup.ends_at if until_end else meetup.starts_at) <= now:
        happened = "has ended" if until_end else "has already started"
        raise NotChangeable(f"{escape(meetup.title)} {happened}, so {so}.")
    return meetup


@dataclass(frozen=True)
class EditResult:
    meetup: Meetup
    changes: list[str]  # what changed about when and where, in words for attendees
    to_tell: list[Registration]  # everyone registered who should hear about the changes
    promoted: list[Registration] = field(default_factory=list)  # moved up by a bigger capacity
    # Everyone with a place, when the online joining link changed: they had the old one, or none.
    link_changed_for: list[Registration] = field(default_factory=list)
    # The link was taken away, not replaced: the people above hear that it is gone.
    link_removed: bool = False


def describe_changes(before: Meetup | dict, after: Meetup, tz: ZoneInfo) -> list[str]:
    """What changed about the date, the time or the venue, in plain words."""
    # A dict's .get answers `Any | None`; both ways give whatever was stored.
    get: Callable[[str], Any] = before.get if isinstance(before, dict) else lambda name: getattr(before, name)
    changes = []
    old_date, new_date = format_date(get("starts_at"), tz), format_date(after.starts_at, tz)
    if old_date != new_date:
        changes.append(f"The date is now {new_date} (it was {old_date}).")
    old_time = f"{format_time(get('starts_at'), tz)} to {format_time(get('ends_at'), tz)}"
    new_time = f"{format_time(after.starts_at, tz)} to {format_time(after.ends_at, tz)}"
    if old_time != new_time:
        changes.append(f"The time is now {new_time} (it was {old_time}).")
    if get("venue") != after.venue:
        changes.append(f"The venue is now {after.venue} (it was {get('venue')}).")
    return changes


def _check_capacity(session, meetup: Meetup, capacity: int) -> None:
    """ValidationError when fewer places than people who hold one."""
    confirmed = registration_store.count_confirmed(session, meetup.id)
    if capacity < confirmed:
        raise ValidationError(
            {"capacity": f"{plural(confirmed, 'person has', 'people have')} a place already. Enter {confirmed} or more"}
        )


def update_meetup(
    db: Database,
    meetup_id: int,
    fields: MeetupFields,
    *,
    tz: ZoneInfo,
    now: datetime,
    plan: ReminderPlan = DEFAULT_PLAN,
    then: Callable[[object, EditResult], None] = nothing_more,
) -> EditResult:
    """Store an edited meetup. Raises NotChangeable, or ValidationError when the new capacity is below the number of
    places already taken. Reminders move with the time, and calendars are told of any change they show. `then(session,
    result)` runs in the same transaction, to queue the messages about the change: stored if and only if it is."""
    with db.transaction() as session:
        meetup = check_changeable(meetup_store.lock_meetup(session, meetup_id), now)
        _check_capacity(session, meetup, fields.capacity)
        before = {
            "starts_at": meetup.starts_at,
            "ends_at": meetup.ends_at,
            "venue": meetup.venue,
            "title": meetup.title,
            "online_link": meetup.online_link,
        }
        _apply(meetup, fields)
        session.flush()
        if (meetup.starts_at, meetup.ends_at) != (before["starts_at"], before["ends_at"]):
            reschedule_reminders(session, meetup, plan, now=now)  # raises the calendar SEQUENCE too
        elif (meetup.venue, meetup.title, meetup.online_link) != (
            before["venue"],
            before["title"],
            before["online_link"],
        ):
            # The calendar file shows the link too; the SEQUENCE also keys the notices of the change.
            bump_calendar_sequence(meetup)
        # A bigger meetup gives places to the people who have waited longest.
        promoted = fill_places(session, meetup, now)
        result = _edit_result(session, meetup, before, promoted, tz)
        then(session, result)
        return result


def _apply(meetup: Meetup, fields: MeetupFields) -> None:
    meetup.title = fields.title
    meetup.starts_at = fields.starts
    meetup.ends_at = fields.ends
    meetup.venue = fields.venue
    meetup.host_organisation = fields.host_organisation
    meetup.capacity = fields.capacity
    meetup.audience = fields.audience
    meetup.extra_sectors = ",".join(sorted(fields.extra_sectors))
    meetup.description = fields.description
    meetup.agenda = agenda_to_json(fields.agenda)
    meetup.online_link = fields.online_link
    meetup.signup_closes_at = fields.signup_closes


def _edit_result(session, meetup: Meetup, before: dict, promoted: list[Registration], tz: ZoneInfo) -> EditResult:
    """Who hears about an edit: everyone registered, of a change of date, time
    or venue; everyone with a place, of a new online joining link or of the
    link being removed (their calendar still has it). Those just promoted get
    the promotion message instead, which has it all."""
    changes = describe_changes(before, meetup, tz)
    promoted_ids = {r.id for r in promoted}
    registered = [
        r
        for r in registration_store.list_registrations(session, meetup.id)
        if r.status in ACTIVE_STATUSES and r.id not in promoted_ids
    ]
    to_tell = registered if changes else []
    link_changed = meetup.online_link != before["online_link"]
    link_changed_for = [r for r in registered if r.status == CONFIRMED] if link_changed else []
    return EditResult(meetup, changes, to_tell, promoted, link_changed_for, link_removed=not meetup.online_link)


def set_signup_open(db: Database, meetup_id: int, *, open_: bool, now: datetime) -> Meetup:
    """Close or reopen sign-up. Reopening clears a closing date that has passed,
    as otherwise sign-up would stay closed."""
    with db.transaction() as session:
        meetup = check_changeable(meetup_store.lock_meetup(session, meetup_id), now)
        if open_:
            meetup.status = MEETUP_OPEN
            if meetup.signup_closes_at is not None and meetup.signup_closes_at <= now:
                meetup.signup_closes_at = None
        else:
            meetup.status = MEETUP_CLOSED
        return meetup


@dataclass(frozen=True)
class CancelMeetupResult:
    meetup: Meetup
    to_tell: list[Registration]  # everyone who was registered, now cancelled
    had_place: frozenset[int] = frozenset()  # the ids of those who held a place, whose calendars need telling


def cancel_meetup(
    db: Database,
    meetup_id: int,
    *,
    now: datetime,
    then: Callable[[object, CancelMeetupResult], None] = nothing_more,
) -> CancelMeetupResult:
    """Cancel a meetup and everyone's place in it, in one transaction.
    `then(session, result)` runs inside it, to queue the messages saying so."""
    with db.transaction() as session:
        meetup = check_changeable(meetup_store.lock_meetup(session, meetup_id), now)
        meetup.status = MEETUP_CANCELLED
        cancel_reminders(session, meetup, now=now)
        registered = [
            r for r in registration_store.list_registrations(session, meetup.id) if r.status in ACTIVE_STATUSES
        ]
        had_place = frozenset(r.id for r in registered if r.status == CONFIRMED)
        for registration in registered:
            registration.set_status(CANCELLED, now)
        result = CancelMeetupResult(meetup, registered, had_place)
        then(session, result)
        return result


# Finding the meetup an organiser means ------------------------------------------


def pick_meetup(db: Database, args: list[str], *, now: datetime, tz: ZoneInfo, usage: str) -> tuple[Meetup | None, str]:
    """The meetup named by ID, or the only upcoming one; otherwise a message
    (Slack mrkdwn) saying how to name it."""
    if args:
        number = parse_id(args[0])
        if number is None:
            return None, f"Use `{usage}` with a meetup's number, not '{escape(args[0][:30])}'."
        with db.read() as session:
            meetup = meetup_store.get_meetup(session, number)
        if meetup is None:
            return None, f"There is no meetup number {number}. Use `{usage}` with a number from the list."
        return meetup, ""
    with db.read() as session:
        upcoming = [m for m in meetup_store.list_upcoming_meetups(session, now) if m.status != MEETUP_CANCELLED]
    if len(upcoming) == 1:
        return upcoming[0], ""
    if not upcoming:
        return None, "There are no upcoming meetups. Create one with `/meetup new`."
    lines = [f"{m.id}: {escape(m.title)}, {format_date(m.starts_at, tz)}" for m in upcoming[:20]]
    return None, "\n".join(
        [f"There are {len(upcoming)} upcoming meetups. Use `{usage}` with one of these numbers:"] + lines
    )
