"""Reading ids and whole numbers out of what people type and what Slack sends.

One parser for every id, because the obvious test is wrong twice over:
`"²".isdigit()` is true but `int("²")` raises, and an id past the column's
range makes PostgreSQL refuse the query. Either way the request became a 500.
"""

from __future__ import annotations

import re

# The largest value an INTEGER column holds on both databases (PostgreSQL's
# `integer` is 32-bit; SQLite's is wider). Every id column is one (storage/models.py).
MAX_ID = 2**31 - 1

# ASCII digits only: str.isdigit() and int() also accept other scripts' digits
# and superscripts, which no id is written in. At most 10 digits, so int()
# never sees a huge string.
_DIGITS = re.compile(r"[0-9]{1,10}")


def parse_id(value: object) -> int | None:
    """A meetup, registration or topic id from a command argument or a
    payload value: 1 to MAX_ID, written in ASCII digits. None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def parse_whole_number(text: str | None) -> int | None:
    """A whole number someone typed (a capacity, say), perhaps negative, in
    ASCII digits and within the range an INTEGER column holds. None otherwise,
    so the caller can ask for a whole number."""
    text = (text or "").strip()
    digits = text[1:] if text.startswith("-") else text
    if not _DIGITS.fullmatch(digits):
        return None
    number = int(text)
    return number if -MAX_ID <= number <= MAX_ID else None
