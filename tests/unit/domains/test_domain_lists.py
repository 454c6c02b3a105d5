"""`meetup-bot domains import | info | reset`: a newer domain list without a
release, on small files in the real formats, and the running bot using it."""

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine

from bot.domains import lookup as domains
from bot.domains.imports import ImportedDomainList, import_lists, reset
from bot.signups.signups import find_registration
from storage.models import CONFIRMED, PENDING, DomainList
from tests.support.domain_sources import GOVUK_ORGS, JISC_CSV, NOTIFY_YAML, govuk_org, ukps_record
from tests.support.factories import make_meetup
from tests.support.processes import run
from tests.support.signup import GOOD_ANSWERS, open_modal

DOSS_ID = "0a7c6a55-6b4e-4f0e-9a39-0d0c5e3b1f10"
SHIPPED_BUILT = "26 November 2026"


@pytest.fixture
def newer_copy(tmp_path):
    """A newer ukps-domains release that knows a department the shipped list does not."""
    folder = tmp_path / "ukps"
    folder.mkdir()
    ukps = {
        "version": "0.2.0",
        "domains": [
            ukps_record("newdept.gov.uk", "central_gov", DOSS_ID),
            ukps_record("leeds.gov.uk", "local_authority", notes="Local authority: Leeds City"),
        ],
    }
    orgs = {
        **GOVUK_ORGS,
        DOSS_ID: govuk_org("Department for Open Source", "Ministerial department", "dept-open-source"),
    }
    (folder / "user_domains.json").write_text(json.dumps(ukps), encoding="utf-8")
    (folder / "govuk_organisations.json").write_text(json.dumps(orgs), encoding="utf-8")
    (folder / "SOURCE.md").write_text("# notes, not data\n", encoding="utf-8")
    return folder


def domains_cli(args, database_url, cwd):
    result = run(["domains", *map(str, args)], {"DATABASE_URL": database_url}, cwd)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_info_names_the_shipped_list_and_how_to_load_a_newer_one(sqlite_url, tmp_path):
    result = domains_cli(["info"], sqlite_url, tmp_path)
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    count = len(domains.shipped()["domains"])
    assert lines[0] == f"In use: the list shipped with this version, built {SHIPPED_BUILT}, {count:,} domains"
    assert lines[1] == f"Source: {domains.shipped()['source']}"
    assert lines[2] == "To use a newer copy: meetup-bot domains import PATH..."


def test_import_then_info_then_reset(sqlite_url, tmp_path, newer_copy):
    shipped_count = len(domains.shipped()["domains"])
    imported = domains_cli(["import", *sorted(newer_copy.iterdir())], sqlite_url, tmp_path)
    assert imported.returncode == 0, imported.stderr
    out = imported.stdout.splitlines()
    assert out[0] == (
        f"Imported {shipped_count + 1:,} domains (the list in use had {shipped_count:,}). "
        "Running bots use it within 30 seconds."
    )
    assert "  central_government: " in imported.stdout
    assert out[-1].startswith(
        "Source: ukps-domains user_domains.json (OGL v3.0); GOV.UK organisations (OGL v3.0); "
        "over the list shipped with the bot (built 2026-11-26); built "
    )
    assert "Skipped" in imported.stderr and "SOURCE.md" in imported.stderr

    info = domains_cli(["info"], sqlite_url, tmp_path).stdout.splitlines()
    assert info[0].startswith("In use: imported ") and info[0].endswith(f", {shipped_count + 1:,} domains")
    assert info[1] == out[-1]
    assert info[2] == (
        f"Shipped with this version: built {SHIPPED_BUILT}, {shipped_count:,} domains. "
        "To use it again: meetup-bot domains reset"
    )

    assert domains_cli(["reset"], sqlite_url, tmp_path).stdout.startswith("Removed the imported list.")
    assert domains_cli(["info"], sqlite_url, tmp_path).stdout.startswith("In use: the list shipped")
    assert domains_cli(["reset"], sqlite_url, tmp_path).stdout.startswith("There was no imported list.")


@pytest.mark.parametrize(
    "name, text", [("domains.yml", NOTIFY_YAML), ("Government_Domain_Register_Report 06Sept2017.csv", JISC_CSV)]
)
def test_the_older_formats_import_too(sqlite_url, tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = domains_cli(["import", tmp_path / name], sqlite_url, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Imported " in result.stdout


def test_files_that_are_not_domain_lists_change_nothing(sqlite_url, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("nothing to see\n", encoding="utf-8")
    result = domains_cli(["import", notes], sqlite_url, tmp_path)
    assert result.returncode == 2
    assert "No domain list found. Pass user_domains.json, domains.yml or the Jisc CSV." in result.stderr
    missing = domains_cli(["import", tmp_path / "nope.json"], sqlite_url, tmp_path)
    assert missing.returncode == 2 and "nope.json does not exist or is not a file. Check the path." in missing.stderr
    assert domains_cli(["info"], sqlite_url, tmp_path).stdout.startswith("In use: the list shipped")


def test_the_running_bot_decides_with_the_imported_list(bot, newer_copy, monkeypatch):
    """Imported after the bot started: its next sign-up uses the newer list."""
    bot.fake.add_user("U0ADA", real_name="Ada Lovelace", email="ada@newdept.gov.uk")
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=10)  # a government meetup
    assert bot.deps.domains.lookup("ada@newdept.gov.uk").pattern == "*.gov.uk"  # generic: needs approval

    result = domains_cli(["import", *sorted(newer_copy.iterdir())], bot.db.url, newer_copy)
    assert result.returncode == 0, result.stderr
    # Without waiting the 30 seconds; the cache has a test of its own below.
    monkeypatch.setattr(ImportedDomainList, "RECHECK_SECONDS", 0)
    _, view = open_modal(bot)
    organisation = next(b for b in view["blocks"] if b.get("block_id") == "organisation")
    assert organisation["element"]["initial_value"] == "Department for Open Source"
    assert bot.slack.submit_view(view, GOOD_ANSWERS, user_id="U0ADA").status == 200
    registration = find_registration(bot.db, meetup.id, "U0ADA")
    assert (registration.status, registration.sector) == (CONFIRMED, "central_government")
    # What the newer copy does not mention is still known from the shipped list.
    assert bot.deps.domains.lookup("someone@justice.gov.uk").organisation == "Ministry of Justice"


def test_without_an_import_the_bot_uses_the_shipped_list(bot):
    bot.fake.add_user("U0ADA", real_name="Ada Lovelace", email="ada@newdept.gov.uk")
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=10)
    _, view = open_modal(bot)
    bot.slack.submit_view(view, GOOD_ANSWERS, user_id="U0ADA")
    assert find_registration(bot.db, meetup.id, "U0ADA").status == PENDING


class Ticks:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_lookups_reread_the_database_only_after_the_recheck_interval(db, newer_copy):
    ticks = Ticks()
    table = domains.DomainTable(ImportedDomainList(db, monotonic=ticks))
    assert table.lookup("a@newdept.gov.uk").pattern == "*.gov.uk"

    import_lists(db, sorted(newer_copy.iterdir()), now=datetime(2027, 1, 10, tzinfo=UTC))
    ticks.now += 29
    assert table.lookup("a@newdept.gov.uk").pattern == "*.gov.uk"  # cached
    ticks.now += 2
    assert table.lookup("a@newdept.gov.uk").organisation == "Department for Open Source"

    assert reset(db)
    ticks.now += 31
    assert table.lookup("a@newdept.gov.uk").pattern == "*.gov.uk"


def test_an_import_laid_over_an_older_shipped_list_gives_way_to_the_newer_shipped_one(db, tmp_path):
    """After an upgrade that ships a newer list, an older import is not used."""
    with db.transaction() as session:
        session.add(
            DomainList(
                version="old",
                source="an old import",
                built="2026-01-05",
                based_on="2025-12-01",
                domain_count=1,
                imported_at=datetime(2026, 1, 5, tzinfo=UTC),
                domains=json.dumps({"leeds.gov.uk": {"organisation": "Old name", "sector": "local_authority"}}),
            )
        )
    assert domains.DomainTable(ImportedDomainList(db)).lookup("a@leeds.gov.uk").organisation == "Leeds City Council"
    result = domains_cli(["info"], db.url, tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("In use: the list shipped with this version")
    assert lines[2] == (
        "Not used: the list imported Monday 5 January 2026 at midnight, laid over an older shipped "
        "list (built 1 December 2025). Import a newer copy, or remove it with meetup-bot domains reset"
    )


def test_the_migration_matches_the_model(db):
    """The hand-written migration creates exactly what the model describes."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from storage.models import Base

    engine = create_engine(db.url)
    try:
        with engine.connect() as connection:
            diffs = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert [d for d in diffs if "domain_lists" in repr(d)] == []
