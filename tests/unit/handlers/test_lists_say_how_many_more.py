"""A list too long for one message shows what fits and says how many more:
it is never cut without a word."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.meetups.stats import OrganisationStats, SeriesStats
from handlers.blocks.stats import SHOWN_ORGANISATIONS, stats_blocks
from tests.support.blocks import block_texts

LONDON = ZoneInfo("Europe/London")


def test_stats_count_the_organisations_beyond_the_first_hundred():
    organisations = [
        OrganisationStats(name=f"Organisation {n:03d}", signups=200 - n, attended=0, meetups=1)
        for n in range(SHOWN_ORGANISATIONS + 7)
    ]
    stats = SeriesStats(
        meetups_held=1,
        meetups_upcoming=0,
        signups=sum(o.signups for o in organisations),
        people=len(organisations),
        attended=0,
        organisations=organisations,
        meetups=[],
        repeat_attendees=0,
    )
    text = block_texts(stats_blocks(stats, LONDON))
    assert "Organisation 099" in text and "Organisation 100" not in text
    assert "and 7 more organisations, with fewer sign-ups" in text
