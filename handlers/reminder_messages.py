"""Block Kit for reminders, the messages the outbox queues after a sign-up,
and the organisers' view of messages that could not be sent.

Pure functions of domain objects; anything a person typed is escaped.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.meetups.calendar import calendar_attachment
from bot.common.formatting import escape, format_time, format_when
from bot.common.outbox import enqueue_dm
from handlers import blocks
from handlers.blocks import CANCEL_ACTION, CANCEL_LABELS, OPEN_SIGNUP_ACTION, button, meetup_details, section
from storage.models import CONFIRMED, Delivery, Meetup, Registration

PHOTO_ID = ("*What to bring:* photo ID, such as a passport, driving licence or your work pass. "
            "The building's security team checks it against the visitor list at the door.")


TOPICS_LINE = "See the topics people want to discuss, and vote for yours, with `/meetup topics`."


def _with_topics(lines: list[str]) -> list[str]:
    return lines + [TOPICS_LINE]


class ReminderBlocks:
    """bot.reminders.reminders.ReminderMessages: what each reminder says. No @channel:
    reminders must not ping a busy shared channel."""

    def week_before(self, meetup: Meetup, *, places_left: int, taking_signups: bool,
                    tz: ZoneInfo) -> tuple[str, list[dict]]:
        title = escape(meetup.title)
        when = format_when(meetup.starts_at, meetup.ends_at, tz)
        headline = f"Coming up: *{title}*, {when}."
        if not taking_signups:
            places = "Sign-up has closed."
        elif places_left:
            places = f"{places_left} {'place' if places_left == 1 else 'places'} left."
        else:
            places = "It is full. Sign up to join the waitlist: if someone cancels, their place goes to the person who has waited longest."
        result = [section(headline), section(meetup_details(meetup, tz)),
                  section("\n".join(_with_topics([places])))]
        if taking_signups:
            label = "Sign up" if places_left else "Join the waitlist"
            result.append({"type": "actions", "elements": [button(label, OPEN_SIGNUP_ACTION, str(meetup.id),
                                                                  style="primary")]})
        return f"Coming up: {title}, {when}. {places}", result

    def day_before(self, meetup: Meetup, *, tz: ZoneInfo) -> tuple[str, list[dict]]:
        title = escape(meetup.title)
        when = format_when(meetup.starts_at, meetup.ends_at, tz)
        lines = [PHOTO_ID]
        if meetup.description:
            lines.insert(0, f"*What happens:* {escape(meetup.description)}")
        lines = _with_topics(lines)
        lines.append("If you have a place and cannot come, cancel it with `/meetup cancel` "
                     "so someone on the waitlist can have it.")
        result = [section(f"Reminder: *{title}* is on {when}."), section(meetup_details(meetup, tz)),
                  section("\n\n".join(lines))]
        return f"Reminder: {title} is on {when}.", result

    def morning(self, meetup: Meetup, *, tz: ZoneInfo) -> tuple[str, list[dict]]:
        title = escape(meetup.title)
        times = f"{format_time(meetup.starts_at, tz)} to {format_time(meetup.ends_at, tz)}"
        text = f"*{title}* is today, {times}, at {escape(meetup.venue)}. Remember your photo ID for the building's security."
        return f"{title} is today, {times}.", [section(text)]

    def day_before_confirmed(self, meetup: Meetup, registration: Registration, *,
                             tz: ZoneInfo) -> tuple[str, list[dict]]:
        title = escape(meetup.title)
        when = format_when(meetup.starts_at, meetup.ends_at, tz)
        result = [
            section(f"You have a place at *{title}* on {when}."),
            section(meetup_details(meetup, tz)),
            section(PHOTO_ID + "\nThe calendar file below adds the meetup to your calendar."),
            section("If you cannot come, cancel so someone on the waitlist can."),
            {"type": "actions", "elements": [button(CANCEL_LABELS[CONFIRMED], CANCEL_ACTION, str(meetup.id),
                                                    style="danger")]},
        ]
        return f"You have a place at {title} on {when}.", result

    def day_before_waitlisted(self, meetup: Meetup, registration: Registration, *, position: int,
                              tz: ZoneInfo) -> tuple[str, list[dict]]:
        title = escape(meetup.title)
        when = format_when(meetup.starts_at, meetup.ends_at, tz)
        result = [
            section(f"You are still on the waitlist for *{title}* on {when}. You are number {position}."),
            section("If someone cancels, the person who has waited longest gets their place and a message "
                    "from us straight away, even on the day. If you do not get a message, there is no place "
                    "for you this time and you do not need to do anything."),
            section(meetup_details(meetup, tz)),
            {"type": "actions", "elements": [button(CANCEL_LABELS["waitlisted"], CANCEL_ACTION, str(meetup.id))]},
        ]
        return f"You are still on the waitlist for {title}, number {position}.", result


# Messages after a sign-up or a cancellation, through the outbox ---------------------


def _stamp(moment: datetime | None) -> str:
    return f"{moment.timestamp():.6f}" if moment else "0"


def queue_signup_message(session, meetup: Meetup, registration: Registration, tz: ZoneInfo, *,
                         position: int | None, now: datetime) -> int:
    """Queue the message telling someone the outcome of their sign-up, with the
    calendar file when they have a place. It is sent only while their status
    is still the one it describes."""
    message = blocks.status_blocks(meetup, registration, tz, position=position)
    attachment = calendar_attachment(meetup, tz, now=now) if registration.status == CONFIRMED else None
    return enqueue_dm(
        session, registration.slack_user_id, message, message[0]["text"]["text"],
        key=f"signup:{registration.id}:{registration.status}:{_stamp(registration.status_changed_at)}",
        kind="signup", meetup_id=meetup.id, registration_id=registration.id,
        required_status=registration.status, attachment=attachment, now=now)


def queue_promoted_message(session, meetup: Meetup, registration: Registration, tz: ZoneInfo, *,
                           now: datetime) -> int:
    """Queue the message telling someone a place became free and is theirs."""
    message = blocks.promoted_blocks(meetup, registration, tz)
    return enqueue_dm(
        session, registration.slack_user_id, message, message[0]["text"]["text"],
        key=f"promoted:{registration.id}:{_stamp(registration.confirmed_at)}",
        kind="promoted", meetup_id=meetup.id, registration_id=registration.id, required_status=CONFIRMED,
        attachment=calendar_attachment(meetup, tz, now=now), now=now)


# Organisers: what could not be sent ----------------------------------------------------

WHAT = {
    "signup": "the sign-up message",
    "promoted": "the message giving a place",
    "reminder_week_before": "the week-before reminder",
    "reminder_day_before": "the day-before reminder",
    "reminder_morning": "the morning reminder",
    "reminder_confirmed": "the day-before reminder",
    "reminder_waitlisted": "the day-before waitlist message",
}
ADVICE = {
    "not_in_channel": "invite the bot to the channel",
    "channel_not_found": "check MEETUP_CHANNEL_ID",
    "is_archived": "the channel is archived",
    "user_not_found": "they may have left Slack",
    "account_inactive": "their account is deactivated",
    "cannot_dm_bot": "they are a bot",
    "invalid_auth": "check SLACK_BOT_TOKEN",
}


# A direct message goes to the person's user id, so Slack answers
# channel_not_found when there is no such person.
DM_ADVICE = {**ADVICE, "channel_not_found": "they may have left Slack"}


def _failure(delivery: Delivery) -> str:
    what = WHAT.get(delivery.kind, "a message")
    where = f"to <@{delivery.slack_user_id}>" if delivery.slack_user_id else f"in <#{delivery.channel}>"
    error = (delivery.last_error or "unknown error").strip()
    advice = (DM_ADVICE if delivery.slack_user_id else ADVICE).get(error)
    reason = f"{escape(error)}: {advice}" if advice else escape(error)
    return f"{what} {where} ({reason})"


def failed_delivery_blocks(failed: list[Delivery], *, limit: int = 10) -> list[dict]:
    """'2 messages could not be sent: …' for `/meetup list`, or nothing."""
    if not failed:
        return []
    shown = "; ".join(_failure(d) for d in failed[:limit])
    more = f"; and {len(failed) - limit} more" if len(failed) > limit else ""
    count = "1 message" if len(failed) == 1 else f"{len(failed)} messages"
    text = f":warning: {count} could not be sent: {shown}{more}."
    return [section(text[:2900])]

