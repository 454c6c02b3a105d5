"""Refuse replayed requests.

Bolt checks each request's signature and that its timestamp is under 5
minutes old. Within those 5 minutes someone who captured a request could
send it again; remembering each signature closes that window, across every
instance, because the memory is in the shared database (on SQLite, a
file beside it: storage.seen_requests).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from storage.db import Database
from storage.seen_requests import forget_requests, record_request_directly, seen_requests_database

# Longer than Slack's 5-minute timestamp window, so no replay outlives its record.
KEEP = timedelta(minutes=10)
# Signatures past KEEP are removed at most this often (seconds), not on every
# request: the guard runs before every ack, and one statement is cheaper
# than two (docs/performance.md). A signature kept a minute longer does no harm.
PURGE_EVERY = 60.0


class ReplayGuard:
    def __init__(self, db: Database, *, monotonic: Callable[[], float] = time.monotonic):
        # On SQLite, a file of its own (storage.seen_requests).
        self.db = seen_requests_database(db)
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._next_purge: float | None = None  # None: purge on the first request

    def is_first_delivery(self, signature: str, timestamp: str) -> bool:
        try:
            seen_at = datetime.fromtimestamp(int(timestamp), tz=UTC)
        except (TypeError, ValueError, OverflowError, OSError):
            return False
        with self.db.single_write() as connection:
            first = record_request_directly(connection, self.db.engine.dialect.name, signature, seen_at)
        if self._purge_is_due():
            # Slack refuses to sign for a timestamp this old, so a replay of
            # these fails Bolt's timestamp check anyway.
            with self.db.connection() as connection:
                forget_requests(connection, seen_before=seen_at - KEEP)
        return first

    def _purge_is_due(self) -> bool:
        now = self._monotonic()
        with self._lock:
            if self._next_purge is not None and now < self._next_purge:
                return False
            self._next_purge = now + PURGE_EVERY
            return True
