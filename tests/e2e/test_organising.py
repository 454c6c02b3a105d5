"""Organisers run the series from Slack, end to end: signed requests to the
real HTTP server, Web API calls answered by the fake Slack, assertions on what
Slack would show and what the database holds."""

import csv
import io
from datetime import timedelta

import pytest

from bot.meetups.meetups import get_meetup
from bot.signups.export import list_exports
from bot.signups.signups import find_registration, overview
from storage.models import CANCELLED, CONFIRMED, DECLINED, PENDING, WAITLISTED
from tests.support.app import CHANNEL, ORGANISER, start_bot
from tests.support.blocks import block_texts, buttons
from tests.support.messages import dms_to
from tests.support.organising import (
    NEW_MEETUP,
    card,
    create_meetup_in_modal,
    csv_shares,
    csv_uploads,
    eventually,
    form_answers,
    meetup_id_of,
    open_form,
    open_new_meetup_form,
    opened_view,
    sign_up_from_card,
)

ADA, BOB, SAM, EVE = "U0ADA", "U0BOB", "U0SAM", "U0EVE"
SIGNUP = {"full_name": "Ada Lovelace", "organisation": "Cabinet Office", "role": "civil_servant"}


def add_people(fake):
    fake.add_user(ADA, real_name="Ada Lovelace", email="ada@digital.cabinet-office.gov.uk")
    fake.add_user(BOB, real_name="Bob Brown", email="bob@homeoffice.gov.uk")
    fake.add_user(SAM, real_name="Sam Contractor", email="sam@contractor.example")
    fake.add_user(EVE, real_name="Eve Example", email="eve@justice.gov.uk")


def approval_messages(fake, channel):
    return [m for m in fake.messages(channel) if "asked for a place" in block_texts(m.get("blocks"))]


def press(bot, user_id, action_id, value, message, channel, *, response_url=True):
    return bot.slack.block_action(
        user_id=user_id,
        action_id=action_id,
        value=str(value),
        container={"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False},
        response_url=bot.fake.response_url() if response_url else None,
    )


def test_an_organiser_runs_a_meetup_from_slack_end_to_end(bot):
    """The issue's "Done when", as a new user would try it."""
    add_people(bot.fake)

    # An organiser creates a meetup in the modal; the card appears in the channel.
    posted, answer = create_meetup_in_modal(bot)
    assert answer is None  # the form closed
    meetup_id = meetup_id_of(posted)
    text = block_texts(posted["blocks"])
    assert "Cross-government open source meetup" in text
    assert "Friday 26 February 2027, 1pm to 5pm" in text
    assert "Ministry of Justice, 102 Petty France, London" in text
    assert "NHS" in text  # does NHS count? For this meetup, yes.
    assert "Open source at GCHQ*, Sam Smith (GCHQ)" in text
    assert "*3 places left*" in text
    assert ("Sign up", "open_signup", str(meetup_id)) in buttons(posted["blocks"])
    bot.fake.wait_for("chat.postMessage", count=2)
    stored = get_meetup(bot.db, meetup_id)
    assert (stored.announcement_channel, stored.announcement_ts) == (CHANNEL, posted["ts"])
    assert "You created *Cross-government open source meetup*" in block_texts(dms_to(bot.fake, ORGANISER)[0]["blocks"])

    # People sign up from its button; the card's count follows.
    sign_up_from_card(bot, ADA, SIGNUP, posted)
    assert find_registration(bot.db, meetup_id, ADA).status == CONFIRMED
    eventually(lambda: "*2 places left*" in block_texts(card(bot)["blocks"]))
    sign_up_from_card(bot, BOB, {**SIGNUP, "full_name": "Bob Brown", "organisation": "Home Office"}, posted)
    eventually(lambda: "*1 place left*" in block_texts(card(bot)["blocks"]))

    # A contractor from an unrecognised domain lands in the approvals message.
    sign_up_from_card(
        bot,
        SAM,
        {
            "full_name": "Sam Contractor",
            "organisation": "Acme Digital",
            "role": "contractor",
            "government_team": "GDS, GOV.UK Pay",
        },
        posted,
    )
    sam = find_registration(bot.db, meetup_id, SAM)
    assert sam.status == PENDING
    organiser_dm = bot.fake.dm_channel(ORGANISER)
    [request] = eventually(lambda: approval_messages(bot.fake, organiser_dm))
    request_text = block_texts(request["blocks"])
    assert "*Sam Contractor* (<@U0SAM>) asked for a place" in request_text
    assert "*Organisation:* Acme Digital" in request_text
    assert "*How they work in government:* Contractor working in a government team" in request_text
    assert "*Government team:* GDS, GOV.UK Pay" in request_text
    assert [b[:2] for b in buttons(request["blocks"])] == [
        ("Approve", "approve_registration"),
        ("Decline", "decline_registration"),
    ]

    # A non-organiser's forged Approve click changes nothing.
    forged = press(bot, ADA, "approve_registration", sam.id, request, organiser_dm)
    assert forged.status == 200
    [refusal] = bot.fake.wait_for_response()
    assert refusal["body"]["text"] == "Only organisers can approve or decline sign-ups."
    assert refusal["body"]["response_type"] == "ephemeral"
    assert find_registration(bot.db, meetup_id, SAM).status == PENDING
    assert find_registration(bot.db, meetup_id, SAM).decided_by is None
    assert "approved" not in block_texts(approval_messages(bot.fake, organiser_dm)[0]["blocks"])

    # An organiser approves: Sam gets the last place and a DM; the message shows who decided.
    press(bot, ORGANISER, "approve_registration", sam.id, request, organiser_dm)
    eventually(lambda: find_registration(bot.db, meetup_id, SAM).status == CONFIRMED)
    assert find_registration(bot.db, meetup_id, SAM).decided_by == ORGANISER
    decided = eventually(
        lambda: [
            m
            for m in approval_messages(bot.fake, organiser_dm)
            if "Approved by <@U0ORGANISER>: they have a place." in block_texts(m["blocks"])
        ]
    )
    assert buttons(decided[0]["blocks"]) == []
    # It still says why the bot asked: the decision does not overwrite it.
    told = next(line for line in request_text.splitlines() if line.startswith("*What the bot told them:*"))
    assert told in block_texts(decided[0]["blocks"]) and "approved" not in told
    eventually(lambda: dms_to(bot.fake, SAM)[1:])
    assert "An organiser has approved your sign-up" in block_texts(dms_to(bot.fake, SAM)[-1]["blocks"])
    eventually(lambda: "*Full: join the waitlist*" in block_texts(card(bot)["blocks"]))

    # The export arrives as a CSV by DM: the venue list, with no dietary or access needs.
    reply = bot.slack.command("export", user_id=ORGANISER)
    assert reply.message()["text"] == (
        "Sending you 2 lists for *Cross-government open source meetup* (3 people) in direct messages: the venue "
        "list, a file for the building's security desk, and the catering and access list, counts for organisers only."
    )
    eventually(lambda: csv_shares(bot.fake))
    [share] = csv_shares(bot.fake)
    assert share["channel"] == organiser_dm
    rows = list(csv.reader(io.StringIO(bot.fake.uploads[share["file_ids"][0]].decode())))
    assert rows[0] == ["Full name", "Organisation"]
    assert [r[0] for r in rows[1:]] == ["Ada Lovelace", "Bob Brown", "Sam Contractor"]
    assert rows[3] == ["Sam Contractor", "Acme Digital"]
    assert [(e.meetup_id, e.exported_by, e.row_count) for e in list_exports(bot.db)] == [(meetup_id, ORGANISER, 3)]

    # A date change DMs every attendee with what changed.
    before = len(bot.fake.calls_to("views.open"))
    assert bot.slack.command(f"edit {meetup_id}", user_id=ORGANISER).body == ""
    form = opened_view(bot, before + 1)
    reply = bot.slack.submit_view(form, {**form_answers(form), "date": "2027-03-05"}, user_id=ORGANISER)
    assert reply.json()["response_action"] == "update"
    assert "sending a message about the new date to 3 people" in block_texts(reply.json()["view"]["blocks"])
    for person in (ADA, BOB, SAM):
        change = eventually(
            lambda person=person: [d for d in dms_to(bot.fake, person) if "has changed" in block_texts(d["blocks"])]
        )
        assert "The date is now Friday 5 March 2027 (it was Friday 26 February 2027)." in block_texts(
            change[0]["blocks"]
        )
    eventually(lambda: "Friday 5 March 2027, 1pm to 5pm" in block_texts(card(bot)["blocks"]))


def test_the_form_refuses_impossible_values_field_by_field_and_stores_nothing(bot):
    view = open_new_meetup_form(bot)
    reply = bot.slack.submit_view(
        view,
        {
            **NEW_MEETUP,
            "date": "2027-01-01",
            "end_time": "12:00",
            "capacity": "0",
            "agenda": "Good talk | Ada | GDS\nNo speaker here",
        },
        user_id=ORGANISER,
    )
    assert reply.json() == {
        "response_action": "errors",
        "errors": {
            "capacity": "Capacity must be 1 or more",
            "end_time": "The end time must be after the start time",
            "date": "The date and start time must be in the future",
            "agenda": "Line 2 needs a start time, a title, a speaker and their organisation separated by |, "
            "like: 1:30pm | Open source in government | Ada Lovelace | GDS",
        },
    }
    assert bot.fake.messages(CHANNEL) == []
    from bot.meetups.meetups import all_meetups

    assert all_meetups(bot.db) == []


def test_only_organisers_can_open_or_submit_the_form(bot):
    add_people(bot.fake)
    refused = bot.slack.command("new", user_id=ADA).message()
    assert refused == {"text": "Only organisers can use `/meetup new`. Use `/meetup help` to see what you can do."}
    assert bot.fake.calls_to("views.open") == []
    # A forged submission of the form by someone else stores nothing.
    view = open_new_meetup_form(bot)
    reply = bot.slack.submit_view(view, NEW_MEETUP, user_id=ADA).json()
    assert reply["response_action"] == "update"
    assert "Only organisers can create meetups." in block_texts(reply["view"]["blocks"])
    from bot.meetups.meetups import all_meetups

    assert all_meetups(bot.db) == [] and bot.fake.messages(CHANNEL) == []


def test_user_text_on_the_card_is_escaped(bot):
    posted, _ = create_meetup_in_modal(
        bot,
        title="Meetup <!channel>",
        venue="Room <@U0EVE> & co",
        description="Bring <!here> snacks",
        agenda="Talk <!channel> | A | B",
    )
    text = block_texts(posted["blocks"])
    assert "<!channel>" not in text.replace("Meetup <!channel>", "")  # the header is plain text, never a ping
    assert "Room &lt;@U0EVE&gt; &amp; co" in text
    assert "Bring &lt;!here&gt; snacks" in text
    assert "Talk &lt;!channel&gt;" in text
    assert posted["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": "Meetup <!channel>"}}


def test_the_card_follows_cancellations_and_says_when_sign_up_closes(bot):
    add_people(bot.fake)
    posted, _ = create_meetup_in_modal(bot, capacity="1")
    meetup_id = meetup_id_of(posted)
    sign_up_from_card(bot, ADA, SIGNUP, posted)
    eventually(lambda: "*Full: join the waitlist*" in block_texts(card(bot)["blocks"]))
    sign_up_from_card(bot, BOB, {**SIGNUP, "full_name": "Bob Brown"}, posted)
    assert find_registration(bot.db, meetup_id, BOB).status == WAITLISTED

    # Ada cancels with the command: Bob moves up, the card still says full.
    bot.slack.command("cancel", user_id=ADA)
    assert find_registration(bot.db, meetup_id, BOB).status == CONFIRMED
    bot.slack.command("cancel", user_id=BOB)
    eventually(lambda: "*1 place left*" in block_texts(card(bot)["blocks"]))

    # Closing sign-up from the edit form.
    form = open_form(bot, "edit")
    assert ("Close sign-up", "close_signup", str(meetup_id)) in buttons(form["blocks"])
    bot.slack.block_action(
        user_id=ORGANISER,
        action_id="close_signup",
        value=str(meetup_id),
        container={"type": "view", "view_id": form["id"]},
        view=form,
    )
    eventually(lambda: "*Sign-up closed*" in block_texts(card(bot)["blocks"]))
    assert "open_signup" not in [b[1] for b in buttons(card(bot)["blocks"])]
    updated = bot.fake.wait_for("views.update")[-1].args
    assert updated["view_id"] == form["id"]
    assert ("Reopen sign-up", "reopen_signup", str(meetup_id)) in buttons(updated["view"]["blocks"])
    refused = bot.slack.command("signup", user_id=EVE).message()
    assert refused["text"].startswith("There are no meetups open for sign-up at the moment.")

    # Reopening.
    bot.slack.block_action(
        user_id=ORGANISER,
        action_id="reopen_signup",
        value=str(meetup_id),
        container={"type": "view", "view_id": form["id"]},
        view=form,
    )
    eventually(lambda: "*1 place left*" in block_texts(card(bot)["blocks"]))


def test_cancelling_the_meetup_tells_everyone_registered(bot):
    add_people(bot.fake)
    posted, _ = create_meetup_in_modal(bot, capacity="1")
    meetup_id = meetup_id_of(posted)
    sign_up_from_card(bot, ADA, SIGNUP, posted)
    sign_up_from_card(bot, BOB, {**SIGNUP, "full_name": "Bob Brown"}, posted)
    sign_up_from_card(
        bot,
        SAM,
        {"full_name": "Sam Contractor", "organisation": "Acme", "role": "contractor", "government_team": "HMRC"},
        posted,
    )
    organiser_dm = bot.fake.dm_channel(ORGANISER)
    eventually(lambda: approval_messages(bot.fake, organiser_dm))

    before = len(bot.fake.calls_to("views.open"))
    bot.slack.command(f"edit {meetup_id}", user_id=ORGANISER)
    form = opened_view(bot, before + 1)
    # A forged click by someone else changes nothing.
    bot.slack.block_action(
        user_id=EVE,
        action_id="cancel_meetup",
        value=str(meetup_id),
        container={"type": "view", "view_id": form["id"]},
        view=form,
    )
    refusal = bot.fake.wait_for("views.update")[-1].args["view"]
    assert block_texts(refusal["blocks"]) == "Only organisers can cancel a meetup."
    assert get_meetup(bot.db, meetup_id).status == "open"

    bot.slack.block_action(
        user_id=ORGANISER,
        action_id="cancel_meetup",
        value=str(meetup_id),
        container={"type": "view", "view_id": form["id"]},
        view=form,
    )
    eventually(lambda: get_meetup(bot.db, meetup_id).status == "cancelled")
    for person in (ADA, BOB, SAM):
        assert find_registration(bot.db, meetup_id, person).status == CANCELLED
        eventually(lambda person=person: [d for d in dms_to(bot.fake, person) if "has been cancelled" in d["text"]])
    eventually(lambda: "This meetup has been cancelled" in block_texts(card(bot)["blocks"]))
    assert buttons(card(bot)["blocks"]) == []
    eventually(
        lambda: "The meetup was cancelled." in block_texts(approval_messages(bot.fake, organiser_dm)[0]["blocks"])
    )
    refused = bot.slack.command(f"edit {meetup_id}", user_id=ORGANISER).message()
    assert refused["text"] == "Cross-government open source meetup has been cancelled, so it cannot be changed."


def test_edit_refuses_a_capacity_below_the_places_taken(bot):
    add_people(bot.fake)
    posted, _ = create_meetup_in_modal(bot, capacity="5")
    meetup_id = meetup_id_of(posted)
    sign_up_from_card(bot, ADA, SIGNUP, posted)
    sign_up_from_card(bot, BOB, {**SIGNUP, "full_name": "Bob Brown"}, posted)
    form = open_form(bot, "edit")
    assert form_answers(form)["capacity"] == "5"
    assert form_answers(form)["agenda"] == NEW_MEETUP["agenda"]
    reply = bot.slack.submit_view(form, {**form_answers(form), "capacity": "1"}, user_id=ORGANISER).json()
    assert reply == {
        "response_action": "errors",
        "errors": {"capacity": "2 people have a place already. Enter 2 or more"},
    }
    assert get_meetup(bot.db, meetup_id).capacity == 5


def test_a_bigger_capacity_gives_waiting_people_places(bot):
    add_people(bot.fake)
    posted, _ = create_meetup_in_modal(bot, capacity="1")
    meetup_id = meetup_id_of(posted)
    sign_up_from_card(bot, ADA, SIGNUP, posted)
    sign_up_from_card(bot, BOB, {**SIGNUP, "full_name": "Bob Brown"}, posted)
    form = open_form(bot, "edit")
    reply = bot.slack.submit_view(form, {**form_answers(form), "capacity": "2"}, user_id=ORGANISER).json()
    assert "Your changes to *Cross-government open source meetup* are saved." in block_texts(reply["view"]["blocks"])
    assert find_registration(bot.db, meetup_id, BOB).status == CONFIRMED
    eventually(lambda: [d for d in dms_to(bot.fake, BOB) if "A place has become free" in d["text"]])
    eventually(lambda: "*Full: join the waitlist*" in block_texts(card(bot)["blocks"]))
    # Nothing about the date, time or venue changed, so nobody else hears.
    assert not [d for d in dms_to(bot.fake, ADA) if "has changed" in d["text"]]


@pytest.fixture
def two_organisers_bot(fake_slack, database_url, clock):
    fake_slack.add_channel("C0ORGS", name="meetup-organisers")
    running, server, thread = start_bot(
        fake_slack, database_url, clock, ORGANISER_CHANNEL_ID="C0ORGS", ORGANISER_USER_IDS=f"{ORGANISER},U0ORG2"
    )
    yield running
    server.close()
    thread.join(timeout=5)
    running.db.dispose()


def test_approvals_go_to_the_organiser_channel_and_nobody_decides_twice(two_organisers_bot):
    bot = two_organisers_bot
    add_people(bot.fake)
    posted, _ = create_meetup_in_modal(bot, capacity="1")
    meetup_id = meetup_id_of(posted)
    sign_up_from_card(bot, ADA, SIGNUP, posted)
    sign_up_from_card(
        bot,
        SAM,
        {"full_name": "Sam Contractor", "organisation": "Acme", "role": "contractor", "government_team": "HMRC"},
        posted,
    )
    [request] = eventually(lambda: approval_messages(bot.fake, "C0ORGS"))
    assert approval_messages(bot.fake, bot.fake.dm_channel(ORGANISER)) == []
    sam = find_registration(bot.db, meetup_id, SAM)

    # The meetup is full, so approval puts Sam on the waitlist.
    press(bot, "U0ORG2", "approve_registration", sam.id, request, "C0ORGS")
    eventually(lambda: find_registration(bot.db, meetup_id, SAM).status == WAITLISTED)
    eventually(
        lambda: (
            "Approved by <@U0ORG2>: the meetup was full, so they are on the waitlist."
            in block_texts(approval_messages(bot.fake, "C0ORGS")[0]["blocks"])
        )
    )
    dm = eventually(lambda: [d for d in dms_to(bot.fake, SAM) if "approved" in d["text"]])
    assert "You are on the waitlist" in block_texts(dm[0]["blocks"])

    # The second organiser presses Decline on their (stale) copy: nothing changes.
    press(bot, ORGANISER, "decline_registration", sam.id, request, "C0ORGS")
    [late] = bot.fake.wait_for_response(count=1)
    assert late["body"]["text"] == "Already approved by <@U0ORG2>."
    assert find_registration(bot.db, meetup_id, SAM).status == WAITLISTED
    assert find_registration(bot.db, meetup_id, SAM).decided_by == "U0ORG2"


def test_decline_tells_the_person_and_a_withdrawn_request_updates_the_message(bot):
    add_people(bot.fake)
    posted, _ = create_meetup_in_modal(bot)
    meetup_id = meetup_id_of(posted)
    bot.fake.add_user("U0TOM", real_name="Tom Other", email="tom@other.example")
    for user, name in ((SAM, "Sam Contractor"), ("U0TOM", "Tom Other")):
        sign_up_from_card(
            bot,
            user,
            {"full_name": name, "organisation": "Acme", "role": "contractor", "government_team": "HMRC"},
            posted,
        )
    organiser_dm = bot.fake.dm_channel(ORGANISER)

    # The two requests are posted after each sign-up's answer, in either order.
    def request_for(name):
        return next(m for m in approval_messages(bot.fake, organiser_dm) if name in block_texts(m["blocks"]))

    eventually(lambda: len(approval_messages(bot.fake, organiser_dm)) == 2)
    sam = find_registration(bot.db, meetup_id, SAM)
    press(bot, ORGANISER, "decline_registration", sam.id, request_for("Sam Contractor"), organiser_dm)
    eventually(lambda: find_registration(bot.db, meetup_id, SAM).status == DECLINED)
    dm = eventually(lambda: [d for d in dms_to(bot.fake, SAM) if "could not offer you a place" in d["text"]])
    assert "If you think this is wrong, contact the meetup organisers." in dm[0]["text"]
    eventually(lambda: "Declined by <@U0ORGANISER>." in block_texts(request_for("Sam Contractor")["blocks"]))

    bot.slack.command("cancel", user_id="U0TOM")
    eventually(lambda: "They withdrew their request." in block_texts(request_for("Tom Other")["blocks"]))
    assert overview(bot.db, meetup_id).counts == {DECLINED: 1, CANCELLED: 1}


def test_subscribers_get_the_card_by_dm_when_a_meetup_is_announced(bot):
    add_people(bot.fake)
    assert "You will get a direct message" in bot.slack.command("subscribe", user_id=ADA).message()["text"]
    assert "already subscribed" in bot.slack.command("subscribe", user_id=ADA).message()["text"]
    bot.slack.command("subscribe", user_id=BOB)
    assert "no longer get direct messages" in bot.slack.command("unsubscribe", user_id=BOB).message()["text"]
    assert "not subscribed" in bot.slack.command("unsubscribe", user_id=BOB).message()["text"]

    posted, _ = create_meetup_in_modal(bot)
    dm = eventually(lambda: dms_to(bot.fake, ADA))
    assert dm[0]["text"].startswith("New meetup: Cross-government open source meetup")
    assert ("Sign up", "open_signup", str(meetup_id_of(posted))) in buttons(dm[0]["blocks"])
    assert "`/meetup unsubscribe`" in block_texts(dm[0]["blocks"])
    assert dms_to(bot.fake, BOB) == []


def test_when_the_bot_is_not_in_the_channel_the_organiser_is_told_how_to_fix_it(bot):
    bot.fake.not_in_channel.add(CHANNEL)
    view = open_new_meetup_form(bot)
    bot.slack.submit_view(view, NEW_MEETUP, user_id=ORGANISER)
    dm = eventually(lambda: dms_to(bot.fake, ORGANISER))
    assert (
        "could not be posted in <#C0MEETUP>. Invite the bot to the channel with `/invite @meetup`, "
        "then use `/meetup announce 1`."
    ) in block_texts(dm[0]["blocks"])
    bot.fake.not_in_channel.discard(CHANNEL)
    bot.slack.command("subscribe", user_id="U0EVE")
    bot.fake.add_user("U0EVE", real_name="Eve Example", email="eve@justice.gov.uk")
    assert bot.slack.command("announce 1", user_id=ORGANISER).message()["text"].startswith("Posting the announcement")
    posted = eventually(lambda: bot.fake.messages(CHANNEL))
    assert meetup_id_of(posted[0]) == 1
    # Posted at last: subscribers hear about it now, and only once.
    eventually(lambda: dms_to(bot.fake, "U0EVE"))
    bot.slack.command("announce 1", user_id=ORGANISER)
    bot.fake.wait_for("chat.update")
    assert len(bot.fake.messages(CHANNEL)) == 1 and len(dms_to(bot.fake, "U0EVE")) == 1


def test_export_neutralises_formulas_and_refuses_others(bot):
    add_people(bot.fake)
    posted, _ = create_meetup_in_modal(bot)
    sign_up_from_card(
        bot,
        ADA,
        {
            **SIGNUP,
            "full_name": '=HYPERLINK("http://x")',
            "organisation": "@SUM(A1)",
            "dietary_needs": "-1+1",
            "access_needs": "+44 wheelchair",
            "needs_consent": "yes",
        },
        posted,
    )
    refused = bot.slack.command("export", user_id=ADA).message()
    assert refused["text"].startswith("Only organisers can use `/meetup export`.")
    bot.slack.command("export", user_id=ORGANISER)
    eventually(lambda: csv_uploads(bot.fake))
    [content] = csv_uploads(bot.fake)
    row = list(csv.reader(io.StringIO(content.decode())))[1]
    assert row == ['\'=HYPERLINK("http://x")', "'@SUM(A1)"]


def test_export_with_nobody_confirmed_sends_nothing_and_records_nothing(bot):
    create_meetup_in_modal(bot)
    reply = bot.slack.command("export", user_id=ORGANISER).message()
    assert reply["text"] == (
        "Nobody has a place at *Cross-government open source meetup* yet, so there is no visitor list to send."
    )
    assert csv_uploads(bot.fake) == [] and list_exports(bot.db) == []


def test_with_several_meetups_export_and_edit_ask_which(bot):
    create_meetup_in_modal(bot)
    create_meetup_in_modal(bot, title="Second meetup", date="2027-03-26")
    reply = bot.slack.command("export", user_id=ORGANISER).message()["text"]
    assert reply.splitlines() == [
        "There are 2 upcoming meetups. Use `/meetup export ID` with one of these numbers:",
        "1: Cross-government open source meetup, Friday 26 February 2027",
        "2: Second meetup, Friday 26 March 2027",
    ]
    assert bot.slack.command("edit 9", user_id=ORGANISER).message()["text"] == (
        "There is no meetup number 9. Use `/meetup edit ID` with a number from the list."
    )


def test_stats_show_participation_across_the_series(bot):
    add_people(bot.fake)
    posted, _ = create_meetup_in_modal(bot)
    sign_up_from_card(bot, ADA, SIGNUP, posted)
    sign_up_from_card(bot, BOB, {**SIGNUP, "full_name": "Bob Brown", "organisation": "Home Office"}, posted)
    second, _ = create_meetup_in_modal(bot, title="Second meetup", date="2027-03-26")
    sign_up_from_card(bot, ADA, SIGNUP, second)
    assert bot.slack.command("stats", user_id=ADA).message()["text"].startswith("Only organisers")
    text = block_texts(bot.slack.command("stats", user_id=ORGANISER).message()["blocks"])
    assert "2 meetups, 0 held and 2 coming up." in text
    assert "3 sign-ups from 2 people in 2 organisations." in text
    assert "1 person has had a place at more than one meetup." in text
    assert "2 organisations reached: people from them had a place." in text
    assert "• Cabinet Office: 2 sign-ups, 2 meetups" in text
    assert (
        "• Cross-government open source meetup, Friday 26 February 2027: 2 places taken so far, "
        "2 organisations brought together (2 new), 0 people back from an earlier meetup, 2 sign-ups from 2 people"
        in text
    )


def test_approval_requests_fall_back_to_dms_when_the_organiser_channel_refuses(two_organisers_bot):
    bot = two_organisers_bot
    bot.fake.not_in_channel.add("C0ORGS")
    bot.fake.add_user("U0ORG2", real_name="Second Organiser", email="org2@cabinetoffice.gov.uk")
    add_people(bot.fake)
    posted, _ = create_meetup_in_modal(bot)
    sign_up_from_card(
        bot,
        SAM,
        {"full_name": "Sam Contractor", "organisation": "Acme", "role": "contractor", "government_team": "HMRC"},
        posted,
    )
    for organiser in (ORGANISER, "U0ORG2"):
        eventually(lambda organiser=organiser: approval_messages(bot.fake, bot.fake.dm_channel(organiser)))
    assert approval_messages(bot.fake, "C0ORGS") == []


def test_reminders_follow_a_new_date_and_stop_when_the_meetup_is_cancelled(bot):
    from storage.models import REMINDER_CANCELLED, REMINDER_PENDING
    from storage.reminders import list_reminders

    def reminders():
        with bot.db.read() as session:
            return {r.kind: (r.due_at, r.state) for r in list_reminders(session, meetup_id)}

    posted, _ = create_meetup_in_modal(bot)
    meetup_id = meetup_id_of(posted)
    planned = reminders()
    assert {state for _, state in planned.values()} == {REMINDER_PENDING}
    sequence = get_meetup(bot.db, meetup_id).ics_sequence

    form = open_form(bot, "edit")
    bot.slack.submit_view(form, {**form_answers(form), "date": "2027-03-05"}, user_id=ORGANISER)
    moved = reminders()
    assert all(moved[kind][0] - planned[kind][0] == timedelta(days=7) for kind in planned)
    assert get_meetup(bot.db, meetup_id).ics_sequence > sequence

    form = open_form(bot, "edit")
    [(_, action_id, value)] = [b for b in buttons(form["blocks"]) if b[1] == "cancel_meetup"]
    bot.slack.block_action(user_id=ORGANISER, action_id=action_id, value=value, view=form)
    eventually(lambda: {state for _, state in reminders().values()} == {REMINDER_CANCELLED})
