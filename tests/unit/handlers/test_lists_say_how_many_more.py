"""A list too long for one message shows what fits and says how many more:
it is never cut without a word."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.common.slack_limits import MESSAGE_TEXT_BUDGET, problems_in_message
from bot.meetups.stats import MeetupStats, OrganisationStats, SeriesStats
from handlers.blocks.stats import stats_blocks
from storage.models import Meetup
from tests.support.blocks import block_texts

LONDON = ZoneInfo("Europe/London")


def _series(organisations, meetups=()):
    return SeriesStats(
        meetups_held=max(len(meetups), 1),
        meetups_upcoming=0,
        signups=sum(o.signups for o in organisations),
        people=len(organisations),
        attended=0,
        organisations=organisations,
        meetups=list(meetups),
        repeat_attendees=0,
    )


def test_stats_count_the_organisations_that_do_not_fit():
    organisations = [
        OrganisationStats(name=f"Organisation {n:03d} " + "x" * 150, signups=200 - n, attended=0, meetups=1)
        for n in range(107)
    ]
    blocks = stats_blocks(_series(organisations), LONDON)
    text = block_texts(blocks)
    shown = sum(1 for o in organisations if o.name in text)
    assert 0 < shown < 107 and organisations[0].name in text
    assert f"and {107 - shown} more organisations, with fewer sign-ups" in text
    assert len(text) < MESSAGE_TEXT_BUDGET and problems_in_message({"blocks": blocks}) == []


def test_stats_count_the_meetups_that_do_not_fit_the_earliest_first():
    meetups = [
        MeetupStats(
            Meetup(id=n, title=f"Meetup {n:02d} " + "y" * 180, starts_at=datetime(2027, 1, 1, tzinfo=UTC)),
            signups=10,
            places_taken=5,
            organisations=2,
            held=True,
        )
        for n in range(60)
    ]
    text = block_texts(stats_blocks(_series([], meetups), LONDON))
    assert "Meetup 59 " in text and "Meetup 00 " not in text  # the latest first
    shown = sum(1 for n in range(60) if f"Meetup {n:02d} " in text)
    assert f"and {60 - shown} earlier meetups" in text
    assert len(text) < MESSAGE_TEXT_BUDGET
