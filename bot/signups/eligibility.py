"""Who may come to a meetup: the email domain decides first, then what the
person says about how they work in government.

Pure functions: no Slack, no database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.domains.lookup import DomainMatch
from bot.meetups.audience import CORE_GOVERNMENT, OPTIONAL_SECTORS

# How a person works in government, as asked in the sign-up modal.
CIVIL_SERVANT = "civil_servant"
CONTRACTOR = "contractor"
SUPPLIER = "supplier"
ROLES = {
    CIVIL_SERVANT: "Civil servant or employee of a public body",
    CONTRACTOR: "Contractor working in a government team",
    SUPPLIER: "Supplier of contracted services, or other",
}


class Eligibility(StrEnum):
    ELIGIBLE = "eligible"
    NEEDS_APPROVAL = "needs_approval"
    NOT_ELIGIBLE = "not_eligible"


# For `/meetup help`: what `decide` below does, in a few sentences. Contractors
# working in government are welcome: the email domain decides, as for anyone.
WHO_CAN_COME = (
    "*Who can come*\n"
    "Each meetup says who it is for. If the email address on your Slack profile is from a recognised "
    "public body that the meetup includes, you get a place straight away, contractors included. "
    "If the bot does not recognise your email address, an organiser checks your sign-up first. "
    "Suppliers of contracted services cannot come, unless a meetup is open to everyone."
)


@dataclass(frozen=True)
class Decision:
    outcome: Eligibility
    reason: str  # plain English for the person (and organisers)


def audience_sentence(audience: str, extra_sectors: frozenset[str]) -> str:
    """Answers "does NHS count?" for one meetup."""
    if audience == "open":
        return "Open to everyone."
    if audience == "public_sector":
        return "Open to everyone working in the UK public sector."
    included = ["central government", "devolved government", "arm's-length bodies"]
    included += [label for key, label in OPTIONAL_SECTORS.items() if key in extra_sectors]
    text = "For people working in " + ", ".join(included[:-1]) + " and " + included[-1]
    text += ", including contractors working in government teams. Suppliers of contracted services cannot come."
    return text


def _admitted(audience: str, extra_sectors: frozenset[str], sector: str) -> bool:
    if audience in ("open", "public_sector"):
        return True
    return sector in CORE_GOVERNMENT or sector in extra_sectors


def decide(
    *,
    audience: str,
    extra_sectors: frozenset[str],
    match: DomainMatch | None,
    role: str,
    contact: str = "the meetup organisers",
) -> Decision:
    """Decide whether someone can take a place.

    - open meetups admit everyone;
    - suppliers cannot come to government or public-sector meetups;
    - a recognised domain in a sector the meetup admits is eligible;
    - a recognised domain in a sector it does not admit is not eligible,
      unless the person says they are a contractor in a government team;
    - anyone else (an unrecognised domain, a generic public-sector domain at a
      government meetup) waits for an organiser to approve them.
    """
    if audience == "open":
        return Decision(Eligibility.ELIGIBLE, "This meetup is open to everyone.")
    if role == SUPPLIER:
        return Decision(
            Eligibility.NOT_ELIGIBLE,
            "This meetup is for people working in government, including contractors working in "
            "government teams. Suppliers of contracted services cannot come. "
            f"If you think this is wrong, contact {contact}.",
        )
    if match is not None and match.sector != "public_sector" and _admitted(audience, extra_sectors, match.sector):
        return Decision(
            Eligibility.ELIGIBLE, f"Your email address is from {match.organisation or 'a recognised public body'}."
        )
    if match is not None and audience == "public_sector":
        return Decision(Eligibility.ELIGIBLE, "Your email address is from a recognised public sector domain.")
    if match is not None and match.sector in OPTIONAL_SECTORS and role != CONTRACTOR:
        label = OPTIONAL_SECTORS[match.sector]
        return Decision(
            Eligibility.NOT_ELIGIBLE,
            f"This meetup is for people working in central and devolved government and arm's-length "
            f"bodies. People from the {label} cannot come to this one. "
            f"If you think this is wrong, contact {contact}.",
        )
    if role == CONTRACTOR:
        return Decision(Eligibility.NEEDS_APPROVAL, "An organiser needs to confirm the government team you work in.")
    return Decision(
        Eligibility.NEEDS_APPROVAL, "We do not recognise your email address, so an organiser needs to check it."
    )
