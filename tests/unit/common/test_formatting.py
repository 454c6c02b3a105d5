from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.common.formatting import escape, format_date, format_time, format_when, notification_text

LONDON = ZoneInfo("Europe/London")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def test_dates_and_times_in_govuk_style():
    assert format_date(utc(2027, 2, 24, 13), LONDON) == "Wednesday 24 February 2027"
    assert format_when(utc(2027, 2, 26, 13), utc(2027, 2, 26, 17), LONDON) == "Friday 26 February 2027, 1pm to 5pm"
    assert format_time(utc(2027, 2, 26, 12), LONDON) == "midday"
    assert format_time(utc(2027, 2, 26, 10, 30), LONDON) == "10:30am"


def test_times_are_shown_in_london_time_in_summer():
    # 12:00 UTC is 1pm British Summer Time.
    assert format_time(utc(2027, 6, 4, 12), LONDON) == "1pm"


def test_escape_stops_mentions_and_links():
    assert escape("<!channel> free cake & more") == "&lt;!channel&gt; free cake &amp; more"
    assert escape("<https://evil|click>") == "&lt;https://evil|click&gt;"


def test_a_notification_shows_the_words_not_the_mrkdwn():
    text = (
        "You have a place at *Open source &amp; you*. Use `/meetup cancel` if you cannot come, "
        "or <https://example.gov.uk/privacy|read the privacy notice>. Ask <@U0ORGANISER>."
    )
    assert notification_text(text) == (
        "You have a place at Open source &amp; you. Use /meetup cancel if you cannot come, "
        "or read the privacy notice. Ask <@U0ORGANISER>."
    )
    # Asterisks and backticks that mark no span, as a person might type them, stay.
    for typed in ("5 * 3 people", "5 * 3 and 2 * 4", "a*b*c", "```", "it's `` here"):
        assert notification_text(typed) == typed
    assert notification_text("*Python * Rust* and *C*") == "*Python * Rust* and C"  # as typed, where unclear
