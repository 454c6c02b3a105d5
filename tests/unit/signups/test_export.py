"""The visitor list: CSV that a spreadsheet cannot run, each export recorded,
and `meetup-bot export MEETUP` on the command line."""

import csv
import io
import subprocess
from datetime import UTC

import pytest

from bot.signups.export import HEADER, VIA_COMMAND_LINE, build_csv, export_meetup, list_exports, neutralise
from bot.signups.signups import sign_up
from storage.db import Database
from storage.models import Registration
from tests.support.factories import make_form, make_meetup
from tests.support.processes import BIN


@pytest.mark.parametrize(
    "cell, safe",
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2", "'-2"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\tindent", "'\tindent"),
        ("\rreturn", "'\rreturn"),
        ("Vegan", "Vegan"),
        ("", ""),
        ("a=b", "a=b"),
    ],
)
def test_cells_a_spreadsheet_would_run_get_an_apostrophe(cell, safe):
    assert neutralise(cell) == safe


def person(**fields) -> Registration:
    values = {
        "id": 1,
        "full_name": "Ada Lovelace",
        "email": "ada@gchq.gov.uk",
        "organisation": "GCHQ",
        "dietary_needs": "",
        "access_needs": "",
    }
    values.update(fields)
    return Registration(**values)


def test_build_csv_has_a_header_and_rows_sorted_by_name():
    text = build_csv(
        [
            person(id=2, full_name="bob Brown", dietary_needs="Vegan, no nuts"),
            person(id=1, full_name="Ada Lovelace", access_needs="Step-free\naccess"),
        ]
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [
        list(HEADER),
        ["Ada Lovelace", "ada@gchq.gov.uk", "GCHQ", "", "Step-free\naccess"],
        ["bob Brown", "ada@gchq.gov.uk", "GCHQ", "Vegan, no nuts", ""],
    ]
    assert text.endswith("\r\n")


def test_only_confirmed_people_are_exported_and_each_export_is_recorded(db, clock):
    meetup = make_meetup(db, now=clock(), capacity=1)
    sign_up(db, make_form(meetup_id=meetup.id, full_name="In"), user_id="U1", now=clock(), contact="x")
    sign_up(db, make_form(meetup_id=meetup.id, full_name="Waiting"), user_id="U2", now=clock(), contact="x")
    result = export_meetup(db, meetup.id, by="U0ORG", via="slack", now=clock())
    assert result.row_count == 1 and "Waiting" not in result.csv_text
    [record] = list_exports(db, meetup.id)
    assert (record.exported_by, record.via, record.row_count, record.exported_at) == ("U0ORG", "slack", 1, clock())
    assert export_meetup(db, 999, by="U0ORG", via="slack", now=clock()).meetup is None


def test_meetup_bot_export_prints_the_csv_and_records_it(tmp_path, clock):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    from storage.migrate import upgrade

    db = Database(url)
    upgrade(db.engine)
    from datetime import datetime

    now = datetime.now(UTC)
    meetup = make_meetup(db, now=now)
    sign_up(db, make_form(meetup_id=meetup.id, full_name="=cmd|' /C calc'!A0"), user_id="U1", now=now, contact="x")

    def run(*args):
        return subprocess.run(
            [str(BIN), "export", *args],
            env={"PATH": "/usr/bin:/bin", "DATABASE_URL": url},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    result = run(str(meetup.id))
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == list(HEADER)
    assert rows[1][0] == "'=cmd|' /C calc'!A0"
    assert [(e.exported_by, e.via, e.row_count) for e in list_exports(db)] == [(None, VIA_COMMAND_LINE, 1)]

    missing = run("999")
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.strip() == "There is no meetup 999. Use `meetup-bot event list` to see their ids."
    db.dispose()
