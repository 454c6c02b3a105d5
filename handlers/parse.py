"""Reading values out of Slack payloads, defensively."""

from __future__ import annotations

MAX_ID = 2**31 - 1  # the largest id either database stores


def parse_id(value) -> int | None:
    """A meetup or registration id from a button value or command argument."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
