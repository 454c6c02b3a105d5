"""The visitor list for the host building: everyone with a place, as CSV.

Used by `/meetup export` and `meetup-bot export MEETUP`. Each export is
recorded (who, when, which meetup, how many people) in the same transaction
that reads the list.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
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


def neutralise(cell: str) -> str:
    """Make a cell text to a spreadsheet: a leading apostrophe stops a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def build_csv(registrations: list[Registration]) -> str:
    """A header row, then one row a person, sorted by name as a reception desk reads it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for r in sorted(registrations, key=lambda r: (r.full_name.casefold(), r.id)):
        writer.writerow(
            [
                neutralise(value or "")
                for value in (r.full_name, r.email, r.organisation, r.dietary_needs, r.access_needs)
            ]
        )
    return out.getvalue()


@dataclass(frozen=True)
class ExportResult:
    meetup: Meetup | None
    csv_text: str = ""
    row_count: int = 0
    export_id: int | None = None  # the record of it, for where the file goes in Slack


def export_meetup(db: Database, meetup_id: int, *, by: str | None, via: str, now: datetime) -> ExportResult:
    """The visitor list for one meetup, recorded as exported. An empty list is
    not recorded: no personal data left the database."""
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
        return ExportResult(meetup, build_csv(confirmed), len(confirmed), export.id)


def filename(meetup: Meetup, tz) -> str:
    return f"visitor-list-meetup-{meetup.id}-{meetup.starts_at.astimezone(tz):%Y-%m-%d}.csv"


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
