"""Which UK public-sector organisation an email address belongs to.

The table is `bot/domains/data/domains.json`, a processed copy of public lists of
public-sector email domains (see `bot/domains/data/ATTRIBUTION.md`; rebuild it with
`python -m bot.domains.build PATH...`). Stdlib only, so the eligibility rules
can use it without pulling in anything else.

A newer copy loaded with `meetup-bot domains import` takes the shipped one's
place: the app builds a `DomainTable` over it (see bot/domains/imports.py)
and hands that to whatever looks addresses up. The module-level functions
use the shipped table only.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SECTORS = (
    "central_government",
    "arms_length_body",
    "devolved",
    "nhs",
    "police",
    "local_authority",
    "armed_forces",
    "public_sector",
)

DATA_FILE = Path(__file__).parent / "data" / "domains.json"

# One or more dot-separated labels of letters, digits and hyphens (IDNs arrive
# as xn-- punycode). Anything else (spaces, a second "@", empty labels) is not
# an email domain, and refusing it keeps odd input away from the table.
_DOMAIN = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)+")


@dataclass(frozen=True)
class DomainMatch:
    pattern: str  # the entry that matched, e.g. "leeds.gov.uk" or "*.nhs.uk"
    organisation: str | None  # None for a wildcard with no named organisation
    sector: str  # one of SECTORS


def _clean_domain(domain: str) -> str | None:
    # DNS names are case-insensitive and "leeds.gov.uk." (fully qualified) is
    # the same name as "leeds.gov.uk".
    domain = domain.strip().lower().rstrip(".")
    return domain if _DOMAIN.fullmatch(domain) else None


def email_domain(email: str) -> str | None:
    """The lower-cased part after the last "@", or None when malformed."""
    local, at, domain = email.strip().rpartition("@")
    if not at or not local:
        return None
    return _clean_domain(domain)


@functools.cache
def _data() -> dict:
    # Loaded once per process: the file is read-only package data.
    return json.loads(DATA_FILE.read_text(encoding="utf-8"))


def shipped() -> dict:
    """The table shipped in the package: {"source", "built", "domains"}."""
    return _data()


def _match(pattern: str, entry: dict) -> DomainMatch:
    return DomainMatch(pattern=pattern, organisation=entry.get("organisation"), sector=entry["sector"])


def lookup(email_or_domain: str, table: dict | None = None) -> DomainMatch | None:
    """The most specific entry for an email address or a bare domain.

    Order: the exact domain; then its parents as exact entries
    (`a.b.leeds.gov.uk` → `b.leeds.gov.uk` → `leeds.gov.uk`), because a
    subdomain belongs to the organisation that owns its parent; only then
    wildcards, longest first (`*.mod.gov.uk` before `*.gov.uk`), because a
    wildcard only says which namespace the address is in. A wildcard `*.X`
    matches proper subdomains of X, never X itself.

    `table` has the shape of the JSON's "domains" (keys lower-case); tests pass
    a small one. None means the shipped table (`DomainTable.lookup` passes the
    one in use).
    """
    domain = email_domain(email_or_domain) if "@" in email_or_domain else _clean_domain(email_or_domain)
    if domain is None:
        return None
    if table is None:
        table = shipped()["domains"]

    labels = domain.split(".")
    # Whole-label suffixes only, so "evilgov.uk" never looks like "gov.uk"
    # and "gov.uk.evil.com" never looks like anything under gov.uk.
    suffixes = [".".join(labels[i:]) for i in range(len(labels))]
    for suffix in suffixes:
        if suffix in table:
            return _match(suffix, table[suffix])
    for parent in suffixes[1:]:
        pattern = "*." + parent
        if pattern in table:
            return _match(pattern, table[pattern])
    return None


def source_info() -> dict:
    """Where the shipped table came from."""
    return SHIPPED.source_info()


class DomainTable:
    """The table in use: an imported one when `imported` returns one, else
    the shipped one. Built by the app (bot/runtime/app.py) and the CLI, so a
    test's database never leaks into another's lookups.

    `imported` returns a table shaped like domains.json, or None to use the
    shipped one. It must be fast: it is asked on every lookup.
    """

    def __init__(self, imported: Callable[[], dict | None] | None = None) -> None:
        self.imported = imported

    def current(self) -> dict:
        if self.imported is not None:
            data = self.imported()
            if data is not None:
                return data
        return shipped()

    def lookup(self, email_or_domain: str) -> DomainMatch | None:
        return lookup(email_or_domain, self.current()["domains"])

    def source_info(self) -> dict:
        """Where the table in use came from, for `meetup-bot domains info` and the like."""
        data = self.current()
        return {"source": data["source"], "built": data["built"], "count": len(data["domains"])}


# The shipped table alone: for callers not given the app's.
SHIPPED = DomainTable()
