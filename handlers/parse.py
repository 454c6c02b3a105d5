"""Reading values out of Slack payloads, defensively."""

from __future__ import annotations

# One id parser for the whole app lives with the rules (bot/common/ids.py).
from bot.common.ids import MAX_ID, parse_id

__all__ = ["MAX_ID", "parse_id"]
