"""Block Kit for `/meetup list`: who has signed up, and messages that could not be sent.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_time, format_when, plural
from bot.common.slack_limits import SECTION_TEXT, lines_within, shorten
from handlers.blocks.common import checked_in_counts, section
from storage.models import CONFIRMED, PENDING, WAITLISTED, Delivery, Registration

# One name, organisation or team, after escaping: long enough for any real
# one, short enough that one person's line never fills a section.
FIELD = 150


def _person(r: Registration) -> str:
    line = f"{shorten(escape(r.full_name), FIELD)} (<@{r.slack_user_id}>), {shorten(escape(r.organisation), FIELD)}"
    if r.government_team:
        line += f", team: {shorten(escape(r.government_team), FIELD)}"
    return line


def _checked_in(r: Registration, tz: ZoneInfo) -> str:
    if r.checked_in_at is None:
        return _person(r)
    walked_in = ", let in from the waitlist" if r.walk_in else ""
    return f"{_person(r)}: came at {format_time(r.checked_in_at, tz)}{walked_in}"


def _who_came(overview, tz: ZoneInfo, room: int) -> list[dict]:
    """Once anyone is checked in: who came, and who has a place and has not
    (yet), each in half the room the list of places has."""
    came = [r for r in overview.confirmed if r.checked_in_at is not None]
    not_yet = [r for r in overview.confirmed if r.checked_in_at is None]
    blocks = []
    for title, people, more in (
        (f"Came ({len(came)})", came, "and {n} more who came"),
        (f"Have a place and have not come ({len(not_yet)})", not_yet, "and {n} more who have not come"),
    ):
        if people:
            lines = [f"• {_checked_in(r, tz)}" for r in people]
            blocks.append(section(lines_within([f"*{title}*"] + lines, room // 2, more)))
    return blocks


def overview_blocks(overview, tz: ZoneInfo, *, room: int = SECTION_TEXT) -> list[dict]:
    """The counts, then one section each for organisations, confirmed, waitlist
    and awaiting approval, each within `room` characters and saying how many
    more there are: a long waitlist never hides the people awaiting approval."""
    m = overview.meetup
    counts = overview.counts
    confirmed = counts.get(CONFIRMED, 0)
    summary = (
        f"*{shorten(escape(m.title), FIELD)}*, {format_when(m.starts_at, m.ends_at, tz)}\n"
        f"{confirmed} of {m.capacity} places taken. "
        f"{plural(counts.get(WAITLISTED, 0), 'person', 'people')} on the waitlist, "
        f"{counts.get(PENDING, 0)} waiting for approval, {counts.get('cancelled', 0)} cancelled."
    )
    came = sum(1 for r in overview.confirmed if r.checked_in_at is not None)
    if came:
        summary += f" {checked_in_counts(came, confirmed)}"
    blocks = [section(summary)]
    if overview.by_organisation:
        organisations = [f"{shorten(escape(name), FIELD)}: {count}" for name, count in overview.by_organisation]
        blocks.append(section(lines_within(["*By organisation*"] + organisations, room // 2, "and {n} more")))
    if came:
        blocks += _who_came(overview, tz, room)
    confirmed_list = [] if came else overview.confirmed
    for title, people, numbered, more in (
        ("Confirmed", confirmed_list, False, f"and {{n}} more: `/meetup export {m.id}` has everyone"),
        ("Waitlist, in order", overview.waitlisted, True, "and {n} more on the waitlist"),
        ("Waiting for approval", overview.pending, False, "and {n} more waiting for approval"),
    ):
        if people:
            lines = [f"{i}. {_person(r)}" if numbered else f"• {_person(r)}" for i, r in enumerate(people, start=1)]
            blocks.append(section(lines_within([f"*{title}*"] + lines, room, more)))
    return blocks


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
    return [section(shorten(text, SECTION_TEXT))]
