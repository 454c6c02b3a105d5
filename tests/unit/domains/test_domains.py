"""Email domain lookup (bot.domains) and the build of its table (bot.domains_build)."""

from __future__ import annotations

import json

import pytest

from bot.domains import build as domains_build
from bot.domains.lookup import DATA_FILE, SECTORS, DomainMatch, email_domain, lookup, source_info
from tests.support.domain_sources import GOVUK_ORGS, JISC_CSV, NOTIFY_YAML, UKPS

# -- the shipped table ---------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "organisation", "sector"),
    [
        ("someone@leeds.gov.uk", "Leeds City Council", "local_authority"),
        ("someone@digital.cabinet-office.gov.uk", "Cabinet Office", "central_government"),
        ("someone@justice.gov.uk", "Ministry of Justice", "central_government"),
        ("someone@homeoffice.gov.uk", "Home Office", "central_government"),
        ("someone@gchq.gov.uk", "Government Communications Headquarters", "central_government"),
        ("someone@mod.gov.uk", "Ministry of Defence", "central_government"),
        ("someone@hmcts.net", "HM Courts & Tribunals Service", "arms_length_body"),
        ("someone@gov.scot", "The Scottish Government", "devolved"),
    ],
)
def test_known_organisations(email, organisation, sector):
    match = lookup(email)
    assert (match.organisation, match.sector) == (organisation, sector)


def test_nhs():
    assert lookup("someone@nhs.net").sector == "nhs"
    assert lookup("someone@leedsth.nhs.uk").sector == "nhs"


def test_police_by_wildcard():
    match = lookup("someone@met.police.uk")
    assert match == DomainMatch(pattern="*.police.uk", organisation=None, sector="police")


def test_armed_forces_by_wildcard():
    assert lookup("someone@army.mod.uk").sector == "armed_forces"


def test_unlisted_gov_uk_domain_is_public_sector():
    domain = "notarealplace-council.gov.uk"
    table = json.loads(DATA_FILE.read_text(encoding="utf-8"))["domains"]
    assert domain not in table
    assert lookup(f"someone@{domain}") == DomainMatch(pattern="*.gov.uk", organisation=None, sector="public_sector")


@pytest.mark.parametrize("email", ["someone@example.com", "someone@gov.uk.evil.com", "someone@evilgov.uk"])
def test_not_public_sector(email):
    assert lookup(email) is None


def test_case_and_trailing_dot_do_not_matter():
    assert lookup("Someone@LEEDS.Gov.UK.").pattern == "leeds.gov.uk"
    assert lookup("LEEDS.GOV.UK").pattern == "leeds.gov.uk"


def test_shipped_table_is_well_formed():
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert DATA_FILE.stat().st_size < 1_000_000
    assert list(data["domains"]) == sorted(data["domains"])
    assert {e["sector"] for e in data["domains"].values()} <= set(SECTORS)
    assert source_info() == {"source": data["source"], "built": data["built"], "count": len(data["domains"])}


# -- email_domain ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("email", "domain"),
    [
        ("a.person@Leeds.GOV.uk", "leeds.gov.uk"),
        ("  a.person@leeds.gov.uk.  ", "leeds.gov.uk"),
        ('"odd@local"@leeds.gov.uk', "leeds.gov.uk"),
        ("no-at-sign", None),
        ("@leeds.gov.uk", None),
        ("someone@", None),
        ("someone@localhost", None),
        ("someone@leeds..gov.uk", None),
        ("someone@leeds gov.uk", None),
    ],
)
def test_email_domain(email, domain):
    assert email_domain(email) == domain


# -- matching rules, on a small table --------------------------------------------

TABLE = {
    "*.gov.uk": {"organisation": None, "sector": "public_sector"},
    "*.mod.gov.uk": {"organisation": "Ministry of Defence", "sector": "armed_forces"},
    "cabinet-office.gov.uk": {"organisation": "Cabinet Office", "sector": "central_government"},
    "leeds.gov.uk": {"organisation": "Leeds City Council", "sector": "local_authority"},
    "b.leeds.gov.uk": {"organisation": "Leeds B", "sector": "local_authority"},
}


def test_exact_match():
    assert lookup("x@leeds.gov.uk", TABLE).pattern == "leeds.gov.uk"


def test_subdomain_falls_back_to_nearest_parent():
    assert lookup("x@digital.cabinet-office.gov.uk", TABLE).organisation == "Cabinet Office"
    assert lookup("x@a.b.leeds.gov.uk", TABLE).pattern == "b.leeds.gov.uk"
    assert lookup("x@a.c.leeds.gov.uk", TABLE).pattern == "leeds.gov.uk"


def test_parent_entry_beats_wildcard():
    # leeds.gov.uk is more specific than *.gov.uk for a.leeds.gov.uk.
    assert lookup("x@a.leeds.gov.uk", TABLE).pattern == "leeds.gov.uk"


def test_most_specific_wildcard_wins():
    assert lookup("x@army.mod.gov.uk", TABLE).pattern == "*.mod.gov.uk"
    assert lookup("x@a.b.mod.gov.uk", TABLE).pattern == "*.mod.gov.uk"
    assert lookup("x@elsewhere.gov.uk", TABLE).pattern == "*.gov.uk"
    assert lookup("x@y.elsewhere.gov.uk", TABLE).pattern == "*.gov.uk"


def test_wildcard_needs_a_subdomain():
    assert lookup("x@gov.uk", TABLE) is None
    assert lookup("x@mod.gov.uk", TABLE).pattern == "*.gov.uk"


@pytest.mark.parametrize(
    ("email", "pattern"),
    [
        ("x@evilgov.uk", None),
        ("x@gov.uk.evil.com", None),
        ("x@leeds.gov.uk.evil.com", None),
        ("x@notleeds.gov.uk", "*.gov.uk"),  # a gov.uk domain, but not Leeds
    ],
)
def test_lookalikes(email, pattern):
    match = lookup(email, TABLE)
    assert (match and match.pattern) == pattern


def test_malformed_input():
    assert lookup("", TABLE) is None
    assert lookup("x@", TABLE) is None
    assert lookup("not an email", TABLE) is None


# -- the build, on tiny files in each source format -----------------------------


@pytest.fixture
def sources(tmp_path):
    paths = {
        "ukps": tmp_path / "user_domains.json",
        "orgs": tmp_path / "govuk_organisations.json",
        "yaml": tmp_path / "domains.yml",
        "csv": tmp_path / "Government_Domain_Register_Report 06Sept2017.csv",
    }
    paths["ukps"].write_text(json.dumps(UKPS), encoding="utf-8")
    paths["orgs"].write_text(json.dumps(GOVUK_ORGS), encoding="utf-8")
    paths["yaml"].write_text(NOTIFY_YAML, encoding="utf-8")
    paths["csv"].write_text(JISC_CSV, encoding="utf-8")
    return paths


def _domains(*paths):
    return domains_build.build(list(paths))["domains"]


def _e(organisation, sector):
    return {"organisation": organisation, "sector": sector}


def test_build_ukps_with_govuk_names(sources):
    table = _domains(sources["ukps"], sources["orgs"])
    assert table["*.gov.uk"] == _e(None, "public_sector")  # notes describe the namespace, not an organisation
    assert table["*.mod.uk"] == _e("Ministry of Defence", "armed_forces")
    assert table["mod.gov.uk"] == _e("Ministry of Defence", "central_government")  # the department itself
    assert table["leeds.gov.uk"] == _e("Leeds City Council", "local_authority")
    assert table["edinburgh.gov.uk"] == _e("City of Edinburgh Council", "local_authority")
    assert table["cqc.org.uk"] == _e("Care Quality Commission", "arms_length_body")  # from the GOV.UK format
    assert table["gds.example.gov.uk"] == _e("Government Digital Service", "central_government")  # parent's sector
    assert table["nhs.net"] == _e(None, "nhs")


def test_build_ukps_without_govuk_organisations(sources):
    table = _domains(sources["ukps"])
    assert table["cqc.org.uk"] == _e(None, "public_sector")


def test_build_notify_yaml(sources):
    table = _domains(sources["yaml"])
    assert table["cabinetoffice.gov.uk"] == _e("Cabinet Office", "central_government")
    assert table["old-name.gov.uk"] == _e("Cabinet Office", "central_government")  # alias of an alias
    assert table["ncsc.gov.uk"] == _e("Government Communications Headquarters", "central_government")
    assert table["nhs.net"] == _e("NHS", "nhs")
    assert table["newtown.gov.uk"] == _e("Oldtown District Council", "local_authority")
    assert table["mystery.gov.uk"] == _e("Something Unclassifiable", "public_sector")


def test_build_jisc_csv(sources):
    table = _domains(sources["csv"], sources["orgs"])
    # Representing is a project, so Owner; spelt as GOV.UK spells it.
    assert table["hmrc.gov.uk"] == _e("HM Revenue & Customs", "central_government")
    assert table["abinger-pc.gov.uk"] == _e("Abinger Parish Council", "local_authority")  # not the district
    assert table["surrey-pcc.gov.uk"]["sector"] == "police"
    assert table["mystery.gov.uk"] == _e("Mystery Body", "public_sector")
    assert "gcsx.gov.uk" not in table  # a shared namespace, not an organisation


def test_build_precedence(sources):
    table = _domains(*sources.values())
    # Newest source wins: ukps (with a place name completed from the older
    # full name) over domains.yml over the Jisc CSV.
    assert table["leeds.gov.uk"] == _e("Leeds City Council (2019)", "local_authority")
    # ...but an older name for another place is a council since merged away.
    assert table["newtown.gov.uk"] == _e("Newtown Council", "local_authority")
    assert table["edinburgh.gov.uk"] == _e("The City of Edinburgh Council", "local_authority")
    # A name missing from the newer source is taken from an older one.
    assert table["nhs.net"] == _e("NHS", "nhs")
    assert table["mystery.gov.uk"] == _e("Something Unclassifiable", "public_sector")
    # Entries only in older sources are kept.
    assert table["hmrc.gov.uk"]["organisation"] == "HM Revenue & Customs"
    assert table["cabinet-office.gov.uk"] == _e("Cabinet Office", "central_government")


def test_build_detects_formats_by_contents(tmp_path, sources):
    renamed = tmp_path / "orgs-dump.json"
    renamed.write_text(sources["orgs"].read_text(encoding="utf-8"), encoding="utf-8")
    notes = tmp_path / "SOURCE.md"
    notes.write_text("# not data\n", encoding="utf-8")
    table = _domains(sources["ukps"], renamed, notes)
    assert table["cqc.org.uk"]["organisation"] == "Care Quality Commission"


def test_build_needs_a_domain_list(sources):
    with pytest.raises(ValueError):
        domains_build.build([sources["orgs"]])


def test_main_writes_deterministic_json(tmp_path, sources, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    out1, out2 = tmp_path / "a.json", tmp_path / "b.json"
    assert domains_build.main([*map(str, sources.values()), "--output", str(out1)]) == 0
    assert domains_build.main([*map(str, reversed(sources.values())), "--output", str(out2)]) == 0
    assert out1.read_bytes() == out2.read_bytes()
    data = json.loads(out1.read_text(encoding="utf-8"))
    assert data["built"] == "2026-05-28"
    assert "built 2026-05-28" in data["source"]
    assert list(data["domains"]) == sorted(data["domains"])
    assert "Wrote" in capsys.readouterr().out


def test_main_reports_a_missing_file(tmp_path, capsys):
    assert domains_build.main([str(tmp_path / "missing.csv"), "--output", str(tmp_path / "out.json")]) == 2
    assert "missing.csv" in capsys.readouterr().err
