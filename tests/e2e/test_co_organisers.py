"""A host team for each meetup (issue 20, item 2): organisers name
co-organisers in the meetup form, who can then run that meetup's list,
approvals, edit and messages, and nothing of another meetup. Tried as people
would, with signed requests against the fake Slack."""

from __future__ import annotations

from bot.organising.co_organisers import co_organisers_of
from bot.signups.signups import find_registration
from handlers.blocks import approvals as approval_blocks
from handlers.blocks.organising import CO_ORGANISERS_BLOCK
from storage.models import CONFIRMED, PENDING
from tests.support.app import ORGANISER
from tests.support.approvals import CONTRACTOR, SAM, press, request_shown, requests_posted
from tests.support.attendee_messages import from_organisers, preview, records, send
from tests.support.organising import (
    ADA,
    SIGNUP,
    add_people,
    create_meetup_in_modal,
    eventually,
    form_answers,
    meetup_id_of,
    open_form,
    sign_up_from_card,
)

CAROL, EVE = "U0CAROL", "U0EVE"


def two_meetups(bot) -> tuple[dict, dict]:
    """Two meetups made through the form: Carol co-organises the first only."""
    bot.fake.add_user(CAROL, real_name="Carol Host", email="carol@justice.gov.uk")
    bot.fake.add_user(EVE, real_name="Eve Example", email="eve@justice.gov.uk")
    bot.fake.add_user(SAM, real_name="Sam Contractor", email="sam@contractor.example")
    hosted, _ = create_meetup_in_modal(bot, co_organisers=[CAROL])
    other, _ = create_meetup_in_modal(bot, title="Another meetup", date="2027-03-26")
    return hosted, other


def form_blocks(view: dict) -> list[str]:
    return [block.get("block_id", "") for block in view["blocks"]]


def test_a_co_organiser_runs_the_list_for_their_meetup_but_not_for_another(bot):
    hosted, other = two_meetups(bot)
    hosted_id, other_id = meetup_id_of(hosted), meetup_id_of(other)
    assert co_organisers_of(bot.db, hosted_id) == [CAROL]

    theirs = bot.slack.command(f"list {hosted_id}", user_id=CAROL).message()
    assert theirs["text"] == "Sign-ups for Cross-government open source meetup"
    # With no ID, their only meetup.
    assert bot.slack.command("list", user_id=CAROL).message()["text"] == theirs["text"]

    refused = bot.slack.command(f"list {other_id}", user_id=CAROL).message()["text"]
    assert refused.startswith("You can use `/meetup list` only for a meetup you co-organise.")
    assert f"{hosted_id}: Cross-government open source meetup" in refused
    assert "Another meetup" not in refused
    # Nothing beyond what co-organisers may do.
    for name in ("new", "stats", "announce"):
        reply = bot.slack.command(f"{name} {hosted_id}", user_id=CAROL).message()
        assert reply["text"].startswith(f"Only organisers can use `/meetup {name}`"), name


def test_help_shows_a_co_organiser_the_commands_for_their_meetups(bot):
    hosted, _ = two_meetups(bot)
    shown = bot.slack.command("help", user_id=CAROL).message()["text"]
    assert f"*For the meetups you help run*: Cross-government open source meetup (ID {meetup_id_of(hosted)})" in shown
    for name in ("list", "export", "edit", "message"):
        assert f"`/meetup {name} " in shown, name
    assert "`/meetup new`" not in shown and "`/meetup stats`" not in shown and "For organisers" not in shown
    # Someone who helps run nothing sees what they saw before.
    assert "help run" not in bot.slack.command("help", user_id=EVE).message()["text"]


def test_someone_who_co_organises_nothing_gets_the_same_refusal_as_before(bot):
    hosted, _ = two_meetups(bot)
    for command in (f"list {meetup_id_of(hosted)}", "list", f"export {meetup_id_of(hosted)}", "message"):
        name = command.split()[0]
        reply = bot.slack.command(command, user_id=EVE).message()
        assert reply["text"] == f"Only organisers can use `/meetup {name}`. Use `/meetup help` to see what you can do."


def test_a_co_organiser_is_asked_and_can_approve_for_their_meetup_but_not_another(bot):
    hosted, other = two_meetups(bot)
    carol_dm = bot.fake.dm_channel(CAROL)
    sign_up_from_card(bot, SAM, CONTRACTOR, hosted)
    eventually(lambda: "Approve" in request_shown(bot.fake, carol_dm))
    # The organiser is asked too, as before.
    eventually(lambda: "Approve" in request_shown(bot.fake, bot.fake.dm_channel(ORGANISER)))

    sign_up_from_card(bot, SAM, CONTRACTOR, other)
    elsewhere = find_registration(bot.db, meetup_id_of(other), SAM)
    assert elsewhere.status == PENDING
    # Carol is not asked about the other meetup, and a forged button changes nothing.
    eventually(lambda: len(requests_posted(bot.fake)) == 3)  # the organiser twice, Carol once
    assert len([c for c in requests_posted(bot.fake) if c.args["channel"] in (CAROL, carol_dm)]) == 1
    reply = bot.slack.block_action(
        user_id=CAROL,
        action_id=approval_blocks.APPROVE_ACTION,
        value=str(elsewhere.id),
        response_url=bot.fake.response_url(),
    )
    assert reply.status == 200
    eventually(lambda: "Only organisers can approve" in str(bot.fake.responses))
    assert find_registration(bot.db, meetup_id_of(other), SAM).status == PENDING

    mine = find_registration(bot.db, meetup_id_of(hosted), SAM)
    press(bot, CAROL, approval_blocks.APPROVE_ACTION, mine.id, carol_dm)
    eventually(lambda: find_registration(bot.db, meetup_id_of(hosted), SAM).status == CONFIRMED)
    assert find_registration(bot.db, meetup_id_of(hosted), SAM).decided_by == CAROL


def test_the_edit_form_keeps_the_co_organisers(bot):
    hosted, other = two_meetups(bot)
    hosted_id = meetup_id_of(hosted)

    form = open_form(bot, f"edit {hosted_id}")
    [question] = [b for b in form["blocks"] if b.get("block_id") == CO_ORGANISERS_BLOCK]
    assert question["element"]["initial_users"] == [CAROL]
    reply = bot.slack.submit_view(form, {**form_answers(form), "capacity": "5"}, user_id=ORGANISER)
    assert "Changes saved" in reply.body
    assert co_organisers_of(bot.db, hosted_id) == [CAROL]

    # Carol changes the meetup from a form without the question: the team stays.
    theirs = open_form(bot, f"edit {hosted_id}", user_id=CAROL)
    assert CO_ORGANISERS_BLOCK not in form_blocks(theirs)
    reply = bot.slack.submit_view(theirs, {**form_answers(theirs), "capacity": "6"}, user_id=CAROL)
    assert "Changes saved" in reply.body
    assert co_organisers_of(bot.db, hosted_id) == [CAROL]

    # Carol's copy of a form for the other meetup is refused.
    elsewhere = open_form(bot, f"edit {meetup_id_of(other)}")
    reply = bot.slack.submit_view(elsewhere, {**form_answers(elsewhere), "capacity": "1"}, user_id=CAROL)
    assert "Only organisers can change meetups." in reply.body

    # The organiser takes Carol off the team.
    form = open_form(bot, f"edit {hosted_id}")
    bot.slack.submit_view(form, {**form_answers(form), CO_ORGANISERS_BLOCK: []}, user_id=ORGANISER)
    assert co_organisers_of(bot.db, hosted_id) == []
    refused = bot.slack.command(f"list {hosted_id}", user_id=CAROL).message()["text"]
    assert refused.startswith("Only organisers can use `/meetup list`")


def test_a_co_organiser_messages_their_meetups_attendees(bot):
    hosted, other = two_meetups(bot)
    add_people(bot.fake)
    sign_up_from_card(bot, ADA, {**SIGNUP, "full_name": "Ada Lovelace"}, hosted)
    send(bot, preview(bot, user_id=CAROL), user_id=CAROL)
    eventually(lambda: from_organisers(bot.fake, ADA))
    [record] = records(bot)
    assert (record.meetup_id, record.sent_by) == (meetup_id_of(hosted), CAROL)

    refused = bot.slack.command(f"message {meetup_id_of(other)}", user_id=CAROL).message()["text"]
    assert refused.startswith("You can use `/meetup message` only for a meetup you co-organise.")
