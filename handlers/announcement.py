"""The announcement card in MEETUP_CHANNEL_ID: posted when a meetup is
created, updated as places fill ("12 places left", "Full: join the
waitlist", "Sign-up closed"), and sent to subscribers."""

from __future__ import annotations

import logging
import threading

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.app import Deps
from bot.meetups import is_taking_signups
from bot.organising import card_state, places_text, record_announcement
from bot.subscriptions import subscriber_ids
from handlers import blocks
from handlers import blocks_organising as ob
from handlers.signup import ON_REGISTRATION_CHANGE, send_dm

log = logging.getLogger(__name__)


class _Coalescer:
    """Runs one refresh at a time per key, and once more if asked again
    meanwhile. A burst of sign-ups then costs a few chat.update calls, not one
    each (chat.update allows about 50 a minute), and the last refresh always
    reads the count after the last change, so the card never stays stale."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set = set()
        self._again: set = set()

    def run(self, key, work) -> None:
        with self._lock:
            if key in self._running:
                self._again.add(key)
                return
            self._running.add(key)
        try:
            while True:
                work()
                with self._lock:
                    if key not in self._again:
                        self._running.discard(key)
                        return
                    self._again.discard(key)
        except BaseException:
            with self._lock:
                self._running.discard(key)
                self._again.discard(key)
            raise


_cards = _Coalescer()


def _card(deps: Deps, meetup, confirmed: int) -> tuple[list[dict], str]:
    now = deps.clock()
    places = places_text(meetup, confirmed, now)
    tz = deps.settings.tz
    return (ob.card_blocks(meetup, places, tz, taking_signups=is_taking_signups(meetup, now)),
            ob.card_text(meetup, places, tz))


def refresh_card(client: WebClient, deps: Deps, meetup_id: int) -> None:
    """Bring the announcement card up to date with the database."""

    def work() -> None:
        meetup, confirmed = card_state(deps.db, meetup_id)
        if meetup is None or not meetup.announcement_ts:
            return
        card, text = _card(deps, meetup, confirmed)
        try:
            client.chat_update(channel=meetup.announcement_channel, ts=meetup.announcement_ts, text=text, blocks=card)
        except SlackApiError as error:
            log.warning("Could not update the card for meetup %s: %s", meetup_id, error.response.get("error"))

    _cards.run((id(deps), meetup_id), work)


def _card_hook(client: WebClient, deps: Deps, meetup_id: int, user_id: str, body: dict) -> None:
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
        posted = client.chat_postMessage(channel=deps.settings.channel_id, text=text, blocks=card)
    except SlackApiError as error:
        log.error("Could not announce meetup %s: %s", meetup_id, error.response.get("error"))
        return None, False
    record_announcement(deps.db, meetup_id, channel=posted["channel"], ts=posted["ts"])
    return posted["channel"], True


def tell_subscribers(client: WebClient, deps: Deps, meetup_id: int) -> None:
    meetup, confirmed = card_state(deps.db, meetup_id)
    card, text = _card(deps, meetup, confirmed)
    card = card + [blocks.context("You get this because you subscribed to new meetups. "
                                  "To stop, use `/meetup unsubscribe`.")]
    # send_dm logs and carries on, so one person we cannot reach never stops the rest.
    for user_id in subscriber_ids(deps.db):
        send_dm(client, user_id, card, fallback="New meetup: " + text)


# A change to who holds a place moves the card's count.
ON_REGISTRATION_CHANGE.append(_card_hook)
