"""The announcement card in MEETUP_CHANNEL_ID: posted when a meetup is
created, updated as places fill ("12 places left", "Full: join the
waitlist", "Sign-up closed"), and sent to subscribers."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.runtime.app import Deps
from bot.meetups.meetups import is_taking_signups
from bot.meetups.organising import card_state, places_text, record_announcement
from bot.meetups.subscriptions import subscriber_ids
from handlers import blocks
from handlers import blocks_organising as ob
from handlers.signup import ON_REGISTRATION_CHANGE, send_dm

log = logging.getLogger(__name__)


class _Throttle:
    """Runs a refresh at most once every CARD_REFRESH_SECONDS per key, and
    always once more after the last request, so the card never stays stale.

    Slack allows chat.update about 50 times a minute, and a rush of sign-ups
    would ask for hundreds: the first change of a quiet spell shows at once,
    the rest are folded into one refresh a second later, which reads the count
    after all of them. Refreshes for one key never overlap, so an older count
    never overwrites a newer one.
    """

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._lock = threading.Lock()
        self._last: dict = {}  # key -> time.monotonic() when its last refresh started
        self._running: set = set()
        self._scheduled: set = set()

    def run(self, key, work) -> None:
        with self._lock:
            if key in self._scheduled:
                return  # the refresh still to come will read this change too
            wait = self._last.get(key, float("-inf")) + self.interval - time.monotonic()
            if key in self._running or wait > 0:
                self._schedule(key, work, max(wait, 0.05))
                return
            self._start(key)
        self._work(key, work)

    def _schedule(self, key, work, delay: float) -> None:
        self._scheduled.add(key)
        timer = threading.Timer(delay, self._run_scheduled, (key, work))
        timer.daemon = True
        timer.start()

    def _run_scheduled(self, key, work) -> None:
        with self._lock:
            self._scheduled.discard(key)
            if key in self._running:
                self._schedule(key, work, self.interval)
                return
            self._start(key)
        try:
            self._work(key, work)
        except Exception:
            log.exception("Could not refresh the announcement card")

    def _start(self, key) -> None:
        self._running.add(key)
        self._last[key] = time.monotonic()

    def _work(self, key, work) -> None:
        try:
            work()
        finally:
            with self._lock:
                self._running.discard(key)


# Seconds between two refreshes of one card.
CARD_REFRESH_SECONDS = 1.0
_cards = _Throttle(CARD_REFRESH_SECONDS)


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
