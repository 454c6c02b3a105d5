"""Newer domain lists without a release: `meetup-bot domains import`, `info`, `reset`.

An import is kept in the database, not in a file, because every instance of
the bot reads the same database and none need share a disk. Each instance
asks the database at most every RECHECK_SECONDS whether the list changed
(one indexed single-row read), so a lookup is a dictionary lookup nearly
always and an import reaches every instance within that time.

An import is laid over the shipped list (see domains_build.build's `base`),
so loading only a newer `user_domains.json` keeps what the older lists say
about everything else. It is used only while the shipped list is not newer
than the one it was laid over: after an upgrade that ships a newer list, the
shipped list wins until someone imports again.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError

from bot.common.formatting import format_date, format_time
from bot.domains import lookup as domains
from storage import domain_lists as store
from storage.db import Database
from storage.models import DomainList

log = logging.getLogger(__name__)


class ImportedDomainList:
    """The imported table, cached; the `imported` source of a `domains.DomainTable`."""

    RECHECK_SECONDS = 30

    def __init__(self, db: Database, *, monotonic: Callable[[], float] = time.monotonic):
        self.db = db
        self.monotonic = monotonic
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._version: str | None = None
        self._data: dict | None = None

    def __call__(self) -> dict | None:
        with self._lock:
            now = self.monotonic()
            if now - self._checked_at < self.RECHECK_SECONDS:
                return self._data
            self._checked_at = now
            try:
                with self.db.read() as session:
                    version = store.get_domain_list_version(session)
                    if version != self._version:
                        row = store.get_domain_list(session) if version else None
                        self._data = _usable(row)
                        self._version = version
            except SQLAlchemyError as error:
                # Keep deciding with the last list known rather than fail a sign-up.
                log.warning("Could not read the imported domain list: %s", type(error).__name__)
            return self._data


def _usable(row: DomainList | None) -> dict | None:
    if row is None:
        return None
    shipped = domains.shipped()
    if row.based_on < shipped["built"]:
        log.warning(
            "The imported domain list (built %s) is older than the one shipped with this version "
            "(built %s), so the shipped one is used. Import a newer copy, or run "
            "`meetup-bot domains reset`.",
            row.built,
            shipped["built"],
        )
        return None
    return {
        "source": row.source,
        "built": row.built,
        "domains": json.loads(row.domains),
        "imported_at": row.imported_at,
        "based_on": row.based_on,
    }


def table_from(db: Database) -> domains.DomainTable:
    """Lookups that consult the list imported into `db` before the shipped one."""
    return domains.DomainTable(ImportedDomainList(db))


def import_lists(db: Database, paths: list[Path], *, now: datetime) -> dict:
    """Build a table from the files over the shipped one and make it the one in use.

    Raises ValueError when none of the files is a domain list.
    """
    from bot.domains.build import build

    shipped = domains.shipped()
    table = build(paths, built=now.date(), base=shipped)
    with db.transaction() as session:
        store.replace_domain_list(
            session,
            DomainList(
                version=uuid.uuid4().hex,
                source=table["source"],
                built=table["built"],
                based_on=shipped["built"],
                domain_count=len(table["domains"]),
                domains=json.dumps(table["domains"], ensure_ascii=False, separators=(",", ":")),
                imported_at=now,
            ),
        )
    return table


def reset(db: Database) -> bool:
    """Go back to the shipped list. True if there was an import to remove."""
    with db.transaction() as session:
        return store.delete_domain_lists(session) > 0


def describe(db: Database, tz: ZoneInfo) -> list[str]:
    """Lines for `meetup-bot domains info`: the list in use, and the other one."""
    shipped = domains.shipped()
    shipped_line = f"built {_day(shipped['built'])}, {len(shipped['domains']):,} domains"
    with db.read() as session:
        row = store.get_domain_list(session)
    if row is not None:
        when = f"{format_date(row.imported_at, tz)} at {format_time(row.imported_at, tz)}"
    if row is not None and _usable(row) is not None:
        return [
            f"In use: imported {when}, {row.domain_count:,} domains",
            f"Source: {row.source}",
            f"Shipped with this version: {shipped_line}. To use it again: meetup-bot domains reset",
        ]
    lines = [f"In use: the list shipped with this version, {shipped_line}", f"Source: {shipped['source']}"]
    if row is not None:
        lines.append(
            f"Not used: the list imported {when}, laid over an older shipped list (built "
            f"{_day(row.based_on)}). Import a newer copy, or remove it with meetup-bot domains reset"
        )
    else:
        lines.append("To use a newer copy: meetup-bot domains import PATH...")
    return lines


def sector_counts(table: dict) -> Counter:
    return Counter(entry["sector"] for entry in table["domains"].values())


def _day(iso_date: str) -> str:
    """'2026-11-26' as '26 November 2026'."""
    day = date.fromisoformat(iso_date)
    return f"{day.day} {day:%B %Y}"
