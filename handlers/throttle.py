"""Throttling a refresh per key: built once per app (bot/runtime/app.py) and
used for the announcement card (handlers/announcement.py)."""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)


class Throttle:
    """Runs a refresh at most once every `interval` seconds per key, and
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
