from bot.domains.lookup import DomainMatch
from bot.signups.eligibility import CIVIL_SERVANT, CONTRACTOR, SUPPLIER, Eligibility, audience_sentence, decide

ELIGIBLE, NEEDS_APPROVAL, NOT_ELIGIBLE = Eligibility.ELIGIBLE, Eligibility.NEEDS_APPROVAL, Eligibility.NOT_ELIGIBLE

CABINET_OFFICE = DomainMatch("cabinet-office.gov.uk", "Cabinet Office", "central_government")
NHS = DomainMatch("*.nhs.uk", None, "nhs")
LEEDS = DomainMatch("leeds.gov.uk", "Leeds City Council", "local_authority")
GENERIC = DomainMatch("*.gov.uk", None, "public_sector")


def outcome(match, role=CIVIL_SERVANT, audience="government", extra=frozenset()):
    return decide(audience=audience, extra_sectors=frozenset(extra), match=match, role=role).outcome


def test_central_government_domain_is_eligible():
    assert outcome(CABINET_OFFICE) == ELIGIBLE


def test_suppliers_cannot_come_to_government_meetups_even_from_a_government_domain():
    decision = decide(
        audience="government",
        extra_sectors=frozenset(),
        match=CABINET_OFFICE,
        role=SUPPLIER,
        contact="meetups@example.gov.uk",
    )
    assert decision.outcome == NOT_ELIGIBLE
    assert "Suppliers of contracted services cannot come" in decision.reason
    assert "meetups@example.gov.uk" in decision.reason


def test_unrecognised_domain_contractor_waits_for_approval():
    assert outcome(None, role=CONTRACTOR) == NEEDS_APPROVAL


def test_unrecognised_domain_civil_servant_waits_for_approval_rather_than_being_turned_away():
    assert outcome(None) == NEEDS_APPROVAL


def test_nhs_counts_only_when_the_organiser_ticks_it():
    assert outcome(NHS) == NOT_ELIGIBLE
    assert outcome(NHS, extra={"nhs"}) == ELIGIBLE
    assert outcome(LEEDS) == NOT_ELIGIBLE
    assert outcome(LEEDS, extra={"local_authority"}) == ELIGIBLE


def test_contractor_with_an_excluded_sector_domain_can_ask_for_approval():
    assert outcome(NHS, role=CONTRACTOR) == NEEDS_APPROVAL


def test_generic_gov_uk_domain_needs_approval_for_government_but_is_fine_for_public_sector():
    assert outcome(GENERIC) == NEEDS_APPROVAL
    assert outcome(GENERIC, audience="public_sector") == ELIGIBLE
    assert outcome(NHS, audience="public_sector") == ELIGIBLE


def test_public_sector_meetup_still_sends_unknown_domains_to_approval_and_refuses_suppliers():
    assert outcome(None, audience="public_sector") == NEEDS_APPROVAL
    assert outcome(NHS, role=SUPPLIER, audience="public_sector") == NOT_ELIGIBLE


def test_open_meetups_admit_everyone():
    assert outcome(None, role=SUPPLIER, audience="open") == ELIGIBLE


def test_audience_sentence_answers_does_nhs_count():
    assert "NHS" not in audience_sentence("government", frozenset())
    assert "NHS" in audience_sentence("government", frozenset({"nhs"}))
    assert audience_sentence("open", frozenset()) == "Open to everyone."
