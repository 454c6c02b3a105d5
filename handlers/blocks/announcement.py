"""Block Kit for the announcement card in the meetup channel.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_when
from bot.common.slack_limits import SECTION_TEXT, shorten
from bot.meetups.agenda import timed_agenda
from bot.organising.organising import closing_date
from bot.signups.eligibility import audience_sentence
from handlers.blocks.common import AGENDA_REST, agenda_mrkdwn, button, context, plain, section
from handlers.blocks.signup import OPEN_SIGNUP_ACTION
from storage.models import MEETUP_CANCELLED


def card_blocks(meetup, places: str, tz: ZoneInfo, *, taking_signups: bool) -> list[dict]:
    """The announcement: what, when, where, who for, talks, places, and the button."""
    title = {"type": "header", "text": plain(meetup.title[:150])}
    when_where = [f"*When:* {format_when(meetup.starts_at, meetup.ends_at, tz)}", f"*Where:* {escape(meetup.venue)}"]
    if meetup.host_organisation:
        when_where.append(f"*Hosted by:* {escape(meetup.host_organisation)}")
    if meetup.status == MEETUP_CANCELLED:
        return [title, section("*This meetup has been cancelled.*"), section("\n".join(when_where))]
    blocks = [
        title,
        section("\n".join(when_where)),
        section(f"*Who can come:* {audience_sentence(meetup.audience, meetup.sectors)}"),
    ]
    if meetup.description:
        blocks.append(section(shorten(escape(meetup.description), SECTION_TEXT)))
    agenda = timed_agenda(meetup, tz)
    if agenda:
        heading = "*Agenda*\n"
        blocks.append(section(heading + agenda_mrkdwn(agenda, tz, limit=SECTION_TEXT - len(heading), rest=AGENDA_REST)))
    blocks.append(section(f"*{places}*"))
    if taking_signups:
        if meetup.signup_closes_at:
            blocks.append(context(f"Sign-up closes on {_closing_day(meetup, tz)}."))
        blocks.append(
            {"type": "actions", "elements": [button("Sign up", OPEN_SIGNUP_ACTION, str(meetup.id), style="primary")]}
        )
    return blocks


def _closing_day(meetup, tz: ZoneInfo) -> str:
    day = closing_date(meetup.signup_closes_at, tz)
    return f"{day:%A} {day.day} {day:%B %Y}"


def card_text(meetup, places: str, tz: ZoneInfo) -> str:
    """The notification text: what shows where blocks cannot (escaped too: it is mrkdwn)."""
    when = format_when(meetup.starts_at, meetup.ends_at, tz)
    return f"{escape(meetup.title)}: {when}, {escape(meetup.venue)}. {places}."
