"""The calendar file: read back with the icalendar library, as a calendar would."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

import bot.meetups.calendar
from bot.meetups.calendar import CANCEL, REQUEST, bump_calendar_sequence, calendar_attachment, meetup_ics
from storage.models import MEETUP_CANCELLED, Meetup

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_files_made_before():
    # Files are reused across calls (bot.meetups.calendar._made): start each test without any.
    bot.meetups.calendar.forget_made()


def a_meetup(**fields) -> Meetup:
    values = dict(
        id=7,
        title="Open source meetup",
        description="Talks, then open space.",
        venue="102 Petty France, London",
        host_organisation="Ministry of Justice",
        starts_at=datetime(2027, 7, 2, 12, 0, tzinfo=UTC),
        ends_at=datetime(2027, 7, 2, 16, 0, tzinfo=UTC),
        status="open",
        ics_sequence=0,
        created_at=datetime(2027, 1, 5, 10, 30, tzinfo=UTC),
    )
    values.update(fields)
    return Meetup(**values)


def event_of(ics: str):
    calendar = Calendar.from_ical(ics)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_the_file_has_london_times_with_their_timezone_the_venue_and_a_stable_uid():
    meetup = a_meetup()
    calendar, event = event_of(meetup_ics(meetup, LONDON, now=NOW))
    start = event.decoded("dtstart")
    # 12:00 UTC in July is 1pm in London (BST), written as local time with its zone.
    assert (start.hour, start.tzinfo.key if hasattr(start.tzinfo, "key") else str(start.tzinfo)) == (
        13,
        "Europe/London",
    )
    assert "DTSTART;TZID=Europe/London:20270702T130000" in meetup_ics(meetup, LONDON, now=NOW)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    assert str(event["location"]) == "102 Petty France, London"
    assert str(event["summary"]) == "Open source meetup"
    assert "photo ID" in str(event["description"])
    assert str(event["status"]) == "CONFIRMED"
    # The same meetup, asked again later: the same UID, so calendars update it.
    _, again = event_of(meetup_ics(meetup, LONDON, now=datetime(2027, 3, 1, tzinfo=UTC)))
    assert again["uid"] == event["uid"]
    _, other = event_of(meetup_ics(a_meetup(id=8), LONDON, now=NOW))
    assert other["uid"] != event["uid"]


def test_a_change_raises_the_sequence_and_a_cancellation_says_so():
    meetup = a_meetup()
    _, before = event_of(meetup_ics(meetup, LONDON, now=NOW))
    bump_calendar_sequence(meetup)
    meetup.status = MEETUP_CANCELLED
    _, after = event_of(meetup_ics(meetup, LONDON, now=NOW))
    assert (before["sequence"], after["sequence"]) == (0, 1)
    assert str(after["status"]) == "CANCELLED"


def test_winter_times_are_gmt_and_the_timezone_block_stays_small():
    meetup = a_meetup(
        starts_at=datetime(2027, 2, 26, 13, 0, tzinfo=UTC), ends_at=datetime(2027, 2, 26, 17, 0, tzinfo=UTC)
    )
    ics = meetup_ics(meetup, LONDON, now=NOW)
    assert "DTSTART;TZID=Europe/London:20270226T130000" in ics
    assert len(ics) < 3000


def test_a_file_is_reused_only_while_the_meetup_shows_the_same_and_for_an_hour_at_most():
    first = meetup_ics(a_meetup(), LONDON, now=NOW)
    assert meetup_ics(a_meetup(), LONDON, now=NOW + timedelta(minutes=59)) == first

    moved = meetup_ics(a_meetup(venue="10 South Colonnade, London"), LONDON, now=NOW)
    assert "10 South Colonnade" in str(event_of(moved)[1]["location"])
    assert "Petty France" in str(event_of(meetup_ics(a_meetup(), LONDON, now=NOW))[1]["location"])

    later = NOW + timedelta(hours=2)
    assert event_of(meetup_ics(a_meetup(), LONDON, now=later))[1]["dtstamp"].dt == later


def test_a_change_is_sent_as_a_request_and_a_cancellation_as_a_cancel_of_the_same_event():
    meetup = a_meetup()
    first_calendar, first = event_of(calendar_attachment(meetup, LONDON, now=NOW)["content"])
    assert str(first_calendar["method"]) == "PUBLISH"

    bump_calendar_sequence(meetup)
    meetup.starts_at += timedelta(hours=1)
    attachment = calendar_attachment(meetup, LONDON, now=NOW, method=REQUEST)
    calendar, changed = event_of(attachment["content"])
    assert str(calendar["method"]) == "REQUEST"
    assert "update" in attachment["comment"]
    assert (changed["uid"], changed["sequence"], str(changed["status"])) == (first["uid"], 1, "CONFIRMED")
    assert changed.decoded("dtstart").hour == 14

    bump_calendar_sequence(meetup)
    meetup.status = MEETUP_CANCELLED
    calendar, cancelled = event_of(calendar_attachment(meetup, LONDON, now=NOW, method=CANCEL)["content"])
    assert str(calendar["method"]) == "CANCEL"
    assert (cancelled["uid"], cancelled["sequence"], str(cancelled["status"])) == (first["uid"], 2, "CANCELLED")


def test_files_for_the_same_meetup_with_other_methods_are_not_mixed_up():
    meetup = a_meetup()
    assert "METHOD:PUBLISH" in meetup_ics(meetup, LONDON, now=NOW)
    assert "METHOD:REQUEST" in meetup_ics(meetup, LONDON, now=NOW, method=REQUEST)
    assert "METHOD:PUBLISH" in meetup_ics(meetup, LONDON, now=NOW)
