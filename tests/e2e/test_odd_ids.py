"""Ids read from what people type and what Slack sends: one parser, and an
odd id gets a sentence saying what was expected, never a 500 (issue 16, item 1)."""

import pytest

from bot.common.ids import MAX_ID, parse_id, parse_whole_number
from bot.topics.grid import GridInputError, parse_rooms
from tests.support.app import ORGANISER
from tests.support.factories import make_meetup
from tests.support.organising import NEW_MEETUP, open_new_meetup_form

# "²".isdigit() and "①".isdigit() are true, but int() refuses both; "٣" is a
# digit int() reads, but not one an id is written in.
ODD = ["²", "①", "٣", "1²", "99999999999999999999", str(MAX_ID + 1), "0", "-1", "1.0", " ", "１"]


@pytest.mark.parametrize("text", ODD)
def test_only_ascii_digits_within_the_id_column_are_ids(text):
    assert parse_id(text) is None


def test_ids_from_text_and_from_payloads():
    assert parse_id("1") == 1
    assert parse_id(" 42 ") == 42
    assert parse_id(str(MAX_ID)) == MAX_ID
    assert parse_id(7) == 7  # private_metadata carries JSON numbers
    assert parse_id(True) is None and parse_id(None) is None and parse_id(2**40) is None
    assert parse_id({"id": 1}) is None and parse_id(1.0) is None


def test_whole_numbers_people_type():
    assert parse_whole_number("60") == 60
    assert parse_whole_number("-5") == -5  # the caller says it must be 1 or more
    for text in ("²", "①", "", "sixty", "99999999999999999999", "1e3", "--1"):
        assert parse_whole_number(text) is None


def test_a_room_capacity_in_odd_digits_is_asked_for_again():
    for text in ("Thames, ²", "Thames, 99999999999999999999"):
        with pytest.raises(GridInputError, match="how many people it holds"):
            parse_rooms(text)


COMMANDS = ["topics", "list", "export", "edit", "schedule", "announce"]


@pytest.mark.parametrize("text", ["²", "①", "99999999999999999999", str(MAX_ID + 1)])
def test_odd_ids_in_commands_get_a_sentence_not_a_500(bot, text):
    make_meetup(bot.db, now=bot.clock())
    for command in COMMANDS:
        reply = bot.slack.command(f"{command} {text}", user_id=ORGANISER)
        assert reply.status == 200, (command, reply.status, reply.body)
        message = reply.message()["text"]
        assert "number" in message and text[:30] in message, (command, message)


def test_a_capacity_in_odd_digits_is_asked_for_again(bot):
    for capacity in ("²", "99999999999999999999"):
        view = open_new_meetup_form(bot)
        reply = bot.slack.submit_view(view, {**NEW_MEETUP, "capacity": capacity}, user_id=ORGANISER)
        assert reply.status == 200, reply.body
        assert reply.json()["errors"]["capacity"] == "Enter the number of places as a whole number, like 60"
