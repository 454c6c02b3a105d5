"""Attendees change their own details without losing their place (issue 20,
item 4): from the Home tab or `/meetup signup`, the sign-up form comes back
filled in with their answers."""

from __future__ import annotations

import csv
import io

from bot.signups.signups import find_registration
from storage.models import CONFIRMED, PENDING, WAITLISTED
from tests.support.app import ORGANISER
from tests.support.approvals import CONTRACTOR, SAM, request_shown
from tests.support.blocks import block_texts, buttons
from tests.support.factories import make_meetup
from tests.support.messages import dm_saying, dms_to
from tests.support.organising import csv_shares, eventually, form_answers, open_home, opened_view, press_on_home
from tests.support.signup import ADA, GOOD_ANSWERS, open_modal

BOB = "U0BOB"
VEGETARIAN = {**GOOD_ANSWERS, "dietary_needs": "Vegetarian", "needs_consent": ["yes"]}


def signed_up(bot, user_id, name, answers=VEGETARIAN, email=None):
    bot.fake.add_user(user_id, real_name=name, email=email or f"{user_id.lower()}@justice.gov.uk")
    _, view = open_modal(bot, user_id)
    assert bot.slack.submit_view(view, {**answers, "full_name": name}, user_id=user_id).status == 200


def change_form_from_home(bot, user_id, meetup_id) -> dict:
    open_home(bot, user_id)
    home = bot.fake.home_views[user_id]
    assert ("Change my details", "change_details", str(meetup_id)) in buttons(home["blocks"])
    before = len(bot.fake.calls_to("views.open"))
    assert press_on_home(bot, user_id, "change_details", meetup_id).status == 200
    return opened_view(bot, before + 1)


def change_form_from_command(bot, user_id, meetup_id) -> dict:
    """`/meetup signup` when already signed up offers the change; pressing it opens the form."""
    reply = bot.slack.command("signup", user_id=user_id).message()
    assert reply["text"].startswith("You have already signed up")
    assert ("Change my details", "change_details", str(meetup_id)) in buttons(reply["blocks"])
    before = len(bot.fake.calls_to("views.open"))
    pressed = bot.slack.block_action(
        user_id=user_id,
        action_id="change_details",
        value=str(meetup_id),
        response_url="https://hooks.slack.com/actions/T0001/1/abc",
    )
    assert pressed.status == 200
    return opened_view(bot, before + 1)


def test_an_attendee_changes_their_dietary_answer_and_keeps_their_place(bot):
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=1)
    signed_up(bot, ADA, "Ada Lovelace")
    bot.clock.advance(seconds=1)
    signed_up(bot, BOB, "Bob Brown")
    bot.clock.advance(seconds=1)
    signed_up(bot, "U0CAT", "Cat Jones")
    ada, bob = find_registration(bot.db, meetup.id, ADA), find_registration(bot.db, meetup.id, BOB)
    assert (ada.status, bob.status) == (CONFIRMED, WAITLISTED)
    bot.clock.advance(minutes=5)

    view = change_form_from_home(bot, ADA, meetup.id)
    assert view["callback_id"] == "change_details" and view["submit"]["text"] == "Save changes"
    answers = form_answers(view)
    assert answers["full_name"] == "Ada Lovelace" and answers["dietary_needs"] == "Vegetarian"
    assert answers["needs_consent"] == ["yes"]
    assert "organisation" not in answers and "role" not in answers  # eligibility does not change
    assert "cannot be changed here" in block_texts(view["blocks"])
    reply = bot.slack.submit_view(view, {**answers, "dietary_needs": "Vegan"}, user_id=ADA)
    assert reply.status == 200 and reply.body == ""

    after = find_registration(bot.db, meetup.id, ADA)
    assert (after.status, after.dietary_needs, after.confirmed_at) == (CONFIRMED, "Vegan", ada.confirmed_at)
    assert after.needs_consent_at == ada.needs_consent_at  # consent given at sign-up still stands
    dm_saying(bot.fake, ADA, "We have saved the changes to your details")

    view = change_form_from_command(bot, BOB, meetup.id)
    bot.slack.submit_view(view, {**form_answers(view), "dietary_needs": "No nuts"}, user_id=BOB)
    after = find_registration(bot.db, meetup.id, BOB)
    assert (after.status, after.waitlist_number, after.dietary_needs) == (WAITLISTED, bob.waitlist_number, "No nuts")
    dm_saying(bot.fake, BOB, "You keep your place on the waitlist")
    # Still first in the queue: the next free place is Bob's, not Cat's.
    bot.slack.command("cancel", user_id=ADA)
    assert find_registration(bot.db, meetup.id, BOB).status == CONFIRMED
    assert find_registration(bot.db, meetup.id, "U0CAT").status == WAITLISTED


def test_withdrawn_consent_clears_the_needs(bot):
    meetup = make_meetup(bot.db, now=bot.clock())
    signed_up(bot, ADA, "Ada Lovelace", {**VEGETARIAN, "access_needs": "Step-free access"})
    view = change_form_from_home(bot, ADA, meetup.id)
    bot.slack.submit_view(view, {**form_answers(view), "needs_consent": []}, user_id=ADA)
    after = find_registration(bot.db, meetup.id, ADA)
    assert (after.dietary_needs, after.access_needs, after.needs_consent_at) == ("", "", None)
    assert after.status == CONFIRMED


def test_a_bad_value_gets_a_field_error_and_nothing_changes(bot):
    meetup = make_meetup(bot.db, now=bot.clock())
    signed_up(bot, ADA, "Ada Lovelace")
    eventually(lambda: dms_to(bot.fake, ADA))
    view = change_form_from_home(bot, ADA, meetup.id)
    reply = bot.slack.submit_view(view, {**form_answers(view), "full_name": " ", "dietary_needs": "Vegan"}, user_id=ADA)
    assert reply.json() == {"response_action": "errors", "errors": {"full_name": "Enter your full name"}}
    after = find_registration(bot.db, meetup.id, ADA)
    assert (after.full_name, after.dietary_needs) == ("Ada Lovelace", "Vegetarian")
    assert len(dms_to(bot.fake, ADA)) == 1  # only the sign-up's


def test_the_export_and_a_waiting_request_show_the_new_values(bot):
    meetup = make_meetup(bot.db, now=bot.clock())
    signed_up(bot, ADA, "Ada Lovelace")
    signed_up(bot, SAM, "Sam Contractor", CONTRACTOR, email="sam@contractor.example")
    assert find_registration(bot.db, meetup.id, SAM).status == PENDING
    organiser_dm = bot.fake.dm_channel(ORGANISER)
    eventually(lambda: "GOV.UK Pay" in request_shown(bot.fake, organiser_dm))

    view = change_form_from_command(bot, SAM, meetup.id)
    bot.slack.submit_view(view, {**form_answers(view), "government_team": "HMRC, Making Tax Digital"}, user_id=SAM)
    eventually(lambda: "Making Tax Digital" in request_shown(bot.fake, organiser_dm))
    # A second change reaches the request too.
    bot.clock.advance(seconds=1)
    view = change_form_from_command(bot, SAM, meetup.id)
    bot.slack.submit_view(view, {**form_answers(view), "government_team": "HMRC, Self Assessment"}, user_id=SAM)
    eventually(lambda: "Self Assessment" in request_shown(bot.fake, organiser_dm))
    listed = bot.slack.command("list", user_id=ORGANISER).message()
    assert "team: HMRC, Self Assessment" in block_texts(listed.get("blocks"))

    view = change_form_from_home(bot, ADA, meetup.id)
    bot.slack.submit_view(view, {**form_answers(view), "full_name": "Augusta Ada King"}, user_id=ADA)
    bot.slack.command("export", user_id=ORGANISER)
    eventually(lambda: csv_shares(bot.fake))
    [share] = csv_shares(bot.fake)
    rows = list(csv.reader(io.StringIO(bot.fake.uploads[share["file_ids"][0]].decode())))
    assert [r[0] for r in rows[1:]] == ["Augusta Ada King"]
