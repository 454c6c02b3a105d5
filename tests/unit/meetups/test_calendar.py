"""The calendar file: read back with the icalendar library, as a calendar would."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

import bot.meetups.calendar
from bot.meetups.calendar import (
    CANCEL,
    PUBLISH,
    REQUEST,
    CalendarUser,
    bump_calendar_sequence,
    calendar_attachment,
    calendar_organiser,
    meetup_ics,
)
from storage.models import MEETUP_CANCELLED, Meetup, Registration

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
TEAM = CalendarUser("Cross-government Open Source meetup organisers", "os-meetups@digital.cabinet-office.gov.uk")
ADA = Registration(id=1, full_name="Lovelace, Ada", email="ada.lovelace@justice.gov.uk")
BOB = Registration(id=2, full_name="Bob Brown", email="bob.brown@hmrc.gov.uk")

# RFC 5546 section 3.2: what each METHOD's VEVENT must have, and must not.
REQUIRED = {
    PUBLISH: {"DTSTAMP", "DTSTART", "ORGANIZER", "SUMMARY", "UID"},
    REQUEST: {"ATTENDEE", "DTSTAMP", "DTSTART", "ORGANIZER", "SUMMARY", "UID"},
    CANCEL: {"ATTENDEE", "DTSTAMP", "ORGANIZER", "SEQUENCE", "UID"},
}
FORBIDDEN = {PUBLISH: {"ATTENDEE"}, REQUEST: set(), CANCEL: set()}


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


def attachment(meetup: Meetup, method: str = PUBLISH, *, organiser=TEAM, registration=ADA) -> dict:
    return calendar_attachment(meetup, LONDON, now=NOW, method=method, organiser=organiser, registration=registration)


def method_of(calendar) -> str:
    return str(calendar["method"])


def assert_valid_itip(ics: str) -> None:
    calendar, event = event_of(ics)
    method = method_of(calendar)
    properties = set(event.keys())
    assert REQUIRED[method] <= properties, f"{method} lacks {REQUIRED[method] - properties}"
    assert not FORBIDDEN[method] & properties, f"{method} must not have {FORBIDDEN[method] & properties}"


def test_a_change_is_sent_as_a_request_and_a_cancellation_as_a_cancel_of_the_same_event():
    meetup = a_meetup()
    first_calendar, first = event_of(attachment(meetup)["content"])
    assert method_of(first_calendar) == "PUBLISH"

    bump_calendar_sequence(meetup)
    meetup.starts_at += timedelta(hours=1)
    changed_file = attachment(meetup, REQUEST)
    calendar, changed = event_of(changed_file["content"])
    assert method_of(calendar) == "REQUEST"
    assert "update" in changed_file["comment"]
    assert (changed["uid"], changed["sequence"], str(changed["status"])) == (first["uid"], 1, "CONFIRMED")
    assert changed.decoded("dtstart").hour == 14

    bump_calendar_sequence(meetup)
    meetup.status = MEETUP_CANCELLED
    cancel_file = attachment(meetup, CANCEL)
    calendar, cancelled = event_of(cancel_file["content"])
    assert method_of(calendar) == "CANCEL"
    assert "remove" in cancel_file["comment"]
    assert (cancelled["uid"], cancelled["sequence"], str(cancelled["status"])) == (first["uid"], 2, "CANCELLED")


@pytest.mark.parametrize("method", [PUBLISH, REQUEST, CANCEL])
def test_with_an_organisers_address_every_file_has_what_rfc_5546_requires_of_its_method(method):
    meetup = a_meetup(status=MEETUP_CANCELLED if method == CANCEL else "open", ics_sequence=3)
    ics = attachment(meetup, method)["content"]
    assert method_of(event_of(ics)[0]) == method
    assert_valid_itip(ics)
    organizer = event_of(ics)[1]["organizer"]
    assert str(organizer) == "mailto:os-meetups@digital.cabinet-office.gov.uk"
    assert organizer.params["CN"] == "Cross-government Open Source meetup organisers"


@pytest.mark.parametrize("method", [REQUEST, CANCEL])
def test_a_request_or_cancel_names_only_the_person_it_is_for_who_need_not_reply(method):
    meetup = a_meetup(status=MEETUP_CANCELLED if method == CANCEL else "open", ics_sequence=1)
    _, for_ada = event_of(attachment(meetup, method, registration=ADA)["content"])
    _, for_bob = event_of(attachment(meetup, method, registration=BOB)["content"])

    ada = for_ada["attendee"]  # one: a list if there were more
    assert not isinstance(ada, list)
    assert str(ada) == "mailto:ada.lovelace@justice.gov.uk"
    # The comma in the name is quoted, not read as a second value.
    assert (ada.params["CN"], ada.params["PARTSTAT"], ada.params["RSVP"]) == ("Lovelace, Ada", "ACCEPTED", "FALSE")
    assert str(for_bob["attendee"]) == "mailto:bob.brown@hmrc.gov.uk"
    assert "bob.brown" not in attachment(meetup, method, registration=ADA)["content"]
    # Otherwise the same event.
    assert (for_ada["uid"], for_ada["sequence"], for_ada["dtstamp"].dt) == (
        for_bob["uid"],
        for_bob["sequence"],
        for_bob["dtstamp"].dt,
    )


def test_the_file_with_a_place_is_the_same_for_everyone_and_names_no_attendee():
    meetup = a_meetup()
    assert attachment(meetup, registration=ADA)["content"] == attachment(meetup, registration=BOB)["content"]
    assert "ATTENDEE" not in attachment(meetup)["content"]


def test_without_an_organisers_address_a_change_and_a_cancellation_are_published_over_the_same_event():
    """No valid REQUEST or CANCEL can be made without an ORGANIZER, so the
    file says PUBLISH: the same UID with a higher SEQUENCE replaces the event."""
    meetup = a_meetup()
    _, first = event_of(attachment(meetup, organiser=None)["content"])

    bump_calendar_sequence(meetup)
    meetup.venue = "10 South Colonnade, London"
    calendar, changed = event_of(attachment(meetup, REQUEST, organiser=None)["content"])
    assert method_of(calendar) == "PUBLISH"
    assert (changed["uid"], changed["sequence"], str(changed["location"])) == (
        first["uid"],
        1,
        "10 South Colonnade, London",
    )

    bump_calendar_sequence(meetup)
    meetup.status = MEETUP_CANCELLED
    cancel_file = attachment(meetup, CANCEL, organiser=None)
    calendar, cancelled = event_of(cancel_file["content"])
    assert method_of(calendar) == "PUBLISH"
    assert (cancelled["uid"], cancelled["sequence"], str(cancelled["status"])) == (first["uid"], 2, "CANCELLED")
    assert cancel_file["comment"] == "To show the meetup as cancelled in your calendar, open this file."
    for ics in (attachment(meetup, REQUEST, organiser=None)["content"], cancel_file["content"]):
        assert "ORGANIZER" not in ics and "ATTENDEE" not in ics


def test_a_change_for_someone_without_a_usable_email_address_is_published():
    meetup = a_meetup(ics_sequence=1)
    nobody = Registration(id=3, full_name="Cat Jones", email="")
    calendar, event = event_of(attachment(meetup, REQUEST, registration=nobody)["content"])
    assert method_of(calendar) == "PUBLISH"
    assert "attendee" not in event
    assert_valid_itip(attachment(meetup, REQUEST, registration=nobody)["content"])


@pytest.mark.parametrize(
    "contact, email",
    [
        ("os-meetups@digital.cabinet-office.gov.uk", "os-meetups@digital.cabinet-office.gov.uk"),
        (" mailto:os-meetups@digital.cabinet-office.gov.uk ", "os-meetups@digital.cabinet-office.gov.uk"),
        ("the meetup organisers", None),
        ("https://www.example.gov.uk/contact", None),
        ("ask us at os-meetups@digital.cabinet-office.gov.uk", None),
    ],
)
def test_the_organiser_is_organiser_contact_when_it_is_an_email_address(contact, email):
    organiser = calendar_organiser("The organisers", contact)
    assert (organiser.email if organiser else None) == email


def test_files_for_the_same_meetup_with_other_methods_are_not_mixed_up():
    meetup = a_meetup()
    assert "METHOD:PUBLISH" in meetup_ics(meetup, LONDON, now=NOW)
    ada = CalendarUser("Ada Lovelace", "ada.lovelace@justice.gov.uk")
    assert "METHOD:REQUEST" in meetup_ics(meetup, LONDON, now=NOW, method=REQUEST, organiser=TEAM, person=ada)
    assert "METHOD:PUBLISH" in meetup_ics(meetup, LONDON, now=NOW)
