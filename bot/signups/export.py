"""The lists of who has a place, as CSV.

- The venue list, for the building's security desk: only the columns
  VENUE_LIST_COLUMNS names (never dietary or access needs). `/meetup export`,
  `meetup-bot export MEETUP --venue`, and the final list (bot/signups/venue_lists.py).
- The catering and access list, for organisers only: counts of the dietary
  needs and the access needs without names (the sign-up form's consent is
  to the organisers keeping them, not to naming anyone to caterers).
- The full list (`meetup-bot export MEETUP`), for an organiser on the server:
  everything the privacy notice says organisers see.

Each export is recorded (who, when, which meetup, how many people) in the
same transaction that reads the list.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from storage import exports as export_store
from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage.db import Database
from storage.models import CONFIRMED, Export, Meetup, Registration

HEADER = ("Full name", "Email address", "Organisation", "Dietary needs", "Access needs")

# A spreadsheet runs a cell that starts with one of these as a formula
# (OWASP "CSV injection"): "=HYPERLINK(...)" typed as a dietary need must
# arrive as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

VIA_SLACK, VIA_COMMAND_LINE = "slack", "command line"

# The venue list's columns (VENUE_LIST_COLUMNS picks from these; bot/settings.py
# VENUE_LIST_ALLOWED): their headings, and how each is read off a sign-up.
VENUE_COLUMNS: dict[str, tuple[str, Callable[[Registration], str]]] = {
    "full_name": ("Full name", lambda r: r.full_name),
    "organisation": ("Organisation", lambda r: r.organisation),
    "email": ("Email address", lambda r: r.email),
    "government_team": ("Government team", lambda r: r.government_team),
}


def neutralise(cell: str) -> str:
    """Make a cell text to a spreadsheet: a leading apostrophe stops a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def write_csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """CSV as a spreadsheet opens it safely: CRLF rows, no cell a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([neutralise(value or "") for value in row] for row in rows)
    return out.getvalue()


def by_name(registrations: list[Registration]) -> list[Registration]:
    """Sorted by name, as a reception desk reads a list."""
    return sorted(registrations, key=lambda r: (r.full_name.casefold(), r.id))


def build_csv(registrations: list[Registration]) -> str:
    """The full list: a header row, then one row a person."""
    rows = [(r.full_name, r.email, r.organisation, r.dietary_needs, r.access_needs) for r in by_name(registrations)]
    return write_csv(HEADER, rows)


def venue_list_holds(columns: Sequence[str]) -> str:
    """What the venue list holds, in words: "your full name and organisation"."""
    names = [VENUE_COLUMNS[c][0].lower() for c in columns]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"your {listed}"


def venue_header(columns: Sequence[str]) -> list[str]:
    return [VENUE_COLUMNS[c][0] for c in columns]


def venue_row(registration: Registration, columns: Sequence[str]) -> list[str]:
    return [VENUE_COLUMNS[c][1](registration) for c in columns]


def build_venue_csv(registrations: list[Registration], columns: Sequence[str]) -> str:
    """The venue list: only the columns the building needs."""
    return write_csv(venue_header(columns), [venue_row(r, columns) for r in by_name(registrations)])


@dataclass(frozen=True)
class Catering:
    """The catering and access list: counts, and nobody's name."""

    people: int = 0
    dietary: list[tuple[str, int]] = field(default_factory=list)  # each need as written, most common first
    access: list[tuple[str, int]] = field(default_factory=list)


def _counted(answers: list[str]) -> list[tuple[str, int]]:
    # "Vegetarian" and "vegetarian " are one need; the first spelling seen names it.
    spelling: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for answer in answers:
        key = " ".join(answer.split()).casefold()
        if key:
            spelling.setdefault(key, " ".join(answer.split()))
            counts[key] += 1
    return [(spelling[key], n) for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def catering(registrations: list[Registration]) -> Catering:
    """Counts of the dietary and access needs of everyone with a place who
    agreed to our keeping them."""
    consented = [r for r in registrations if r.needs_consent_at is not None]
    return Catering(
        len(registrations),
        _counted([r.dietary_needs for r in consented]),
        _counted([r.access_needs for r in consented]),
    )


@dataclass(frozen=True)
class ExportResult:
    meetup: Meetup | None
    csv_text: str = ""
    row_count: int = 0
    export_id: int | None = None  # the record of it, for where the file goes in Slack
    catering: Catering = field(default_factory=Catering)


def export_meetup(
    db: Database, meetup_id: int, *, by: str | None, via: str, now: datetime, venue: Sequence[str] | None = None
) -> ExportResult:
    """A list for one meetup, recorded as exported: with `venue` (the
    columns), the venue list and the catering counts; without, the full
    list. An empty list is not recorded: no personal data left the database."""
    with db.transaction() as session:
        meetup = meetup_store.get_meetup(session, meetup_id)
        if meetup is None:
            return ExportResult(None)
        confirmed = registration_store.list_registrations(session, meetup_id, CONFIRMED)
        if not confirmed:
            return ExportResult(meetup)
        export = export_store.add_export(
            session, Export(meetup_id=meetup_id, exported_by=by, via=via, row_count=len(confirmed), exported_at=now)
        )
        text = build_csv(confirmed) if venue is None else build_venue_csv(confirmed, venue)
        return ExportResult(meetup, text, len(confirmed), export.id, catering(confirmed))


def filename(meetup: Meetup, tz, kind: str = "visitor-list") -> str:
    return f"{kind}-meetup-{meetup.id}-{meetup.starts_at.astimezone(tz):%Y-%m-%d}.csv"


def record_file(db: Database, export_id: int, *, channel: str, file_id: str) -> None:
    """Where the list was uploaded in Slack, so the purge can delete it there."""
    with db.transaction() as session:
        export_store.record_file(session, export_id, channel=channel, file_id=file_id)


def files_to_delete(db: Database) -> list[Export]:
    """Exported files still in Slack after their meetup's personal data was purged."""
    with db.read() as session:
        return export_store.list_files_of_purged_meetups(session)


def file_deleted(db: Database, export_id: int) -> None:
    with db.transaction() as session:
        export_store.forget_file(session, export_id)


def list_exports(db: Database, meetup_id: int | None = None) -> list[Export]:
    with db.read() as session:
        return export_store.list_exports(session, meetup_id)
