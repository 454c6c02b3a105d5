"""The series figures in words, and as JSON: `/meetup stats` shows the words
in Slack (handlers/blocks/stats.py) and `meetup-bot stats` prints them, so
both say the same. The words are plain text: Slack escapes them on the way."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.common.formatting import format_date, plural
from bot.meetups.stats import SeriesStats

NOTES = (
    "Attended means they had a place at a meetup that has happened: the bot does not take a register "
    "at the door. Cancelled meetups are not counted. People are counted by a coded form of their Slack "
    "user ID that is kept after their personal data is removed; organisations are the ones their email "
    "addresses belong to, or the ones they gave. Sign-ups removed before the bot kept the coded form, "
    "and those of people who asked to be forgotten, count as a different person each."
)


@dataclass(frozen=True)
class StatsText:
    summary: list[str]
    meetups: list[str]  # the latest first
    organisations: list[str]  # the most sign-ups first


def stats_text(stats: SeriesStats, tz: ZoneInfo) -> StatsText:
    total = stats.meetups_held + stats.meetups_upcoming
    summary = [
        f"{plural(total, 'meetup')}, {stats.meetups_held} held and {stats.meetups_upcoming} coming up.",
        f"{plural(stats.signups, 'sign-up')} from {plural(stats.people, 'person', 'people')} in "
        f"{plural(len(stats.organisations), 'organisation')}.",
        f"{plural(stats.attended, 'place')} taken at meetups that have happened.",
        f"{plural(stats.organisations_reached, 'organisation')} reached: people from them had a place.",
        f"{plural(stats.repeat_attendees, 'person has', 'people have')} had a place at more than one meetup.",
    ]
    meetups = [
        f"• {m.meetup.title}, {format_date(m.meetup.starts_at, tz)}: "
        f"{plural(m.places_taken, 'place')} taken{'' if m.held else ' so far'}, "
        f"{plural(m.organisations, 'organisation')} brought together ({m.new_organisations} new), "
        f"{plural(m.returning, 'person', 'people')} back from an earlier meetup, "
        f"{plural(m.signups, 'sign-up')} from {plural(m.people, 'person', 'people')}"
        for m in reversed(stats.meetups)
    ]
    organisations = [
        f"• {o.name}: {plural(o.signups, 'sign-up')}, {o.attended} attended, {plural(o.meetups, 'meetup')}"
        for o in stats.organisations
    ]
    return StatsText(summary, meetups, organisations)


def printed(stats: SeriesStats, tz: ZoneInfo) -> str:
    """What `meetup-bot stats` prints: every line, nothing left out."""
    if stats.meetups_held + stats.meetups_upcoming == 0:
        return "There are no meetups yet."
    text = stats_text(stats, tz)
    parts = ["The series so far", *text.summary, "", "Each meetup, the latest first", *text.meetups]
    if text.organisations:
        parts += ["", "By organisation", *text.organisations]
    return "\n".join([*parts, "", NOTES])


def as_json(stats: SeriesStats) -> dict:
    """The figures for `meetup-bot stats --json`: over the series, then each meetup in date order."""
    return {
        "series": {
            "meetups": stats.meetups_held + stats.meetups_upcoming,
            "meetups_held": stats.meetups_held,
            "meetups_upcoming": stats.meetups_upcoming,
            "signups": stats.signups,
            "attended": stats.attended,
            "people": stats.people,
            "repeat_attendees": stats.repeat_attendees,
            "organisations_reached": stats.organisations_reached,
        },
        "meetups": [
            {
                "id": m.meetup.id,
                "title": m.meetup.title,
                "starts_at": m.meetup.starts_at.isoformat(),
                "held": m.held,
                "signups": m.signups,
                "places_taken": m.places_taken,
                "attended": m.attended,
                "people": m.people,
                "repeat_attendees": m.returning,
                "organisations_reached": m.organisations,
                "new_organisations": m.new_organisations,
            }
            for m in stats.meetups
        ],
        "organisations": [
            {"name": o.name, "signups": o.signups, "attended": o.attended, "meetups": o.meetups}
            for o in stats.organisations
        ],
    }
