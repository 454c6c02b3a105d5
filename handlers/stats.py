"""`/meetup stats`: participation across the series, for organisers."""

from __future__ import annotations

from slack_bolt import App

from bot.introductions.introductions import introduction_counts
from bot.meetups.stats import series_stats
from handlers.blocks.common import section
from handlers.blocks.stats import stats_blocks
from handlers.deps import CommandRequest, Deps


def stats_command(request: CommandRequest) -> None:
    deps = request.deps
    stats = series_stats(deps.db, deps.clock())
    blocks = stats_blocks(stats, deps.settings.tz)
    made, crossed = introduction_counts(deps.db)
    if made:
        blocks.append(section(f"*Introductions:* {made} made, {crossed} between people from different organisations."))
    request.ack(text="Participation across the meetup series", blocks=blocks)


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add(
        "stats",
        "see participation across the series: organisations, sign-ups, repeat attendees",
        stats_command,
        organiser_only=True,
    )
