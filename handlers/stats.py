"""`/meetup stats`: participation across the series, for organisers."""

from __future__ import annotations

from slack_bolt import App

from bot.meetups.stats import series_stats
from handlers.blocks.stats import stats_blocks
from handlers.deps import CommandRequest, Deps


def stats_command(request: CommandRequest) -> None:
    deps = request.deps
    stats = series_stats(deps.db, deps.clock())
    request.ack(text="Participation across the meetup series", blocks=stats_blocks(stats, deps.settings.tz))


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add(
        "stats",
        "see participation across the series: organisations, sign-ups, repeat attendees",
        stats_command,
        organiser_only=True,
    )
