"""Reminders: the plan made for each meetup, and turning the ones that fall
due into messages in the outbox (bot/common/outbox.py); bot/runtime/sender.py sends them.

Each meetup has up to three reminders: a week before (a channel post with
places left and a Sign up button), the day before (a channel post, and a
direct message to each person with a place, with the calendar file, and to
each person on the waitlist), and on the morning (a channel post, and, when
the meetup has an online joining link, a direct message with it to each
person with a place). Each shows the timed agenda. The offsets
are settings. A reminder that fell due while the bot was not running is sent
late if it is no more than REMINDER_GRACE_HOURS late and the meetup has not
begun; otherwise it is skipped, with a log line.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.common.outbox import About, enqueue_channel_post, enqueue_dm_to_registration
from bot.meetups.agenda import AgendaItem, agenda_in
from bot.meetups.calendar import CalendarUser, bump_calendar_sequence, calendar_attachment, calendar_organiser
from bot.meetups.meetups import is_taking_signups
from storage import deliveries as delivery_store
from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage import reminders as reminder_store
from storage.db import Database
from storage.models import (
    CONFIRMED,
    DAY_BEFORE,
    MEETUP_CANCELLED,
    MORNING,
    REMINDER_CANCELLED,
    REMINDER_KINDS,
    REMINDER_PENDING,
    REMINDER_SENT,
    REMINDER_SKIPPED,
    WAITLISTED,
    WEEK_BEFORE,
    Meetup,
    Registration,
    Reminder,
    utcnow,
)

log = logging.getLogger(__name__)

# The timed agenda, with the grid's sessions (bot.meetups.agenda).
Agenda = Sequence[AgendaItem]

KIND_NAMES = {WEEK_BEFORE: "week-before", DAY_BEFORE: "day-before", MORNING: "morning"}


@dataclass(frozen=True)
class ReminderPlan:
    """When each reminder goes, from the settings."""

    week_before_days: int = 7
    day_before_days: int = 1
    morning_time: time | None = time(8, 30)
    grace: timedelta = timedelta(hours=6)
    tz: ZoneInfo = ZoneInfo("Europe/London")
    # The ORGANIZER of the day-before calendar file (bot.meetups.calendar).
    organiser: CalendarUser | None = None

    @classmethod
    def from_settings(cls, settings) -> ReminderPlan:
        return cls(
            week_before_days=settings.reminder_week_before_days,
            day_before_days=settings.reminder_day_before_days,
            morning_time=settings.reminder_morning_time,
            grace=timedelta(hours=settings.reminder_grace_hours),
            tz=settings.tz,
            organiser=calendar_organiser(settings.organiser_name, settings.organiser_contact),
        )

    def due_times(self, meetup: Meetup) -> dict[str, datetime]:
        """Kind -> when it is due (UTC). Days before keep the local time of the
        start across a change of the clocks: a 1pm meetup gets its reminders at 1pm."""
        local_start = meetup.starts_at.astimezone(self.tz)
        due: dict[str, datetime] = {}
        for kind, days in ((WEEK_BEFORE, self.week_before_days), (DAY_BEFORE, self.day_before_days)):
            if days > 0:
                # Wall-clock arithmetic: aware datetimes keep their tzinfo and
                # zoneinfo works out the offset for the new date.
                wall = (local_start.replace(tzinfo=None) - timedelta(days=days)).replace(tzinfo=self.tz)
                due[kind] = wall.astimezone(UTC)
        if self.morning_time is not None:
            morning = datetime.combine(local_start.date(), self.morning_time, tzinfo=self.tz)
            if morning < local_start:
                due[MORNING] = morning.astimezone(UTC)
        return due

    def why_not_planned(self, kind: str) -> str:
        if kind == WEEK_BEFORE and not self.week_before_days:
            return "turned off: REMINDER_WEEK_BEFORE_DAYS is 0"
        if kind == DAY_BEFORE and not self.day_before_days:
            return "turned off: REMINDER_DAY_BEFORE_DAYS is 0"
        if kind == MORNING and self.morning_time is None:
            return "turned off: REMINDER_MORNING_TIME is off"
        return "the meetup starts before REMINDER_MORNING_TIME"

    def too_late(self, reminder: Reminder, meetup: Meetup, now: datetime) -> str | None:
        """Why a due reminder should no longer go, or None if it should."""
        if meetup.status == MEETUP_CANCELLED:
            return "the meetup was cancelled"
        if now >= meetup.starts_at:
            return "the meetup has begun"
        if now > reminder.due_at + self.grace:
            late = now - reminder.due_at
            return (
                f"it was due at {reminder.due_at:%Y-%m-%d %H:%M} UTC, {_hours(late)} ago, "
                f"more than REMINDER_GRACE_HOURS ({_hours(self.grace)})"
            )
        return None


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f} hours" if hours >= 2 else f"{delta.total_seconds() / 60:.0f} minutes"


DEFAULT_PLAN = ReminderPlan()


# The plan ---------------------------------------------------------------------


def create_reminders(
    session, meetup: Meetup, plan: ReminderPlan = DEFAULT_PLAN, *, now: datetime | None = None
) -> list[Reminder]:
    """Make a new meetup's reminders, in the transaction that creates it.
    Reminders whose time has already passed (beyond the grace window) are
    recorded as skipped, so the plan says what will and will not happen."""
    return reschedule_reminders(session, meetup, plan, now=now, bump_sequence=False)


def reschedule_reminders(
    session,
    meetup: Meetup,
    plan: ReminderPlan = DEFAULT_PLAN,
    *,
    now: datetime | None = None,
    bump_sequence: bool = True,
) -> list[Reminder]:
    """After a meetup's time changes: move its reminders that have not gone
    (pending, or skipped because their time had passed) to the new times, and
    raise the calendar file's SEQUENCE so calendars update. A reminder that has
    gone goes again only if the move puts its time in the future (people were
    reminded of the old date); otherwise it stays sent. Call in the
    transaction that changes the meetup."""
    now = now or utcnow()
    if bump_sequence:
        bump_calendar_sequence(meetup)
    existing = {r.kind: r for r in reminder_store.list_reminders(session, meetup.id)}
    due = plan.due_times(meetup)
    result = []
    for kind in REMINDER_KINDS:
        reminder = existing.get(kind)
        if reminder is not None and (
            reminder.state == REMINDER_CANCELLED
            or (
                reminder.state == REMINDER_SENT
                and (kind not in due or due[kind] == reminder.due_at or due[kind] <= now)
            )
        ):
            result.append(reminder)
            continue
        if kind not in due:
            # Recorded all the same, so the plan says why it will not go (and a
            # meetup whose reminders are all off still has a plan).
            if reminder is None:
                reminder = reminder_store.add_reminder(
                    session,
                    Reminder(meetup_id=meetup.id, kind=kind, due_at=meetup.starts_at, created_at=now, updated_at=now),
                )
            reminder.state, reminder.note = REMINDER_SKIPPED, plan.why_not_planned(kind)
            reminder.updated_at = now
            result.append(reminder)
            continue
        if reminder is None:
            reminder = reminder_store.add_reminder(
                session, Reminder(meetup_id=meetup.id, kind=kind, due_at=due[kind], created_at=now, updated_at=now)
            )
        reminder.due_at = due[kind]
        reminder.updated_at = now
        if due[kind] + plan.grace < now:
            reminder.state, reminder.note = REMINDER_SKIPPED, "its time had passed when the meetup was planned"
        else:
            reminder.state, reminder.note = REMINDER_PENDING, ""
        result.append(reminder)
    session.flush()
    return result


def cancel_reminders(session, meetup: Meetup, *, now: datetime | None = None) -> int:
    """After a meetup is cancelled: cancel its reminders that have not gone and
    any of their messages still queued, and raise the calendar file's SEQUENCE.
    Call in the transaction that cancels the meetup."""
    now = now or utcnow()
    bump_calendar_sequence(meetup)
    cancelled = []
    for reminder in reminder_store.list_reminders(session, meetup.id):
        if reminder.state in (REMINDER_PENDING, REMINDER_SKIPPED):
            reminder.state, reminder.note, reminder.updated_at = REMINDER_CANCELLED, "the meetup was cancelled", now
        if reminder.state in (REMINDER_CANCELLED, REMINDER_SENT):
            cancelled.append(reminder.id)
    session.flush()
    delivery_store.cancel_pending_for_reminders(session, cancelled, "the meetup was cancelled")
    return len(cancelled)


def plan_missing(db: Database, plan: ReminderPlan, now: datetime) -> int:
    """Give every upcoming meetup without a plan one (meetups made before this
    feature, or by a path that did not make one)."""
    with db.read() as session:  # most of the time there are none: no write lock
        if not reminder_store.list_meetups_without_reminders(session, now):
            return 0
    with db.transaction() as session:
        meetups = reminder_store.list_meetups_without_reminders(session, now, lock=True)
        for meetup in meetups:
            log.info("Planning reminders for meetup %d, which had none", meetup.id)
            create_reminders(session, meetup, plan, now=now)
        return len(meetups)


# Turning due reminders into messages -------------------------------------------------


class ReminderMessages(Protocol):
    """Renders reminders as (fallback text, Block Kit blocks). Implemented in
    handlers/blocks/reminders.py: bot/ decides, handlers/ draws."""

    def week_before(
        self, meetup: Meetup, *, places_left: int, taking_signups: bool, tz: ZoneInfo, agenda: Agenda = ()
    ) -> tuple[str, list[dict]]: ...

    def day_before(self, meetup: Meetup, *, tz: ZoneInfo, agenda: Agenda = ()) -> tuple[str, list[dict]]: ...

    def morning(self, meetup: Meetup, *, tz: ZoneInfo, agenda: Agenda = ()) -> tuple[str, list[dict]]: ...

    def day_before_confirmed(
        self, meetup: Meetup, registration: Registration, *, tz: ZoneInfo, agenda: Agenda = ()
    ) -> tuple[str, list[dict]]: ...

    def morning_confirmed(
        self, meetup: Meetup, registration: Registration, *, tz: ZoneInfo
    ) -> tuple[str, list[dict]]: ...

    def day_before_waitlisted(
        self, meetup: Meetup, registration: Registration, *, position: int, tz: ZoneInfo
    ) -> tuple[str, list[dict]]: ...


@dataclass
class QueueResult:
    queued: int = 0  # reminders turned into messages
    skipped: int = 0
    messages: int = 0


def queue_due_reminders(
    db: Database, *, now: datetime, plan: ReminderPlan, channel: str, messages: ReminderMessages
) -> QueueResult:
    """Turn each due reminder into its messages in the outbox, one reminder a
    transaction: the reminder is marked sent in the same transaction that
    queues its messages, so a crash leaves either both or neither."""
    result = QueueResult()
    with db.read() as session:  # most polls find nothing: no write lock
        if not reminder_store.has_due_reminders(session, now):
            return result
    while True:
        with db.transaction() as session:
            claimed = reminder_store.claim_due_reminders(session, now, limit=1)
            if not claimed:
                return result
            reminder = claimed[0]
            meetup = meetup_store.get_meetup(session, reminder.meetup_id)
            # reminders.meetup_id is a non-null foreign key (foreign keys are
            # on in SQLite too) and meetups are never deleted, only purged.
            assert meetup is not None, f"reminder {reminder.id} has no meetup"
            why_not = plan.too_late(reminder, meetup, now)
            if why_not:
                reminder.state, reminder.note, reminder.updated_at = REMINDER_SKIPPED, why_not, now
                result.skipped += 1
                log.warning(
                    "Skipped the %s reminder for meetup %d (%s): %s",
                    KIND_NAMES[reminder.kind],
                    meetup.id,
                    meetup.title,
                    why_not,
                )
                continue
            count = _queue_messages(session, reminder, meetup, now=now, plan=plan, channel=channel, messages=messages)
            reminder.state, reminder.sent_at, reminder.updated_at = REMINDER_SENT, now, now
            result.queued += 1
            result.messages += count
            log.info("Queued the %s reminder for meetup %d: %d messages", KIND_NAMES[reminder.kind], meetup.id, count)


def _queue_messages(
    session,
    reminder: Reminder,
    meetup: Meetup,
    *,
    now: datetime,
    plan: ReminderPlan,
    channel: str,
    messages: ReminderMessages,
) -> int:
    """Queue what one reminder sends; returns how many messages that is."""
    about = About(meetup_id=meetup.id, reminder_id=reminder.id, now=now)
    # The due time is in the keys: a reminder that goes again after the meetup
    # moved sends new messages rather than matching the old ones.
    key = f"reminder:{reminder.id}:{reminder.due_at:%Y%m%dT%H%M}"
    agenda = tuple(agenda_in(session, meetup, plan.tz))
    text, blocks = _channel_message(session, reminder, meetup, now=now, tz=plan.tz, messages=messages, agenda=agenda)
    enqueue_channel_post(
        session, channel, blocks, text, key=f"{key}:channel", kind=f"reminder_{reminder.kind}", **about
    )
    if reminder.kind == MORNING:
        return 1 + _queue_morning_dms(session, meetup, key=key, tz=plan.tz, messages=messages, about=about)
    if reminder.kind != DAY_BEFORE:
        return 1
    return 1 + _queue_day_before_dms(
        session, meetup, key=key, now=now, plan=plan, messages=messages, about=about, agenda=agenda
    )


def _channel_message(
    session,
    reminder: Reminder,
    meetup: Meetup,
    *,
    now: datetime,
    tz: ZoneInfo,
    messages: ReminderMessages,
    agenda: Agenda,
) -> tuple[str, list[dict]]:
    if reminder.kind == WEEK_BEFORE:
        places_left = max(meetup.capacity - registration_store.count_confirmed(session, meetup.id), 0)
        return messages.week_before(
            meetup, places_left=places_left, taking_signups=is_taking_signups(meetup, now), tz=tz, agenda=agenda
        )
    if reminder.kind == MORNING:
        return messages.morning(meetup, tz=tz, agenda=agenda)
    return messages.day_before(meetup, tz=tz, agenda=agenda)


def _queue_morning_dms(
    session, meetup: Meetup, *, key: str, tz: ZoneInfo, messages: ReminderMessages, about: About
) -> int:
    """On the morning, the online joining link to everyone with a place, by
    direct message: the channel post must not show it."""
    if not meetup.online_link:
        return 0
    confirmed = registration_store.list_registrations(session, meetup.id, CONFIRMED)
    for registration in confirmed:
        _queue_dm(session, registration, messages.morning_confirmed(meetup, registration, tz=tz), key=key, about=about)
    return len(confirmed)


def _queue_day_before_dms(
    session,
    meetup: Meetup,
    *,
    key: str,
    now: datetime,
    plan: ReminderPlan,
    messages: ReminderMessages,
    about: About,
    agenda: Agenda,
) -> int:
    """The day before, everyone with a place gets the details and a calendar
    file, and everyone waiting is told where they are on the waitlist."""
    tz = plan.tz
    attachment = calendar_attachment(meetup, tz, now=now, session=session, organiser=plan.organiser)
    count = 0
    for registration in registration_store.list_registrations(session, meetup.id, CONFIRMED):
        message = messages.day_before_confirmed(meetup, registration, tz=tz, agenda=agenda)
        _queue_dm(session, registration, message, key=key, attachment=attachment, about=about)
        count += 1
    waiting = sorted(
        registration_store.list_registrations(session, meetup.id, WAITLISTED), key=lambda r: (r.waitlisted_at, r.id)
    )
    for position, registration in enumerate(waiting, start=1):
        message = messages.day_before_waitlisted(meetup, registration, position=position, tz=tz)
        _queue_dm(session, registration, message, key=key, about=about)
        count += 1
    return count


def _queue_dm(
    session,
    registration: Registration,
    message: tuple[str, list[dict]],
    *,
    key: str,
    about: About,
    attachment: dict | None = None,
) -> None:
    text, blocks = message
    kind = f"reminder_{registration.status}"
    enqueue_dm_to_registration(
        session, registration, blocks, text, key=f"{key}:{registration.id}", kind=kind, attachment=attachment, **about
    )


def describe_due_reminders(db: Database, *, now: datetime, plan: ReminderPlan, channel: str) -> list[str]:
    """What queue_due_reminders would do now, one line a reminder, for a dry run."""
    lines = []
    with db.read() as session:
        for reminder in reminder_store.list_due_reminders(session, now):
            meetup = meetup_store.get_meetup(session, reminder.meetup_id)
            assert meetup is not None, f"reminder {reminder.id} has no meetup"  # as in queue_due_reminders
            name = f"the {KIND_NAMES[reminder.kind]} reminder for meetup {meetup.id} ({meetup.title})"
            why_not = plan.too_late(reminder, meetup, now)
            if why_not:
                lines.append(f"Would skip {name}: {why_not}")
                continue
            line = f"Would post {name} in {channel or 'the meetup channel'}"
            if reminder.kind == DAY_BEFORE:
                counts = registration_store.count_by_status(session, meetup.id)
                line += (
                    f" and send direct messages to {counts.get(CONFIRMED, 0)} people with a place "
                    f"(with a calendar file) and {counts.get(WAITLISTED, 0)} on the waitlist"
                )
            elif reminder.kind == MORNING and meetup.online_link:
                confirmed = registration_store.count_by_status(session, meetup.id).get(CONFIRMED, 0)
                line += f" and send the online joining link to {confirmed} people with a place"
            lines.append(line)
    return lines
