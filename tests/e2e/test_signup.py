"""Sign-up end to end: signed requests to the real HTTP server, Web API
calls answered by the fake Slack, assertions on what Slack would show and
what the database holds."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from bot.signups.signups import find_registration, overview
from storage.models import CONFIRMED, PENDING, WAITLISTED
from tests.support.app import ORGANISER
from tests.support.blocks import block_texts
from tests.support.factories import make_meetup
from tests.support.messages import dm_saying, dms_to
from tests.support.signup import ADA, GOOD_ANSWERS, open_modal


def input_block(view, block_id):
    return next((b for b in view["blocks"] if b.get("block_id") == block_id), None)


def test_signup_opens_a_prefilled_modal_and_a_submission_confirms_and_sends_a_dm(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@digital.cabinet-office.gov.uk")
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=10)

    reply, view = open_modal(bot)
    assert reply.body == ""  # acked with nothing to show: the modal is the answer
    assert view["callback_id"] == "signup"
    assert input_block(view, "full_name")["element"]["initial_value"] == "Ada Lovelace"
    assert input_block(view, "organisation")["element"]["initial_value"] == "Cabinet Office"
    assert input_block(view, "meetup") is None  # only one meetup is open, so it is not asked
    text = block_texts(view["blocks"])
    assert "ada@digital.cabinet-office.gov.uk" in text
    assert "Dietary needs (optional)" in text and "Access needs (optional)" in text
    assert "Friday" in text or "day" in text

    submitted = bot.slack.submit_view(view, GOOD_ANSWERS, user_id=ADA)
    assert submitted.status == 200 and submitted.body == ""  # the modal closes

    registration = find_registration(bot.db, meetup.id, ADA)
    assert registration.status == CONFIRMED
    assert registration.organisation == "Cabinet Office"
    assert registration.sector == "central_government"

    dm_saying(bot.fake, ADA, "You have a place at *Cross-government open source meetup*")
    [dm] = dms_to(bot.fake, ADA)
    assert "Cancel my place" in block_texts(dm["blocks"])
    # What her phone's notification shows: the words, without mrkdwn.
    assert dm["text"].startswith("You have a place at Cross-government open source meetup.")
    # Posted to her user id: no conversations.open, whose rate limit (about
    # 50 a minute) an announcement's rush of sign-ups would reach.
    assert bot.fake.calls_to("conversations.open") == []
    bot.fake.wait_for("files.completeUploadExternal")
    [share] = bot.fake.file_shares
    assert share["channel"] == bot.fake.dm_channel(ADA)  # the calendar file, in the same DM


def test_bad_input_gets_errors_on_the_fields_and_nothing_is_stored(bot):
    bot.fake.add_user(ADA, real_name="", email="ada@someagency.example")
    meetup = make_meetup(bot.db, now=bot.clock())
    _, view = open_modal(bot)
    reply = bot.slack.submit_view(view, {"full_name": "  ", "organisation": "", "role": "contractor"}, user_id=ADA)
    assert reply.json() == {
        "response_action": "errors",
        "errors": {
            "full_name": "Enter your full name",
            "organisation": "Enter your organisation",
            "government_team": "Enter the government team you work in",
        },
    }
    assert find_registration(bot.db, meetup.id, ADA) is None
    assert dms_to(bot.fake, ADA) == []


def test_someone_already_signed_up_sees_their_status_instead_of_a_second_form(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@justice.gov.uk")
    make_meetup(bot.db, now=bot.clock())
    _, view = open_modal(bot)
    bot.slack.submit_view(view, GOOD_ANSWERS, user_id=ADA)

    again = bot.slack.command("signup", user_id=ADA)
    body = again.message()
    assert body["text"].startswith("You have already signed up")
    assert "Cancel my place" in block_texts(body["blocks"])
    assert len(bot.fake.calls_to("views.open")) == 1


def test_a_supplier_is_told_why_they_cannot_come_and_nothing_is_kept(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@bigconsultancy.example")
    meetup = make_meetup(bot.db, now=bot.clock())
    _, view = open_modal(bot)
    reply = bot.slack.submit_view(
        view, {**GOOD_ANSWERS, "organisation": "Big Consultancy", "role": "supplier"}, user_id=ADA
    )
    answer = reply.json()
    assert answer["response_action"] == "update"
    assert "Suppliers of contracted services cannot come" in block_texts(answer["view"]["blocks"])
    assert find_registration(bot.db, meetup.id, ADA) is None
    dm_saying(bot.fake, ADA, "You cannot sign up")


def test_a_contractor_from_an_unrecognised_domain_waits_for_approval(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@contractor.example")
    meetup = make_meetup(bot.db, now=bot.clock())
    _, view = open_modal(bot)
    assert input_block(view, "organisation")["element"].get("initial_value") is None
    bot.slack.submit_view(
        view, {**GOOD_ANSWERS, "role": "contractor", "government_team": "GDS, GOV.UK Pay"}, user_id=ADA
    )
    assert find_registration(bot.db, meetup.id, ADA).status == PENDING
    dm_saying(bot.fake, ADA, "waiting for an organiser's approval")


def test_cancel_moves_the_longest_waiting_person_up_and_tells_them(bot):
    for user, name in ((ADA, "Ada Lovelace"), ("U0BOB", "Bob Brown"), ("U0CAT", "Cat Jones")):
        bot.fake.add_user(user, real_name=name, email=f"{user.lower()}@homeoffice.gov.uk")
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=1)
    for user in (ADA, "U0BOB", "U0CAT"):
        _, view = open_modal(bot, user)
        bot.slack.submit_view(view, GOOD_ANSWERS, user_id=user)
        bot.clock.advance(seconds=1)
    assert find_registration(bot.db, meetup.id, "U0BOB").status == WAITLISTED

    reply = bot.slack.command("cancel", user_id=ADA)
    assert reply.message()["text"].startswith("You have cancelled your place at")
    assert find_registration(bot.db, meetup.id, "U0BOB").status == CONFIRMED
    assert find_registration(bot.db, meetup.id, "U0CAT").status == WAITLISTED
    dm_saying(bot.fake, "U0BOB", "A place has become free")

    nothing = bot.slack.command("cancel", user_id=ADA)
    assert "You have not signed up" in nothing.message()["text"]


def test_list_shows_organisers_everyone_and_shows_others_nothing(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@homeoffice.gov.uk")
    bot.fake.add_user("U0SAM", real_name="Sam Contractor", email="sam@contractor.example")
    make_meetup(bot.db, now=bot.clock(), capacity=5)
    _, view = open_modal(bot)
    bot.slack.submit_view(view, {**GOOD_ANSWERS, "organisation": "Home Office"}, user_id=ADA)
    _, view = open_modal(bot, "U0SAM")
    bot.slack.submit_view(
        view,
        {
            "full_name": "Sam Contractor",
            "organisation": "Acme Digital",
            "role": "contractor",
            "government_team": "HMRC tax platform",
        },
        user_id="U0SAM",
    )

    listing = bot.slack.command("list", user_id=ORGANISER).message()
    text = block_texts(listing["blocks"])
    assert "1 of 5 places taken" in text
    assert "Ada Lovelace (<@U0ADA>), Home Office" in text
    assert "*Waiting for approval*" in text and "team: HMRC tax platform" in text
    assert "Home Office: 1" in text and "Acme Digital: 1" in text

    refused = bot.slack.command("list", user_id=ADA).message()
    assert refused == {"text": "Only organisers can use `/meetup list`. Use `/meetup help` to see what you can do."}


def test_help_and_unknown_commands_list_what_this_person_can_do(bot):
    attendee = bot.slack.command("help", user_id=ADA).message()["text"]
    assert "`/meetup signup`" in attendee and "`/meetup list`" not in attendee
    organiser = bot.slack.command("", user_id=ORGANISER).message()["text"]
    assert "`/meetup list [ID]`" in organiser
    unknown = bot.slack.command("dance", user_id=ADA).message()["text"]
    assert unknown.startswith("`/meetup dance` is not a command.")


def test_with_two_meetups_open_the_modal_asks_which(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@gchq.gov.uk")
    make_meetup(bot.db, now=bot.clock(), title="First")
    second = make_meetup(bot.db, now=bot.clock(), title="Second", starts_in=timedelta(days=90))
    _, view = open_modal(bot)
    options = input_block(view, "meetup")["element"]["options"]
    assert [o["text"]["text"].split(",")[0] for o in options] == ["First", "Second"]
    missing = bot.slack.submit_view(view, GOOD_ANSWERS, user_id=ADA).json()
    assert missing["errors"] == {"meetup": "Select a meetup"}
    bot.slack.submit_view(view, {**GOOD_ANSWERS, "meetup": str(second.id)}, user_id=ADA)
    assert find_registration(bot.db, second.id, ADA).status == CONFIRMED


def test_no_open_meetups_says_so_and_how_to_hear_of_the_next(bot):
    reply = bot.slack.command("signup", user_id=ADA).message()
    assert reply["text"] == (
        "There are no meetups open for sign-up at the moment. "
        "Use `/meetup subscribe` to get a message when the next one is announced."
    )
    assert bot.slack.command("subscribe", user_id=ADA).status == 200
    reply = bot.slack.command("signup", user_id=ADA).message()
    assert reply["text"] == (
        "There are no meetups open for sign-up at the moment. "
        "You are subscribed, so you will get a message when the next one is announced."
    )


def test_healthz_answers_once_the_database_does(bot):
    reply = bot.slack.get("/healthz")
    assert reply.status == 200 and reply.json() == {"status": "ok", "database": "ok"}


def test_requests_not_signed_by_slack_are_refused_and_change_nothing(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@justice.gov.uk")
    make_meetup(bot.db, now=bot.clock())
    assert bot.slack.command("signup", user_id=ADA, secret="wrong").status == 401
    assert bot.slack.command("signup", user_id=ADA, timestamp=1_600_000_000).status == 401
    assert bot.fake.calls_to("views.open") == []


def test_100_simultaneous_submissions_for_10_places(bot):
    """Through the HTTP server: exactly 10 confirmed and 90 waitlisted."""
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=10)
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@justice.gov.uk")
    _, view = open_modal(bot)
    users = [f"U{n:04d}" for n in range(100)]
    for user in users:
        bot.fake.add_user(user, real_name=user, email=f"{user.lower()}@justice.gov.uk")

    def submit(user):
        return bot.slack.submit_view(view, {**GOOD_ANSWERS, "full_name": user}, user_id=user).status

    with ThreadPoolExecutor(max_workers=25) as pool:
        assert set(pool.map(submit, users)) == {200}
    counts = overview(bot.db, meetup.id).counts
    assert counts == {CONFIRMED: 10, WAITLISTED: 90}
    bot.fake.wait_for("chat.postMessage", count=100, timeout=30)


def test_the_cancel_button_in_the_dm_cancels_and_replaces_the_message(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@justice.gov.uk")
    meetup = make_meetup(bot.db, now=bot.clock())
    _, view = open_modal(bot)
    bot.slack.submit_view(view, GOOD_ANSWERS, user_id=ADA)
    response_url = bot.fake.response_url()
    reply = bot.slack.block_action(
        user_id=ADA, action_id="cancel_place", value=str(meetup.id), response_url=response_url
    )
    assert reply.status == 200
    [answer] = bot.fake.wait_for_response()
    assert answer["body"]["replace_original"] is True
    assert answer["body"]["text"].startswith("You have cancelled your place at")
    assert find_registration(bot.db, meetup.id, ADA).status == "cancelled"


def test_members_of_the_organiser_user_group_are_organisers(fake_slack, database_url, clock):
    from tests.support.app import start_bot, stop_bot

    fake_slack.add_user("U0GROUP", real_name="Grace Group", email="grace@gds.gov.uk")
    fake_slack.add_usergroup("S0ORGANISERS", ["U0GROUP"])
    running, server, thread = start_bot(fake_slack, database_url, clock, ORGANISER_USERGROUP_ID="S0ORGANISERS")
    try:
        make_meetup(running.db, now=clock())
        listing = running.slack.command("list", user_id="U0GROUP").message()
        assert "0 of 10 places taken" in block_texts(listing["blocks"])
        assert "Only organisers" in running.slack.command("list", user_id=ADA).message()["text"]
    finally:
        stop_bot(running, server, thread)


def test_when_the_form_cannot_open_in_time_the_person_is_told_to_try_again(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@justice.gov.uk")
    make_meetup(bot.db, now=bot.clock())
    bot.fake.expired_triggers.add("trigger-old")
    reply = bot.slack.command("signup", user_id=ADA, trigger_id="trigger-old", response_url=bot.fake.response_url())
    assert reply.status == 200
    [answer] = bot.fake.wait_for_response()
    assert answer["body"]["text"] == "The sign-up form did not open in time. Run `/meetup signup` again."


def test_a_replayed_request_is_refused_and_changes_nothing(bot):
    import time

    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@justice.gov.uk")
    meetup = make_meetup(bot.db, now=bot.clock())
    _, view = open_modal(bot)
    bot.slack.submit_view(view, GOOD_ANSWERS, user_id=ADA)
    cancel = {"user_id": ADA, "trigger_id": "trigger-captured", "timestamp": int(time.time())}
    assert bot.slack.command("cancel", **cancel).status == 200
    _, view = open_modal(bot)
    bot.slack.submit_view(view, GOOD_ANSWERS, user_id=ADA)
    # Someone who captured the cancel sends the same bytes again, within 5 minutes.
    assert bot.slack.command("cancel", **cancel).status == 401
    assert find_registration(bot.db, meetup.id, ADA).status == CONFIRMED
