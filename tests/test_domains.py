"""Email domain lookup (bot.domains) and the build of its table (bot.domains_build)."""

from __future__ import annotations

import json

import pytest

from bot.domains import build as domains_build
from bot.domains.lookup import DATA_FILE, SECTORS, DomainMatch, email_domain, lookup, source_info

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

CABINET_OFFICE_ID = "96ae61d6-c2a1-48cb-8e67-da9d105ae381"
GDS_ID = "af07d5a5-df63-4ddc-9383-6a666845ebe9"
CQC_ID = "5e2fb7d0-5b10-4d83-8a56-4e4d1a0b2c4f"
MOD_ID = "d994e55c-48c9-4795-b872-58d8ec98af12"
HMRC_ID = "6667cce2-e809-4e21-ae09-cb0bdc1ddda3"


def _org(title, fmt, slug, parents=(), status="live", abbreviation=None):
    return {
        "title": title,
        "format": fmt,
        "web_url": f"https://www.gov.uk/government/organisations/{slug}",
        "details": {"slug": slug, "abbreviation": abbreviation, "govuk_status": status, "closed_at": None},
        "parent_organisations": [{"id": f"https://www.gov.uk/api/organisations/{p}"} for p in parents],
    }


GOVUK_ORGS = {
    CABINET_OFFICE_ID: _org("Cabinet Office", "Ministerial department", "cabinet-office"),
    GDS_ID: _org("Government Digital Service", "Sub organisation", "government-digital-service", ["cabinet-office"]),
    CQC_ID: _org("Care Quality Commission", "Executive non-departmental public body", "care-quality-commission"),
    MOD_ID: _org("Ministry of Defence", "Ministerial department", "ministry-of-defence"),
    HMRC_ID: _org("HM Revenue & Customs", "Non-ministerial department", "hm-revenue-customs", abbreviation="HMRC"),
}


def _ukps_record(pattern, type_id=None, org_id=None, notes=None):
    return {
        "domain_pattern": pattern,
        "identifiers": {},
        "notes": notes,
        "organisation_id": org_id,
        "organisation_type_id": type_id,
        "source": "internal",
    }


UKPS = {
    "version": "0.1.0",
    "domains": [
        _ukps_record("*.gov.uk", "public_sector_wildcard", notes="Covers generic government domain space"),
        _ukps_record("*.mod.uk", "military", MOD_ID),
        _ukps_record("mod.gov.uk", "military", MOD_ID),
        _ukps_record("leeds.gov.uk", "local_authority", notes="Local authority: Leeds City"),
        _ukps_record("newtown.gov.uk", "local_authority", notes="Local authority: Newtown"),
        _ukps_record("edinburgh.gov.uk", "local_authority", notes="Local authority: Edinburgh, City of"),
        _ukps_record("cqc.org.uk", None, CQC_ID),
        _ukps_record("gds.example.gov.uk", None, GDS_ID),
        _ukps_record("nhs.net", "nhs"),
    ],
}

NOTIFY_YAML = """\
---
# Central and NHS
cabinet-office.gov.uk:
  owner: Cabinet Office
  crown: true
  agreement_signed: true
cabinetoffice.gov.uk: cabinet-office.gov.uk
old-name.gov.uk: cabinetoffice.gov.uk
gchq.gov.uk:
  owner: Government Communications Headquarters
ncsc.gov.uk: gchq.gov.uk
nhs.net: nhs.uk
nhs.uk:
  owner: NHS
leeds.gov.uk:
  owner: Leeds City Council (2019)
newtown.gov.uk:
  owner: Oldtown District Council
edinburgh.gov.uk:
  owner: The City of Edinburgh Council
mystery.gov.uk:
  owner: Something Unclassifiable
"""

JISC_CSV = """\
Domain Id,Domain Name,Owner,Representing,start date,end date
1,hmrc.gov.uk,HM Revenue and Customs,Transition Project,,
2,abinger-pc.gov.uk,Mole Valley District Council,Abinger Parish Council,,
3,surrey-pcc.gov.uk,Surrey Police Authority,Office of the Surrey Police and Crime Commissioner,,
4,leeds.gov.uk,Leeds City Council (2017),Leeds City Council (2017),,
5,mystery.gov.uk,Mystery Body,"A website, for a campaign",,
6,gcsx.gov.uk,HM Government Cabinet Office,Government Connect,,
"""


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
