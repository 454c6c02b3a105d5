"""GOV.UK style for dates, times and user text.

"Friday 24 February 2027", "1pm to 5pm", "midday", "10:30am".
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo


def escape(text: str | None) -> str:
    """Make text a person typed safe to post in Slack mrkdwn.

    Slack reads `<!channel>`, `<@U123>` and `<https://x|y>` as control
    sequences; escaping &, < and > (in that order) shows them as plain text.
    """
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def format_date(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B %Y}"


def format_time(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
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
