"""Block Kit for reminders: what each reminder says (bot.reminders.reminders.ReminderMessages).

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_time, format_when
from bot.common.slack_limits import SECTION_TEXT, shorten
from bot.meetups.agenda import agenda_lines
from bot.reminders.reminders import Agenda
from handlers.blocks.common import (
    AGENDA_REST,
    agenda_mrkdwn,
    button,
    meetup_details,
    online_link_text,
    place_details,
    section,
)
from handlers.blocks.signup import CANCEL_ACTION, CANCEL_LABELS, OPEN_SIGNUP_ACTION
from storage.models import CONFIRMED, Meetup, Registration

PHOTO_ID = (
    "*What to bring:* photo ID, such as a passport, driving licence or your work pass. "
    "The building's security team checks it against the visitor list at the door."
)


TOPICS_LINE = "See the topics people want to discuss, and vote for yours, with `/meetup topics`."


def _with_topics(lines: list[str]) -> list[str]:
    return lines + [TOPICS_LINE]


def _agenda(agenda: Agenda, tz: ZoneInfo) -> list[dict]:
    """The agenda as a section, or nothing when there is none."""
    if not agenda:
        return []
    heading = "*Agenda*\n"
    return [section(heading + agenda_mrkdwn(list(agenda), tz, limit=SECTION_TEXT - len(heading), rest=AGENDA_REST))]


def _agenda_fallback(agenda: Agenda, tz: ZoneInfo) -> str:
    """The agenda in the notification text, for where blocks are not shown."""
    return "".join("\n" + escape(line) for line in agenda_lines(agenda, tz))


class ReminderBlocks:
    """bot.reminders.reminders.ReminderMessages: what each reminder says. No @channel:
    reminders must not ping a busy shared channel."""

    def week_before(
        self, meetup: Meetup, *, places_left: int, taking_signups: bool, tz: ZoneInfo, agenda: Agenda = ()
    ) -> tuple[str, list[dict]]:
        title = escape(meetup.title)
        when = format_when(meetup.starts_at, meetup.ends_at, tz)
        headline = f"Coming up: *{title}*, {when}."
        if not taking_signups:
            places = "Sign-up has closed."
        elif places_left:
            places = f"{places_left} {'place' if places_left == 1 else 'places'} left."
        else:
            places = (
                "It is full. Sign up to join the waitlist: if someone cancels, "
                "their place goes to the person who has waited longest."
            )
        result = [
            section(headline),
            section(meetup_details(meetup, tz)),
            *_agenda(agenda, tz),
            section("\n".join(_with_topics([places]))),
        ]
        if taking_signups:
            label = "Sign up" if places_left else "Join the waitlist"
            result.append(
                {"type": "actions", "elements": [button(label, OPEN_SIGNUP_ACTION, str(meetup.id), style="primary")]}
            )
        return f"Coming up: {title}, {when}. {places}{_agenda_fallback(agenda, tz)}", result

    def day_before(self, meetup: Meetup, *, tz: ZoneInfo, agenda: Agenda = ()) -> tuple[str, list[dict]]:
        title = escape(meetup.title)
        when = format_when(meetup.starts_at, meetup.ends_at, tz)
        lines = _with_topics([PHOTO_ID])
        lines.append(
            "If you have a place and cannot come, cancel it with `/meetup cancel` "
            "so someone on the waitlist can have it."
        )
        if meetup.description:
            # The description gets the room the other lines leave in the section.
            room = SECTION_TEXT - len("\n\n".join(lines)) - len("\n\n*What happens:* ")
            lines.insert(0, f"*What happens:* {shorten(escape(meetup.description), room)}")
        result = [
            section(f"Reminder: *{title}* is on {when}."),
            section(meetup_details(meetup, tz)),
            *_agenda(agenda, tz),
            section("\n\n".join(lines)),
        ]
        return f"Reminder: {title} is on {when}.{_agenda_fallback(agenda, tz)}", result

    def morning(self, meetup: Meetup, *, tz: ZoneInfo, agenda: Agenda = ()) -> tuple[str, list[dict]]:
        title = escape(meetup.title)
        times = f"{format_time(meetup.starts_at, tz)} to {format_time(meetup.ends_at, tz)}"
        text = (
            f"*{title}* is today, {times}, at {escape(meetup.venue)}. "
            "Remember your photo ID for the building's security."
        )
        return f"{title} is today, {times}.{_agenda_fallback(agenda, tz)}", [section(text), *_agenda(agenda, tz)]

    def morning_confirmed(self, meetup: Meetup, registration: Registration, *, tz: ZoneInfo) -> tuple[str, list[dict]]:
        title = escape(meetup.title)
        times = f"{format_time(meetup.starts_at, tz)} to {format_time(meetup.ends_at, tz)}"
        text = f"*{title}* is today, {times}. You have a place. To join online, use this link.\n"
        return f"{title} is today, {times}. Your online joining link is in this message.", [
            section(text + online_link_text(meetup))
        ]

    def day_before_confirmed(
        self, meetup: Meetup, registration: Registration, *, tz: ZoneInfo, agenda: Agenda = ()
    ) -> tuple[str, list[dict]]:
        title = escape(meetup.title)
        when = format_when(meetup.starts_at, meetup.ends_at, tz)
        result = [
            section(f"You have a place at *{title}* on {when}."),
            section(place_details(meetup, tz)),
            *_agenda(agenda, tz),
            section(PHOTO_ID + "\nThe calendar file below adds the meetup to your calendar."),
            section("If you cannot come, cancel so someone on the waitlist can."),
            {
                "type": "actions",
                "elements": [button(CANCEL_LABELS[CONFIRMED], CANCEL_ACTION, str(meetup.id), style="danger")],
            },
        ]
        return f"You have a place at {title} on {when}.", result

    def day_before_waitlisted(
        self, meetup: Meetup, registration: Registration, *, position: int, tz: ZoneInfo
    ) -> tuple[str, list[dict]]:
        title = escape(meetup.title)
        when = format_when(meetup.starts_at, meetup.ends_at, tz)
        result = [
            section(f"You are still on the waitlist for *{title}* on {when}. You are number {position}."),
            section(
                "If someone cancels, the person who has waited longest gets their place and a message "
                "from us straight away, even on the day. If you do not get a message, there is no place "
                "for you this time and you do not need to do anything."
            ),
            section(meetup_details(meetup, tz)),
            {"type": "actions", "elements": [button(CANCEL_LABELS["waitlisted"], CANCEL_ACTION, str(meetup.id))]},
        ]
        return f"You are still on the waitlist for {title}, number {position}.", result
