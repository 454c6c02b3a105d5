"""The announcement card in MEETUP_CHANNEL_ID: posted when a meetup is
created, updated as places fill ("12 places left", "Full: join the
waitlist", "Sign-up closed"), and sent to subscribers."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.common.outbox import cancel_queued, enqueue_dm
from bot.meetups.meetups import is_taking_signups
from bot.meetups.subscriptions import queue_for_subscribers, queue_for_subscribers_now
from bot.organising.closing import cancel_card_updates
from bot.organising.organising import card_state, places_text, record_announcement
from handlers.blocks.announcement import card_blocks, card_text
from handlers.blocks.common import context
from handlers.deps import Deps

log = logging.getLogger(__name__)


# Seconds between two refreshes of one card (deps.card_throttle).
CARD_REFRESH_SECONDS = 1.0


def card_message(meetup, confirmed: int, now: datetime, *, tz: ZoneInfo) -> tuple[list[dict], str]:
    """The card as it should be at `now`: (blocks, fallback text). The worker
    draws it with this too (bot.organising.closing.CardRenderer)."""
    places = places_text(meetup, confirmed, now)
    return (
        card_blocks(meetup, places, tz, taking_signups=is_taking_signups(meetup, now)),
        card_text(meetup, places, tz),
    )


def _card(deps: Deps, meetup, confirmed: int) -> tuple[list[dict], str]:
    return card_message(meetup, confirmed, deps.clock(), tz=deps.settings.tz)


def refresh_card(client: WebClient, deps: Deps, meetup_id: int) -> None:
    """Bring the announcement card up to date with the database."""

    def work() -> None:
        meetup, confirmed = card_state(deps.db, meetup_id)
        if meetup is None or not meetup.announcement_ts or not meetup.announcement_channel:
            return
        card, text = _card(deps, meetup, confirmed)
        try:
            client.chat_update(channel=meetup.announcement_channel, ts=meetup.announcement_ts, text=text, blocks=card)
        except SlackApiError as error:
            log.warning("Could not update the card for meetup %s: %s", meetup_id, error.response.get("error"))
            return
        cancel_card_updates(deps.db, meetup)

    deps.card_throttle.run(meetup_id, work)


def _card_hook(client: WebClient, deps: Deps, meetup_id: int, user_id: str, body: dict, registration) -> None:
    refresh_card(client, deps, meetup_id)


def announce(client: WebClient, deps: Deps, meetup_id: int) -> tuple[str | None, bool]:
    """Post the card to MEETUP_CHANNEL_ID, or update it when it is there
    already. Returns the channel (None when Slack refused) and whether the
    card is new, so subscribers hear about each meetup once."""
    meetup, confirmed = card_state(deps.db, meetup_id)
    if meetup is None:
        return None, False
    if meetup.announcement_ts:
        refresh_card(client, deps, meetup_id)
        return meetup.announcement_channel, False
    card, text = _card(deps, meetup, confirmed)
    try:
        # Posted directly, not through the outbox: the card is posted once,
        # its ts is stored on the meetup at once, and every later change
        # updates it in place; the organiser who created the meetup is told
        # when it could not be posted.
        posted = client.chat_postMessage(channel=deps.settings.channel_id, text=text, blocks=card)
    except SlackApiError as error:
        log.error("Could not announce meetup %s: %s", meetup_id, error.response.get("error"))
        return None, False
    record_announcement(deps.db, meetup_id, channel=posted["channel"], ts=posted["ts"])
    return posted["channel"], True


def _subscriber_card(deps: Deps, meetup, confirmed: int) -> Callable[[object, str], int]:
    """Queues the card for one subscriber. The key is the meetup and the
    person, so each subscriber hears about each meetup once, however often
    it is announced."""
    card, text = _card(deps, meetup, confirmed)
    card = card + [context("You get this because you subscribed to new meetups. To stop, use `/meetup unsubscribe`.")]
    now = deps.clock()

    def queue(session, user_id: str) -> int:
        return enqueue_dm(
            session,
            user_id,
            card,
            "New meetup: " + text,
            key=f"{_card_key_prefix(meetup.id)}{user_id}",
            kind="new_meetup",
            meetup_id=meetup.id,
            now=now,
        )

    return queue


def _card_key_prefix(meetup_id: int) -> str:
    return f"new-meetup:{meetup_id}:"


def cancel_subscriber_cards(session, meetup_id: int) -> int:
    """In the transaction that cancels the meetup: the cards not yet sent
    would offer a meetup that is no longer happening."""
    return cancel_queued(session, key_prefix=_card_key_prefix(meetup_id), note="the meetup was cancelled")


def queue_subscriber_cards(session, deps: Deps, meetup) -> list[int]:
    """Queue the card for every subscriber in the transaction that creates the
    meetup: they are stored if and only if it is. Deliver them after the ack."""
    return queue_for_subscribers(session, _subscriber_card(deps, meetup, 0))


def tell_subscribers(deps: Deps, meetup_id: int) -> None:
    """Queue and send the card to subscribers who have not had it yet: for a
    meetup whose card is posted only later (`/meetup announce`)."""
    meetup, confirmed = card_state(deps.db, meetup_id)
    if meetup is None:
        return
    deps.outbox.deliver_soon(queue_for_subscribers_now(deps.db, _subscriber_card(deps, meetup, confirmed)))


def register(app: App, deps: Deps) -> None:
    # A change to who holds a place moves the card's count.
    deps.registration_hooks.add(_card_hook)
