"""The series figures in words, and as JSON: `/meetup stats` shows the words
in Slack (handlers/blocks/stats.py) and `meetup-bot stats` prints them, so
both say the same. The words are plain text: Slack escapes them on the way."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.common.formatting import format_date, plural
from bot.meetups.stats import MeetupStats, SeriesStats

NOTES = (
    "Attended means they were checked in at the door, or checked themselves in with the code shown at "
    "the venue. Meetups where nobody was checked in, such as those before check-in existed, show "
    "attendance as not recorded and count in no attendance figure. The no-show rate is the share of "
    "people who had a place before the day and were not checked in. Cancelled meetups are not counted. "
    "People are counted by a coded form of their Slack user ID that is kept after their personal data "
    "is removed; organisations are the ones their email "
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
        f"{plural(stats.places_taken, 'place')} taken at meetups that have happened.",
        _series_attendance(stats),
        f"{plural(stats.organisations_reached, 'organisation')} reached: people from them had a place.",
        f"{plural(stats.repeat_attendees, 'person has', 'people have')} had a place at more than one meetup.",
    ]
    meetups = [
        f"• {m.meetup.title}, {format_date(m.meetup.starts_at, tz)}: "
        f"{plural(m.places_taken, 'place')} taken{'' if m.held else ' so far'}, "
        f"{plural(m.organisations, 'organisation')} brought together ({m.new_organisations} new), "
        f"{plural(m.returning, 'person', 'people')} back from an earlier meetup, "
        f"{plural(m.signups, 'sign-up')} from {plural(m.people, 'person', 'people')}{_attendance(m)}"
        for m in reversed(stats.meetups)
    ]
    # Until attendance is recorded somewhere, "0 attended" would say nobody came.
    came = "{} attended, " if stats.meetups_recorded else ""
    organisations = [
        f"• {o.name}: {plural(o.signups, 'sign-up')}, {came.format(o.attended)}{plural(o.meetups, 'meetup')}"
        for o in stats.organisations
    ]
    return StatsText(summary, meetups, organisations)


def _percent(rate: float | None) -> str:
    return "not recorded" if rate is None else f"{round(rate * 100)}%"


def _series_attendance(stats: SeriesStats) -> str:
    if not stats.meetups_recorded:
        return "Attendance has not been recorded at any meetup that has happened: no-show rate not recorded."
    return (
        f"{plural(stats.attended, 'person', 'people')} came to the {plural(stats.meetups_recorded, 'meetup')} "
        f"where attendance was recorded. {stats.no_shows} of {plural(stats.booked, 'person', 'people')} "
        f"with a place did not come: a no-show rate of {_percent(stats.no_show_rate)}."
    )


def _attendance(m: MeetupStats) -> str:
    if not m.held:
        return f", {m.checked_in} checked in so far" if m.recorded else ""
    if not m.recorded:
        return ", attendance not recorded"
    return f", {m.checked_in} came, {m.no_shows} with a place did not (no-show rate {_percent(m.no_show_rate)})"


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
            "places_taken": stats.places_taken,
            "meetups_with_attendance": stats.meetups_recorded,
            "no_shows": stats.no_shows,
            "no_show_rate": stats.no_show_rate,
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
                "no_shows": m.no_shows if m.held and m.recorded else None,
                "no_show_rate": m.no_show_rate,
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
