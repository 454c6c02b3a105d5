"""GOV.UK style for dates, times and user text.

"Friday 24 February 2027", "1pm to 5pm", "midday", "10:30am".
"""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo


def escape(text: str | None) -> str:
    """Make text a person typed safe to post in Slack mrkdwn.

    Slack reads `<!channel>`, `<@U123>` and `<https://x|y>` as control
    sequences; escaping &, < and > (in that order) shows them as plain text.
    """
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# Bold and code spans, and links written <url|words>: what a notification
# would otherwise show as typed. As Slack reads them, a span's markers touch
# its words and not the words outside it, so "5 * 3 and 2 * 4" is no span.
_BOLD = re.compile(r"(?<![\w*])\*(?=[^*\s])([^*\n]*?[^*\s])\*(?![\w*])")
_CODE = re.compile(r"(?<![\w`])`(?=[^`\s])([^`\n]*?[^`\s])`(?![\w`])")
_LINK = re.compile(r"<(?:https?|mailto):[^|>]*\|([^>]*)>")


def notification_text(mrkdwn: str) -> str:
    """The `text` to send beside a message's blocks, from their mrkdwn.
    Phones show it in the notification and screen readers read it, and
    neither renders mrkdwn, so the asterisks of bold, the backticks of code
    and a link's address go. Mentions stay: Slack names the person."""
    return _LINK.sub(r"\1", _CODE.sub(r"\1", _BOLD.sub(r"\1", mrkdwn)))


def format_date(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B %Y}"


def format_time(moment: datetime, tz: ZoneInfo) -> str:
    return format_clock(moment.astimezone(tz).time())


def format_clock(local: time) -> str:
    """A time of day in GOV.UK style: "1:30pm", "1pm", "midday"."""
    if local.hour == 12 and local.minute == 0:
        return "midday"
    if local.hour == 0 and local.minute == 0:
        return "midnight"
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    if local.minute:
        return f"{hour}:{local.minute:02d}{suffix}"
    return f"{hour}{suffix}"


def format_when(starts: datetime, ends: datetime, tz: ZoneInfo) -> str:
    """ "Friday 24 February 2027, 1pm to 5pm"; both dates when it spans days."""
    start_date, end_date = format_date(starts, tz), format_date(ends, tz)
    if start_date == end_date:
        return f"{start_date}, {format_time(starts, tz)} to {format_time(ends, tz)}"
    return f"{start_date}, {format_time(starts, tz)} to {end_date}, {format_time(ends, tz)}"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural_form or singular + 's')}"


# What people type for a time of day: "1:30pm", "13:30", "1pm", "midday".
_TIME = re.compile(r"(?:(midday|noon|midnight)|(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?)", re.IGNORECASE)
_RANGE = re.compile(r"^(.+?)\s*(?:\bto\b|-|–|—)\s*(.+)$", re.IGNORECASE)


def parse_time(text: str) -> time | None:
    """A time of day as typed, like "1:30pm", "13:30" or "midday"; None if it is not one."""
    match = _TIME.fullmatch(text.strip())
    if not match:
        return None
    word, hour, minute, half = match.groups()
    if word:
        return time(0) if word.lower() == "midnight" else time(12)
    hour, minute = int(hour), int(minute or 0)
    if minute > 59:
        return None
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "pm" else 0)
    elif hour > 23:
        return None
    return time(hour, minute)


def parse_time_range(text: str) -> tuple[time | None, time | None]:
    """A start and end as typed, like "2pm to 2:45pm" or "14:00-14:45"; (None, None) if it is not one."""
    match = _RANGE.match(text.strip())
    if not match:
        return None, None
    return parse_time(match.group(1)), parse_time(match.group(2))
