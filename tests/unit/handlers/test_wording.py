"""Counts in messages read right for none, one and many (GOV.UK style), and
forms name the UK's time zone as people say it."""

from zoneinfo import ZoneInfo

import pytest

from handlers.blocks.common import checked_in_counts
from handlers.blocks.organising import meetup_modal, time_zone_name
from handlers.blocks.topics import votes_words


@pytest.mark.parametrize(
    "came, places, words",
    [
        (0, 0, "Nobody has a place yet."),
        (0, 1, "1 person has a place and has not checked in yet."),
        (1, 1, "1 person has a place and has checked in."),
        (0, 40, "40 people have a place. None have checked in yet."),
        (1, 40, "1 of 40 people with a place has checked in."),
        (3, 40, "3 of 40 people with a place have checked in."),
        (40, 40, "All 40 people with a place have checked in."),
    ],
)
def test_how_many_have_checked_in(came, places, words):
    assert checked_in_counts(came, places) == words


@pytest.mark.parametrize(
    "votes, with_a_place, words",
    [
        (0, 0, "No votes yet"),
        (1, 0, "1 vote (not from anyone with a place)"),
        (2, 0, "2 votes (none from people with a place)"),
        (1, 1, "1 vote, from someone with a place"),
        (2, 1, "2 votes, 1 from someone with a place"),
        (5, 2, "5 votes, 2 from people with a place"),
        (3, 3, "3 votes, all from people with a place"),
    ],
)
def test_a_topics_votes(votes, with_a_place, words):
    assert votes_words(votes, with_a_place) == words


@pytest.mark.parametrize(
    "zone, name", [("Europe/London", "UK"), ("GB", "UK"), ("Europe/Dublin", "Europe/Dublin"), ("UTC", "UTC")]
)
def test_the_time_zone_is_named_as_people_say_it(zone, name):
    assert time_zone_name(ZoneInfo(zone)) == name


def test_the_meetup_forms_times_are_in_uk_time():
    hints = [
        block["hint"]["text"]
        for block in meetup_modal_blocks(ZoneInfo("Europe/London"))
        if block.get("block_id") in ("start_time", "end_time")
    ]
    assert hints == ["UK time", "UK time"]
    assert "Europe/London" not in str(meetup_modal_blocks(ZoneInfo("Europe/London")))


def meetup_modal_blocks(tz: ZoneInfo) -> list[dict]:
    return meetup_modal(tz=tz)["blocks"]
