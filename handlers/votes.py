"""Votes: reaction_added and reaction_removed events on topic cards."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from slack_bolt import App, BoltContext

from bot.topics.votes import ReactionEvent, record_reaction
from handlers.deps import Deps

log = logging.getLogger(__name__)


def reaction_event(body: dict, now: datetime) -> ReactionEvent | None:
    """The parts of an Events API reaction event that matter, or None for a
    reaction on something other than a message (a file, say)."""
    event = body.get("event") or {}
    item = event.get("item") or {}
    if item.get("type") != "message" or not item.get("channel") or not item.get("ts"):
        return None
    try:
        happened_at = datetime.fromtimestamp(float(event.get("event_ts") or body.get("event_time") or ""), UTC)
    except (TypeError, ValueError):
        happened_at = now
    # event_id is always there from Slack; without it, the event's own
    # details identify it just as well for retries.
    event_id = (
        body.get("event_id")
        or ":".join(str(event.get(k, "")) for k in ("type", "user", "reaction", "event_ts"))
        + f":{item['channel']}:{item['ts']}"
    )
    return ReactionEvent(
        event_id=str(event_id)[:100],
        added=event.get("type") == "reaction_added",
        user_id=event.get("user") or "",
        reaction=event.get("reaction") or "",
        channel=item["channel"],
        ts=str(item["ts"]),
        happened_at=happened_at,
    )


def register(app: App, deps: Deps) -> None:
    def record_vote(body: dict, context: BoltContext, next: Callable[[], None]) -> None:  # noqa: A002 (Bolt's name)
        """Listener middleware, so it runs before Bolt acknowledges the event
        (Bolt acks events first and runs listeners afterwards). Slack hears
        200 only once the vote is committed; if the database fails, Bolt
        answers 500 and Slack delivers the event again, which the event_id
        check makes safe. It is one short transaction, well inside 3 seconds."""
        event = reaction_event(body, deps.clock())
        if event is not None:
            outcome = record_reaction(
                deps.db, event, bot_user_id=context.bot_user_id, vote_emoji=deps.settings.vote_emoji, now=deps.clock()
            )
            log.debug("Reaction event %s: %s", event.event_id, outcome)
        next()

    @app.event("reaction_added", middleware=[record_vote])
    @app.event("reaction_removed", middleware=[record_vote])
    def vote_recorded() -> None:
        """Nothing left to do: record_vote has stored the vote."""
