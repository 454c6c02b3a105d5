"""Block Kit for `/meetup stats`: participation across the series, in the
words bot/meetups/stats_text.py gives `meetup-bot stats` too.

Pure functions of domain objects; anything a person typed goes through `escape`.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.common.formatting import escape
from bot.common.slack_limits import lines_within
from bot.meetups.stats import SeriesStats
from bot.meetups.stats_text import NOTES, stats_text
from handlers.blocks.common import context, section

# Shares of the characters one message's blocks may hold (slack_limits
# MESSAGE_TEXT_BUDGET, 12,000), leaving room for the summary and the notes.
MEETUP_LINES_BUDGET = 4000
ORGANISATION_LINES_BUDGET = 6000


def _chunked(title: str, text: str) -> list[dict]:
    """Sections of at most about 2,900 characters (a section holds 3,000)."""
    blocks, chunk = [], [title]
    for line in text.split("\n"):
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(section("\n".join(chunk)))
    return blocks


def stats_blocks(stats: SeriesStats, tz: ZoneInfo) -> list[dict]:
    if stats.meetups_held + stats.meetups_upcoming == 0:
        return [section("There are no meetups yet. Create one with `/meetup new`.")]
    text = stats_text(stats, tz)
    blocks = [section("\n".join(["*The series so far*", *text.summary]))]
    meetup_lines = [escape(line) for line in text.meetups]
    blocks += _chunked(
        "*Each meetup, the latest first*", lines_within(meetup_lines, MEETUP_LINES_BUDGET, "and {n} earlier meetups")
    )
    if text.organisations:
        organisation_lines = [escape(line) for line in text.organisations]
        shown = lines_within(
            organisation_lines, ORGANISATION_LINES_BUDGET, "and {n} more organisations, with fewer sign-ups"
        )
        blocks += _chunked("*By organisation*", shown)
    blocks.append(context(NOTES))
    return blocks
