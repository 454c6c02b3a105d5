"""Build `bot/domains/data/domains.json` from public lists of UK public-sector email domains.

    python -m bot.domains.build /work/shared/data/*

Reads any of these, detected by name and contents (other files are skipped):

- `user_domains.json` (govuk-digital-backbone/ukps-domains, 2026): the newest
  and most trusted. Names come from `govuk_organisations.json` (same repo, a
  dump of the GOV.UK organisations API), or from `notes` such as
  "Local authority: <name>".
- `domains.yml` (GOV.UK Notify, 2019): `domain: {owner: ...}` or
  `domain: other-domain` (an alias).
- `Government_Domain_Register_Report *.csv` (Jisc .gov.uk register, 2017).

When sources disagree the newer one wins, field by field: a name or a sector
missing from a newer source is taken from an older one rather than lost.
Stdlib only, apart from PyYAML for domains.yml (imported only when needed).
`meetup-bot domains import` runs this same build, laid over the shipped table.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.domains.lookup import DATA_FILE, SECTORS

JISC_CSV, NOTIFY_YAML, UKPS_JSON, GOVUK_ORGS = "jisc_csv", "notify_yaml", "ukps_json", "govuk_orgs"
# Lowest precedence first: later sources overwrite earlier ones.
PRECEDENCE = (JISC_CSV, NOTIFY_YAML, UKPS_JSON)
LABELS = {
    UKPS_JSON: "ukps-domains user_domains.json (OGL v3.0)",
    GOVUK_ORGS: "GOV.UK organisations (OGL v3.0)",
    NOTIFY_YAML: "GOV.UK Notify domains.yml 2019 (MIT)",
    JISC_CSV: "Jisc Government Domain Register 2017 (OGL v3.0)",
}

CENTRAL, ALB, DEVOLVED, NHS, POLICE, LOCAL, ARMED, PUBLIC = SECTORS

# ukps-domains `organisation_type_id`. None (47 records) falls through to the
# GOV.UK format, then to the name heuristics.
TYPE_SECTORS = {
    "central_gov": CENTRAL,
    "nmd": CENTRAL,  # non-ministerial department
    "ea": ALB,  # executive agency
    "ndpb": ALB,
    "devolved": DEVOLVED,  # includes gov.je, gov.gg and gov.im: the source's call
    "devolved_wildcard": DEVOLVED,
    "nhs": NHS,
    "police": POLICE,
    "local_authority": LOCAL,
    "military": ARMED,
    "public_sector_wildcard": PUBLIC,
}

# GOV.UK organisation `format`. "Sub organisation" and "Other" are handled in
# _govuk_sector because their sector depends on their parent.
FORMAT_SECTORS = {
    "Ministerial department": CENTRAL,
    "Non-ministerial department": CENTRAL,
    "Executive office": CENTRAL,  # Prime Minister's Office
    "Civil service": CENTRAL,
    "Executive agency": ALB,
    "Executive non-departmental public body": ALB,
    "Advisory non-departmental public body": ALB,
    "Public corporation": ALB,
    "Tribunal": ALB,
    "Court": ALB,
    "Independent monitoring body": ALB,
    "Ad-hoc advisory group": ALB,
    # NHS Blood and Transplant, NHS Business Services Authority and the like:
    # part of the NHS, and their staff think of themselves that way.
    "Special health authority": NHS,
    "Devolved government": DEVOLVED,
}

# GCHQ, MI5 and MI6 are "Other" on GOV.UK, but they are government departments
# in all but name, and GCHQ speakers are the reason for the first meetup.
SPECIAL_NAMES = {
    "government communications headquarters": CENTRAL,
    "gchq": CENTRAL,
    "the security service": CENTRAL,
    "security service": CENTRAL,
    "secret intelligence service": CENTRAL,
}

# Applied last, to the merged table. ukps-domains calls mod.gov.uk "military",
# but it is the Ministry of Defence's own domain: a ministerial department
# whose civil servants should count as central government. Service personnel
# are recognised by the military domains (`*.mod.uk`, `mil.uk`), which stay
# armed_forces. Because exact parents beat wildcards, `*.mod.gov.uk` is then
# only a fallback and subdomains of mod.gov.uk are the Ministry of Defence too.
DOMAIN_SECTORS = {"mod.gov.uk": CENTRAL}

# Shared secure-email namespaces of the retired Government Secure Intranet
# (x.gsi.gov.uk, x.gcsx.gov.uk for councils, ...) and the police network.
# The Jisc list names their operator as owner; kept, those exact entries would
# make every unlisted subdomain (leeds.gcsx.gov.uk) the Cabinet Office's, since
# subdomains fall back to their parent. Dropped, such addresses fall through to
# the wildcards. Listed subdomains (homeoffice.gsi.gov.uk) are unaffected.
NAMESPACES = {"gsi.gov.uk", "gcsx.gov.uk", "gsx.gov.uk", "gse.gov.uk", "pnn.gov.uk"}

# Name heuristics for names GOV.UK does not know (councils, NHS trusts, police
# forces, and renamed or closed bodies). First match wins, so the narrow kinds
# come before the broad ones: "Police Authority" is police, not an ALB;
# "Department for Communities and Local Government" is a department;
# "Scottish Borders Council" is a council, not devolved government.
_NAME_PATTERNS = [
    (POLICE, r"\bpolice\b|\bconstabulary\b|\bpolicing\b"),
    (NHS, r"\bnhs\b|\bhospitals?\b|foundation trust|health board|clinical commissioning|ambulance service"),
    (CENTRAL, r"^(the )?(department|ministry)\b|\bhm treasury\b|\bcabinet office\b|\bhome office\b"),
    # Fire and rescue authorities, trading standards and valuation joint
    # boards are local government; so, near enough, are councils' associations.
    (
        LOCAL,
        r"\bcouncils?\b|\bborough\b|\bparish\b|combined authority|greater london authority|city of london"
        r"|local government|local authorities|\bfire\b|national park authority|trading standards|valuation joint board",
    ),
    # Public bodies named after a devolved nation are, nearly always, run by
    # its government. UK departments such as the Scotland Office are matched
    # by their GOV.UK title before this rule is reached.
    (DEVOLVED, r"scotland|scottish|(?<!england and )(?<!prince of )wales|welsh|cymru|northern ireland|\bni\b"),
    (ALB, r"\b(agency|commission|commissioner|authority|inspectorate|ombudsman|tribunal|regulator)\b"),
]
NAME_RULES = [(sector, re.compile(rx, re.I)) for sector, rx in _NAME_PATTERNS]

# Domains whose namespace says the sector whatever the owner is called.
DOMAIN_RULES = [
    (NHS, re.compile(r"(^|\.)nhs\.(uk|net|scot|wales)$")),
    (POLICE, re.compile(r"(^|\.)police\.uk$")),
    (ARMED, re.compile(r"(^|\.)(mod|mil)\.uk$")),
]

# Jisc "Representing" values that describe a website or project, not a body.
_PROJECT = re.compile(r"project|campaign|website|programme|portal|network|scheme|domain|initiative", re.I)
_LOCAL_COUNCIL = re.compile(r"\b(Parish|Town|Community) Council\b")


def _norm(name: str) -> str:
    """A key for comparing organisation names across sources."""
    s = name.lower().replace("’", "'").replace("&", " and ")
    s = re.sub(r"\b(her|his) majesty'?s\b", "hm", s).replace("united kingdom", "uk")
    s = s.replace("'", "")
    s = re.sub(r"[^a-z0-9]+", " ", s).strip()
    return re.sub(r"^the ", "", s)


def _clean(text: str | None) -> str | None:
    text = " ".join((text or "").split())
    return text or None


def _domain_key(domain: str) -> str:
    return domain.strip().lower().rstrip(".")


class Govuk:
    """GOV.UK organisations: names for content_ids, and a sector for a name."""

    def __init__(self, orgs: dict | None = None):
        self.by_id = orgs or {}
        self.by_slug = {o["details"]["slug"]: o for o in self.by_id.values() if o.get("details")}
        # Abbreviations only where no title claims the key. Live organisations
        # are sorted last so a closed one never hides a live one of the same name.
        titles, abbreviations = {}, {}
        for org in sorted(self.by_id.values(), key=lambda o: o["details"].get("govuk_status") != "closed"):
            titles[_norm(org["title"])] = org
            abbreviations[_norm(org["details"].get("abbreviation") or "")] = org
        abbreviations.pop("", None)
        self.by_name = {k: o for k, o in abbreviations.items() if len(k) >= 3} | titles

    def find(self, name: str | None) -> dict | None:
        return self.by_name.get(_norm(name)) if name else None

    def sector(self, org: dict, depth: int = 0) -> str | None:
        if _norm(org["title"]) in SPECIAL_NAMES:
            return SPECIAL_NAMES[_norm(org["title"])]
        details = org.get("details") or {}
        # NI departments and bodies keep their old "Ministerial department" or
        # "Executive agency" format but are marked devolved.
        if details.get("govuk_status") == "devolved":
            return DEVOLVED
        fmt = org.get("format")
        if fmt in FORMAT_SECTORS:
            return FORMAT_SECTORS[fmt]
        known = [self.by_slug.get(p["id"].rsplit("/", 1)[-1]) for p in org.get("parent_organisations") or []]
        parents = [p for p in known if p]
        if fmt not in ("Sub organisation", "Other") or not parents or depth > 5:
            return None
        parent = self.sector(parents[0], depth + 1)
        # A sub-organisation is part of its parent (GDS is the Cabinet Office).
        # An "Other" body sponsored by a department (Ofcom, the FCA) is at arm's length.
        if fmt == "Other" and parent == CENTRAL:
            return ALB
        return parent


def classify(name: str | None, domain: str, govuk: Govuk) -> str | None:
    """A sector from a domain and an organisation name, or None if unsure."""
    for sector, rx in DOMAIN_RULES:
        if rx.search(domain.removeprefix("*.")):
            return sector
    if not name:
        return None
    if _norm(name) in SPECIAL_NAMES:
        return SPECIAL_NAMES[_norm(name)]
    org = govuk.find(name)
    if org:
        # GOV.UK lists government bodies, not councils: when it knows the body
        # but its format says nothing ("Other", no parent), keywords would only
        # guess wrong ("Council for Science and Technology" is no council).
        return govuk.sector(org)
    for sector, rx in NAME_RULES:
        if rx.search(name):
            return sector
    return None


def _canonical(name: str | None, govuk: Govuk) -> str | None:
    # One spelling per organisation (GOV.UK's title), so that sign-up counts by
    # organisation do not split "HM Revenue & Customs" from "HM Revenue and
    # Customs", or "GCHQ" from "Government Communications Headquarters".
    org = govuk.find(name)
    return org["title"].strip() if org else name


def _contains(name: str | None, words: str) -> bool:
    if not name:
        return False
    return f" {_norm(words)} " in f" {_norm(name)} "


def _entry(name: str | None, sector: str | None) -> dict:
    return {"organisation": name, "sector": sector}


# -- readers -----------------------------------------------------------------


def read_ukps(data: dict, govuk: Govuk) -> dict:
    out = {}
    for rec in data["domains"]:
        domain = _domain_key(rec["domain_pattern"])
        org = govuk.by_id.get(rec.get("organisation_id") or "")
        name = org["title"].strip() if org else None
        notes = _clean(rec.get("notes"))
        place = None
        # Wildcard notes describe the namespace, not an organisation.
        if name is None and notes and not domain.startswith("*."):
            if notes.startswith("Local authority: "):
                # A place, not a council's name: "Leeds City", "Kent", "Edinburgh, City of".
                place = re.sub(r"^(.+), City of$", r"City of \1", notes.removeprefix("Local authority: "))
                name = place
                if not re.search(r"\b(Council|Authority|Corporation)\b", name):
                    name += " Council"
            else:
                # "Combined authority: X (established 2025; ...)" or
                # "Transport for London (TfL) — statutory corporation ...".
                name = re.split(r" \(| — |\. ", re.sub(r"^[A-Z][a-z ]+: ", "", notes))[0].strip()
        sector = TYPE_SECTORS.get(rec.get("organisation_type_id"))
        if sector is None and org:
            sector = govuk.sector(org)
        if sector is None:
            sector = classify(name, domain, govuk)
        out[domain] = _entry(name, sector) | ({"place": place} if place else {})
    return out


def read_notify_yaml(data: dict, govuk: Govuk) -> dict:
    def owner_of(domain: str) -> str | None:
        seen = set()
        value = data.get(domain)
        while isinstance(value, str) and value not in seen:  # alias: follow it
            seen.add(value)
            value = data.get(value)
        return _clean(str(value.get("owner") or "")) if isinstance(value, dict) else None

    out = {}
    for domain in data:
        name = owner_of(domain)
        key = _domain_key(str(domain))
        out[key] = _entry(_canonical(name, govuk), classify(name, key, govuk))
    return out


def _jisc_name(owner: str | None, representing: str | None, govuk: Govuk) -> str | None:
    """Owner is the accountable body and is always a name; Representing is
    often more specific (the parish council, not the district council that
    registered for it) but just as often a project or a description. Use
    Representing only when it is clearly an organisation."""
    if not representing or not owner or _norm(representing) == _norm(owner):
        return owner or representing
    if _PROJECT.search(representing):
        return owner
    if govuk.find(representing):
        return representing
    if _LOCAL_COUNCIL.search(representing) and not _LOCAL_COUNCIL.search(owner):
        return representing
    return owner


def read_jisc_csv(rows: list[dict], govuk: Govuk) -> dict:
    out = {}
    for row in rows:
        domain = _domain_key(row.get("Domain Name") or "")
        if not domain:
            continue
        owner, representing = _clean(row.get("Owner")), _clean(row.get("Representing"))
        name = _jisc_name(owner, representing, govuk)
        # The other column can still say the sector ("... for Northern Ireland Civil Service").
        other = representing if name == owner else owner
        sector = classify(name, domain, govuk) or classify(other, domain, govuk)
        out[domain] = _entry(_canonical(name, govuk), sector)
    return out


# -- detection and merging ---------------------------------------------------


def detect(path: Path) -> tuple[str, object] | None:
    """(kind, parsed contents), or None when the file is not one we know."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as f:
            rows = list(csv.DictReader(f))
        return (JISC_CSV, rows) if rows and "Domain Name" in rows[0] else None
    if suffix in (".yml", ".yaml"):
        import yaml  # only the build needs PyYAML

        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return (NOTIFY_YAML, data) if isinstance(data, dict) else None
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("domains"), list):
            return UKPS_JSON, data
        first = next(iter(data.values()), None) if isinstance(data, dict) else None
        if isinstance(first, dict) and "title" in first and "format" in first:
            return GOVUK_ORGS, data
    return None


def build(paths: list[Path], built: dt.date | None = None, base: dict | None = None) -> dict:
    """Read the given source files and return the merged table.

    `base` is a table already built (the shipped domains.json), taken as the
    oldest source: `meetup-bot domains import` lays a newer copy of one list
    over it, so what that list does not cover is kept, not lost.
    """
    found = _read_sources(paths)
    if not any(kind in found for kind in PRECEDENCE):
        raise ValueError("No domain list found. Pass user_domains.json, domains.yml or the Jisc CSV.")

    orgs: dict = {}
    for data in found.get(GOVUK_ORGS, []):
        orgs.update(data)
    govuk = Govuk(orgs)
    readers: dict[str, Callable[[Any, Govuk], dict]] = {
        UKPS_JSON: read_ukps,
        NOTIFY_YAML: read_notify_yaml,
        JISC_CSV: read_jisc_csv,
    }

    merged = _merge(found, readers, govuk, base)
    for domain in NAMESPACES:
        merged.pop(domain, None)
    for domain, sector in DOMAIN_SECTORS.items():
        if domain in merged:
            merged[domain]["sector"] = sector
    for entry in merged.values():
        # Listed by a public-sector source, but nothing says which kind.
        entry["sector"] = entry["sector"] or PUBLIC

    built = built or _build_date()
    kinds = [k for k in (UKPS_JSON, GOVUK_ORGS, NOTIFY_YAML, JISC_CSV) if k in found]
    labels = [LABELS[k] for k in kinds]
    if base:
        labels.append(f"over the list shipped with the bot (built {base['built']})")
    return {
        "source": "; ".join(labels) + f"; built {built.isoformat()}. See ATTRIBUTION.md.",
        "built": built.isoformat(),
        "domains": {d: merged[d] for d in sorted(merged)},
    }


def _read_sources(paths: list[Path]) -> dict[str, list]:
    """Each kind of list found, with the parsed contents of each file of it."""
    found: dict[str, list] = {}
    for path in map(Path, paths):
        detected = detect(path)
        if detected is None:
            print(f"Skipped {path}: not a domain list this build knows", file=sys.stderr)
            continue
        kind, data = detected
        found.setdefault(kind, []).append(data)
    return found


def _merge(
    found: dict[str, list], readers: dict[str, Callable[[Any, Govuk], dict]], govuk: Govuk, base: dict | None
) -> dict[str, dict]:
    """The lists' entries laid over `base`, in PRECEDENCE order: for each
    field, the last list that gives a value wins."""
    merged: dict[str, dict] = {d: dict(e) for d, e in (base or {}).get("domains", {}).items()}
    for kind in PRECEDENCE:
        for data in found.get(kind, []):
            for domain, entry in readers[kind](data, govuk).items():
                current = merged.setdefault(domain, _entry(None, None))
                place = entry.pop("place", None)
                if place and _contains(current["organisation"], place):
                    # ukps-domains names councils by place ("Kent"); an older
                    # list's full name for the same place ("Kent County Council")
                    # is better than our guess ("Kent Council"). A name for
                    # another place is a council since merged away: ours wins.
                    entry["organisation"] = None
                for field, value in entry.items():
                    if value is not None:
                        current[field] = value
    return merged


def _build_date() -> dt.date:
    # SOURCE_DATE_EPOCH makes a rebuild byte-for-byte reproducible.
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


def dumps(table: dict) -> str:
    """Compact JSON with one domain a line, so a rebuild diffs readably."""
    lines = [
        f'{{"source": {json.dumps(table["source"], ensure_ascii=False)}, "built": "{table["built"]}", "domains": {{'
    ]
    items = [
        f"{json.dumps(d, ensure_ascii=False)}: {json.dumps(e, ensure_ascii=False)}" for d, e in table["domains"].items()
    ]
    lines.append(",\n".join(items))
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.domains.build", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, help="source files (others are skipped)")
    parser.add_argument("-o", "--output", type=Path, default=DATA_FILE, help=f"default: {DATA_FILE}")
    args = parser.parse_args(argv)
    for path in args.paths:
        if not path.is_file():
            print(f"{path} does not exist or is not a file. Check the path.", file=sys.stderr)
            return 2
    try:
        table = build(args.paths)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(dumps(table), encoding="utf-8")
    counts = Counter(e["sector"] for e in table["domains"].values())
    print(f"Wrote {len(table['domains'])} domains to {args.output}")
    for sector in SECTORS:
        print(f"  {sector}: {counts[sector]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
