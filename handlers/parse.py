"""Reading values out of Slack payloads, defensively."""

from __future__ import annotations

import json

# One id parser for the whole app lives with the rules (bot/common/ids.py).
from bot.common.ids import MAX_ID, parse_id

__all__ = ["MAX_ID", "parse_id", "view_metadata"]


def view_metadata(view: dict) -> dict:
    """What a modal carries in its private_metadata; {} when it is missing or
    not the JSON object the bot wrote there (a forged payload)."""
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except (TypeError, ValueError):
        return {}
    return metadata if isinstance(metadata, dict) else {}
