"""Block Kit for `/meetup stats`: participation across the series.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_date, plural
from handlers.blocks.common import context, section

# The largest first; the rest are counted in one line.
SHOWN_ORGANISATIONS = 100


def _chunked(title: str, lines: list[str]) -> list[dict]:
    """Sections of at most about 2,900 characters (a section holds 3,000)."""
    blocks, chunk = [], [title]
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(section("\n".join(chunk)))
    return blocks


def stats_blocks(stats, tz: ZoneInfo) -> list[dict]:
    total = stats.meetups_held + stats.meetups_upcoming
    if total == 0:
        return [section("There are no meetups yet. Create one with `/meetup new`.")]
    summary = [
        f"*The series so far:* {plural(total, 'meetup')}, {stats.meetups_held} held and "
        f"{stats.meetups_upcoming} coming up.",
        f"{plural(stats.signups, 'sign-up')} from {plural(stats.people, 'person', 'people')} in "
        f"{plural(len(stats.organisations), 'organisation')}.",
        f"{plural(stats.attended, 'place')} taken at meetups that have happened.",
        f"{plural(stats.repeat_attendees, 'person has', 'people have')} had a place at more than one meetup.",
    ]
    blocks = [section("\n".join(summary))]
    meetup_lines = [
        f"• {escape(m.meetup.title)}, {format_date(m.meetup.starts_at, tz)}: "
        f"{plural(m.places_taken, 'place')} taken{'' if m.held else ' so far'}, "
        f"{plural(m.organisations, 'organisation')} brought together, {plural(m.signups, 'sign-up')}"
        for m in stats.meetups
    ]
    blocks += _chunked("*Each meetup*", meetup_lines)
    org_lines = [
        f"• {escape(o.name)}: {plural(o.signups, 'sign-up')}, {o.attended} attended, {plural(o.meetups, 'meetup')}"
        for o in stats.organisations[:SHOWN_ORGANISATIONS]
    ]
    hidden = len(stats.organisations) - SHOWN_ORGANISATIONS
    if hidden > 0:
        org_lines.append(f"and {plural(hidden, 'more organisation')}, with fewer sign-ups")
    if org_lines:
        blocks += _chunked("*By organisation*", org_lines)
    blocks.append(
        context(
            "Attended means they had a place at a meetup that has happened: the bot does not take "
            "a register at the door. Cancelled meetups are not counted."
        )
    )
    return blocks
