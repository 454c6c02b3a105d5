"""Refuse replayed requests.

Bolt checks each request's signature and that its timestamp is under 5
minutes old. Within those 5 minutes someone who captured a request could
send it again; remembering each signature closes that window, across every
instance, because the memory is in the shared database.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from storage.db import Database
from storage.seen_requests import record_request

# Longer than Slack's 5-minute timestamp window, so no replay outlives its record.
KEEP = timedelta(minutes=10)


def is_first_delivery(db: Database, signature: str, timestamp: str) -> bool:
    try:
        seen_at = datetime.fromtimestamp(int(timestamp), tz=timezone.utc)
    except (TypeError, ValueError):
        return False
    with db.transaction() as session:
        return record_request(session, signature, seen_at, keep=KEEP)
