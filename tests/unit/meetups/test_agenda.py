"""The timed agenda: reading the talks as typed, their order, and fitting a long one into Slack."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from bot.common.slack_limits import fit_view, problems_in_message, problems_in_view
from bot.meetups.agenda import (
    MAX_PART,
    MAX_TALKS,
    AgendaError,
    GridSession,
    agenda_lines,
    agenda_text,
    agenda_to_json,
    parse_agenda,
    talks_from_json,
    timed_agenda,
)
from handlers.blocks.announcement import card_blocks
from handlers.blocks.signup import signup_modal
from tests.support.factories import LONDON

STARTS = datetime(2027, 2, 26, 13, 0, tzinfo=UTC)


def meetup_with(agenda: str, **fields):
    talks = parse_agenda(agenda)
    values = {
        "id": 1,
        "title": "Meetup",
        "venue": "102 Petty France",
        "host_organisation": "",
        "description": "",
        "audience": "open",
        "sectors": frozenset(),
        "starts_at": STARTS,
        "ends_at": STARTS.replace(hour=17),
        "status": "open",
        "signup_closes_at": None,
        "talks": json_of(talks),
        "online_link": "",
    }
    return SimpleNamespace(**(values | fields))


def json_of(talks):
    text = agenda_to_json(talks)
    return json.loads(text) if text else []


def test_talks_with_a_time_a_time_range_or_none_are_read_and_kept():
    typed = "13:30 | A | Ada | GDS\n2pm to 2:45pm | B | Bob | HMRC\nC | Cat | MoJ"
    talks = parse_agenda(typed)
    assert [(t.start, t.end) for t in talks] == [("13:30", ""), ("14:00", "14:45"), ("", "")]
    assert talks_from_json(json_of(talks)) == talks
    assert agenda_text(talks) == "1:30pm | A | Ada | GDS\n2pm to 2:45pm | B | Bob | HMRC\nC | Cat | MoJ"


def test_old_talks_stored_without_times_still_read():
    [talk] = talks_from_json([{"title": "A", "speaker": "Ada", "organisation": "GDS"}])
    assert (talk.start, talk.end) == ("", "")


@pytest.mark.parametrize(
    "line, message",
    [
        ("half past one | A | Ada | GDS", 'Line 1: enter the time as a time like "1:30pm" or "13:30"'),
        ("25:00 | A | Ada | GDS", 'Line 1: enter the time as a time like "1:30pm" or "13:30"'),
        ("2pm to 1pm | A | Ada | GDS", "Line 1: the end time must be after the start time"),
        ("1pm | A | | GDS", "Line 1 needs a start time, a title, a speaker"),
    ],
)
def test_a_bad_time_says_the_format(line, message):
    with pytest.raises(AgendaError) as error:
        parse_agenda(line)
    assert str(error.value).startswith(message)


def test_the_agenda_is_the_talks_by_time_then_untimed_talks_then_the_sessions():
    meetup = meetup_with("2pm | Late | Bob | HMRC\nNo time | Cat | MoJ\n1:30pm | Early | Ada | GDS")
    grid = [
        GridSession("Second", "Severn", STARTS.replace(hour=15), STARTS.replace(hour=15, minute=45)),
        GridSession("First", "Thames", STARTS.replace(hour=15), STARTS.replace(hour=15, minute=45)),
    ]
    assert agenda_lines(timed_agenda(meetup, LONDON, grid), LONDON) == [
        "1:30pm: Early, Ada (GDS)",
        "2pm: Late, Bob (HMRC)",
        "No time, Cat (MoJ)",
        "3pm to 3:45pm: Second (open-space session, Severn)",
        "3pm to 3:45pm: First (open-space session, Thames)",
    ]


def test_sessions_at_the_same_time_go_biggest_room_first_as_the_grids_post_lists_them():
    at_3, at_4 = STARTS.replace(hour=15), STARTS.replace(hour=16)
    grid = [  # as grid_in gives them: rooms of a size in the order the organiser entered them
        GridSession("Later", "Avon", at_4, at_4.replace(minute=45), 10),
        GridSession("Small", "Avon", at_3, at_3.replace(minute=45), 10),
        GridSession("Big", "Thames", at_3, at_3.replace(minute=45), 40),
        GridSession("Also big", "Severn", at_3, at_3.replace(minute=45), 40),
    ]
    sessions = [item for item in timed_agenda(meetup_with(""), LONDON, grid) if item.is_session]
    assert [(item.title, item.room) for item in sessions] == [
        ("Big", "Thames"),
        ("Also big", "Severn"),
        ("Small", "Avon"),
        ("Later", "Avon"),
    ]


def test_the_longest_agenda_fits_the_card_and_the_sign_up_form_and_says_where_the_rest_is():
    part = "x&" * (MAX_PART // 2)
    meetup = meetup_with("\n".join(f"1:{n:02d}pm | {part} | {part} | {part}" for n in range(MAX_TALKS)))
    card = card_blocks(meetup, "3 places left", LONDON, taking_signups=True)
    assert problems_in_message({"blocks": card}) == []
    assert "more in the calendar file sent with each place" in str(card)
    form = signup_modal(
        meetups=[meetup],
        full_name="Ada",
        email="ada@example.gov.uk",
        organisation="GDS",
        tz=LONDON,
        privacy_url=None,
        purge_after_days=30,
    )
    assert problems_in_view(form) == []


def test_the_sign_up_form_is_shown_whole_with_nothing_shortened_to_fit():
    # Slack's limits would cut the consent checkbox's sentence: people must
    # see all of what they agree to.
    form = signup_modal(
        meetups=[meetup_with("1:30pm | Open source at GCHQ | Sam Smith | GCHQ")],
        full_name="Ada",
        email="ada@example.gov.uk",
        organisation="GDS",
        tz=LONDON,
        privacy_url="https://example.gov.uk/privacy",
        purge_after_days=30,
    )
    assert fit_view(form) == form
