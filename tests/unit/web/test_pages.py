"""What the public pages show, without a server: places as a band, a talk's
time, the organisers' contact, and the settings that shape the pages."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.settings import SettingsError, load_settings
from bot.web.pages import (
    CANCELLED,
    CLOSED,
    FEW_PLACES,
    FULL,
    PLACES_AVAILABLE,
    Contact,
    Site,
    contact,
    meetup_view,
    place_band,
)
from storage.models import MEETUP_CANCELLED, MEETUP_OPEN, Meetup
from tests.support.factories import LONDON

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


def meetup(capacity: int = 50, status: str = MEETUP_OPEN, closes: datetime | None = None, **fields) -> Meetup:
    starts = NOW + timedelta(days=30)
    return Meetup(
        id=fields.pop("id", 1),
        title="Meetup",
        venue="Somewhere",
        starts_at=starts,
        ends_at=starts + timedelta(hours=4),
        capacity=capacity,
        status=status,
        signup_closes_at=closes,
        **{"updated_at": NOW, **fields},
    )


@pytest.mark.parametrize(
    ("capacity", "taken", "band"),
    [
        (50, 0, PLACES_AVAILABLE),
        (50, 44, PLACES_AVAILABLE),
        (50, 45, FEW_PLACES),  # a tenth left
        (50, 49, FEW_PLACES),
        (50, 50, FULL),
        (50, 53, FULL),  # an organiser let more in
        (10, 6, PLACES_AVAILABLE),
        (10, 7, FEW_PLACES),  # never fewer than 3 counts as few
        (1, 0, FEW_PLACES),
    ],
)
def test_places_are_a_band(capacity, taken, band):
    assert place_band(meetup(capacity), taken, NOW) == band


def test_a_cancelled_or_closed_meetup_says_so_whatever_its_places():
    assert place_band(meetup(status=MEETUP_CANCELLED), 0, NOW) == CANCELLED
    assert place_band(meetup(closes=NOW - timedelta(minutes=1)), 0, NOW) == CLOSED
    assert place_band(meetup(closes=NOW + timedelta(minutes=1)), 50, NOW) == FULL
    assert place_band(meetup(), 0, NOW + timedelta(days=31)) == CLOSED


@pytest.mark.parametrize(
    ("talk", "shown"),
    [
        ({"title": "T", "speaker": "S", "organisation": "O"}, None),
        ({"title": "T", "speaker": "S", "organisation": "O", "start": "13:30"}, "1:30pm"),
        ({"title": "T", "speaker": "S", "organisation": "O", "start": "12:00", "end": "12:30"}, "midday to 12:30pm"),
    ],
)
def test_a_talk_shows_its_time_only_when_the_agenda_has_one(talk, shown):
    one = meetup(agenda=json.dumps([talk]), audience="government", extra_sectors="")
    site = Site(now=NOW, meetups=[one], confirmed={1: 0})
    [shown_talk] = meetup_view(site, one, LONDON).talks
    assert shown_talk.time == shown


def test_the_contact_is_a_link_for_an_email_or_web_address_and_words_otherwise():
    assert contact("team@digital.gov.uk") == Contact("team@digital.gov.uk", "mailto:team@digital.gov.uk")
    assert contact("https://example.gov.uk/contact") == Contact(
        "https://example.gov.uk/contact", "https://example.gov.uk/contact"
    )
    assert contact("the meetup organisers") == Contact("the meetup organisers", None)


def test_the_version_changes_with_what_a_page_shows():
    one = meetup()
    site = Site([one], {}, NOW)
    same = Site([meetup()], {}, NOW).version("/")
    assert site.version("/") == same
    assert Site([one], {1: 46}, NOW).version("/") != same  # the band changed
    assert Site([meetup(status=MEETUP_CANCELLED)], {}, NOW).version("/") != same
    assert Site([meetup(updated_at=NOW + timedelta(seconds=1))], {}, NOW).version("/") != same
    assert site.version("/meetups/1") != same


def test_the_pages_settings_are_checked():
    base = {"DATABASE_URL": "sqlite:///x.db"}
    settings = load_settings(base, need_slack=False)
    assert (settings.public_pages, settings.slack_join_url) == (True, None)
    settings = load_settings(
        {**base, "PUBLIC_PAGES": "OFF", "SLACK_JOIN_URL": "https://join.example"}, need_slack=False
    )
    assert (settings.public_pages, settings.slack_join_url) == (False, "https://join.example")
    with pytest.raises(SettingsError) as error:
        load_settings({**base, "PUBLIC_PAGES": "maybe", "SLACK_JOIN_URL": "http://x"}, need_slack=False)
    assert [p.split()[0] for p in error.value.problems] == ["SLACK_JOIN_URL", "PUBLIC_PAGES"]
