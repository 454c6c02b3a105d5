"""`/meetup list`: who has signed up, for organisers."""

from __future__ import annotations

from slack_bolt import App

from bot.common.formatting import escape
from bot.common.ids import parse_id
from bot.common.outbox import failed_deliveries
from bot.common.slack_limits import SECTION_TEXT
from bot.meetups.meetups import get_meetup, upcoming_meetups
from bot.signups.signups import overview
from handlers.blocks.common import context
from handlers.blocks.listing import failed_delivery_blocks, overview_blocks
from handlers.deps import CommandRequest, Deps


def list_command(request: CommandRequest) -> None:
    ack, deps, args = request.ack, request.deps, request.args
    tz = deps.settings.tz
    meetups = upcoming_meetups(deps.db, deps.clock())
    if args:
        wanted = parse_id(args[0])
        if wanted is None:
            ack(text=f"Use `/meetup list` or `/meetup list ID` with a meetup's number, not '{escape(args[0][:30])}'.")
            return
        meetups = [m for m in meetups if m.id == wanted]
        # One that has ended too: who came and who did not, until the purge.
        past = None if meetups else get_meetup(deps.db, wanted)
        if past is not None:
            meetups = [past]
        if not meetups:
            ack(text=f"There is no meetup number {wanted}. Use `/meetup list` to see the upcoming ones.")
            return
    if not meetups:
        ack(text="There are no upcoming meetups. Create one with `/meetup new`.")
        return
    result: list[dict] = []
    shown = meetups[:3]
    for meetup in shown:
        # Slack refuses a message whose blocks hold much over 12,000 characters
        # in all (bot/common/slack_limits.py), so the meetups share that.
        summary = overview_blocks(overview(deps.db, meetup.id), tz, room=SECTION_TEXT // len(shown))
        # Messages that could not be sent come right after the counts, so a
        # long list of names never pushes them out of sight.
        result += summary[:1] + failed_delivery_blocks(failed_deliveries(deps.db, meetup.id)) + summary[1:]
        result.append({"type": "divider"})
    if len(meetups) > 3:
        result.append(context("Showing the next 3 meetups. Use `/meetup list ID` for another one."))
    ack(text=f"Sign-ups for {escape(meetups[0].title)}", blocks=result)


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add(
        "list",
        "see who has signed up, by status and organisation",
        list_command,
        organiser_only=True,
        co_organisers=True,
        usage="[ID]",
    )
