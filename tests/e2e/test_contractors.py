"""Contractors with a recognised government address get a place; the README
and `/meetup help` say so (issue 16, item 9)."""

from pathlib import Path

from bot.domains.lookup import DomainMatch
from bot.signups.eligibility import CONTRACTOR, WHO_CAN_COME, Eligibility, decide
from bot.signups.signups import find_registration
from storage.models import CONFIRMED
from tests.support.factories import make_meetup
from tests.support.messages import dm_saying
from tests.support.signup import ADA, GOOD_ANSWERS, open_modal

JUSTICE = DomainMatch("justice.gov.uk", "Ministry of Justice", "central_government")
NHS = DomainMatch("*.nhs.uk", None, "nhs")


def test_a_contractor_with_a_recognised_government_address_is_eligible():
    decision = decide(audience="government", extra_sectors=frozenset(), match=JUSTICE, role=CONTRACTOR)
    assert decision.outcome == Eligibility.ELIGIBLE
    # Outside the sectors the meetup includes, an organiser confirms the team.
    outside = decide(audience="government", extra_sectors=frozenset(), match=NHS, role=CONTRACTOR)
    assert outside.outcome == Eligibility.NEEDS_APPROVAL


def test_a_contractor_with_a_recognised_government_address_gets_a_place(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada.lovelace@justice.gov.uk")
    meetup = make_meetup(bot.db, now=bot.clock())
    _, view = open_modal(bot)
    reply = bot.slack.submit_view(
        view, {**GOOD_ANSWERS, "role": "contractor", "government_team": "MoJ Digital, Legal Aid Agency"}, user_id=ADA
    )
    assert reply.status == 200
    assert find_registration(bot.db, meetup.id, ADA).status == CONFIRMED
    dm_saying(bot.fake, ADA, "You have a place")


def test_help_says_who_can_come_as_the_code_decides_it(bot):
    text = bot.slack.command("help", user_id=ADA).message()["text"]
    assert WHO_CAN_COME in text
    assert "you get a place straight away, contractors included" in text
    assert "an organiser checks your sign-up first" in text


def test_the_readme_no_longer_says_contractors_wait_for_approval():
    readme = " ".join(Path(__file__).resolve().parents[2].joinpath("README.md").read_text().split())
    assert "or a contractor working in a government team, waits for an organiser's approval" not in readme
    assert "a contractor whose address is from a recognised domain the meetup includes gets a place" in readme
