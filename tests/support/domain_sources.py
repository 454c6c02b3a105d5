"""Tiny copies of the source files the domain table is built from, one in each
format (bot/domains/build.py reads them; bot/domains/imports.py imports them)."""

CABINET_OFFICE_ID = "96ae61d6-c2a1-48cb-8e67-da9d105ae381"
GDS_ID = "af07d5a5-df63-4ddc-9383-6a666845ebe9"
CQC_ID = "5e2fb7d0-5b10-4d83-8a56-4e4d1a0b2c4f"
MOD_ID = "d994e55c-48c9-4795-b872-58d8ec98af12"
HMRC_ID = "6667cce2-e809-4e21-ae09-cb0bdc1ddda3"


def govuk_org(title, fmt, slug, parents=(), status="live", abbreviation=None):
    return {
        "title": title,
        "format": fmt,
        "web_url": f"https://www.gov.uk/government/organisations/{slug}",
        "details": {"slug": slug, "abbreviation": abbreviation, "govuk_status": status, "closed_at": None},
        "parent_organisations": [{"id": f"https://www.gov.uk/api/organisations/{p}"} for p in parents],
    }


GOVUK_ORGS = {
    CABINET_OFFICE_ID: govuk_org("Cabinet Office", "Ministerial department", "cabinet-office"),
    GDS_ID: govuk_org(
        "Government Digital Service", "Sub organisation", "government-digital-service", ["cabinet-office"]
    ),
    CQC_ID: govuk_org("Care Quality Commission", "Executive non-departmental public body", "care-quality-commission"),
    MOD_ID: govuk_org("Ministry of Defence", "Ministerial department", "ministry-of-defence"),
    HMRC_ID: govuk_org("HM Revenue & Customs", "Non-ministerial department", "hm-revenue-customs", abbreviation="HMRC"),
}


def ukps_record(pattern, type_id=None, org_id=None, notes=None):
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
        ukps_record("*.gov.uk", "public_sector_wildcard", notes="Covers generic government domain space"),
        ukps_record("*.mod.uk", "military", MOD_ID),
        ukps_record("mod.gov.uk", "military", MOD_ID),
        ukps_record("leeds.gov.uk", "local_authority", notes="Local authority: Leeds City"),
        ukps_record("newtown.gov.uk", "local_authority", notes="Local authority: Newtown"),
        ukps_record("edinburgh.gov.uk", "local_authority", notes="Local authority: Edinburgh, City of"),
        ukps_record("cqc.org.uk", None, CQC_ID),
        ukps_record("gds.example.gov.uk", None, GDS_ID),
        ukps_record("nhs.net", "nhs"),
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
