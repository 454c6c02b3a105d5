"""The App Home and the global shortcut, end to end through signed requests."""

import uuid

from bot.signups.export import list_exports
from bot.signups.signups import find_registration
from storage.models import CANCELLED, CONFIRMED, PENDING
from tests.support.app import ORGANISER
from tests.support.blocks import block_texts, buttons
from tests.support.messages import dms_to
from tests.support.organising import (
    card,
    create_meetup_in_modal,
    event,
    eventually,
    meetup_id_of,
    open_home,
    opened_view,
    press_on_home,
)

ADA, SAM = "U0ADA", "U0SAM"
SIGNUP = {"full_name": "Ada Lovelace", "organisation": "Cabinet Office", "role": "civil_servant"}
CONTRACTOR = {
    "full_name": "Sam Contractor",
    "organisation": "Acme Digital",
    "role": "contractor",
    "government_team": "GDS, GOV.UK Pay",
}


def home_published(bot, user_id, after: int) -> dict:
    calls = eventually(lambda: [c for c in bot.fake.calls_to("views.publish") if c.args["user_id"] == user_id][after:])
    return calls[-1].args["view"]


def publishes(bot, user_id) -> int:
    return len([c for c in bot.fake.calls_to("views.publish") if c.args["user_id"] == user_id])


def sign_up(bot, user_id, answers, meetup_id):
    before = len(bot.fake.calls_to("views.open"))
    press_on_home(bot, user_id, "open_signup", meetup_id)
    view = opened_view(bot, before + 1)
    assert view["callback_id"] == "signup"
    assert bot.slack.submit_view(view, answers, user_id=user_id).status == 200


def test_home_shows_upcoming_meetups_with_the_persons_status_and_the_right_button(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@digital.cabinet-office.gov.uk")
    posted, _ = create_meetup_in_modal(bot)
    meetup_id = meetup_id_of(posted)

    home = open_home(bot, ADA)
    text = block_texts(home["blocks"])
    assert "Cross-government open source meetup" in text and "Friday 26 February 2027, 1pm to 5pm" in text
    assert "3 places left" in text
    assert "use `/meetup subscribe`" in text
    assert ("Sign up", "open_signup", str(meetup_id)) in buttons(home["blocks"])
    assert "For organisers" not in text and "Create a meetup" not in text

    sign_up(bot, ADA, SIGNUP, meetup_id)
    assert find_registration(bot.db, meetup_id, ADA).status == CONFIRMED
    home = open_home(bot, ADA)
    assert "You have a place." in block_texts(home["blocks"])
    assert ("Cancel my place", "cancel_place", str(meetup_id)) in buttons(home["blocks"])

    # Cancel from the Home tab: no response_url, so the Home itself shows the change.
    before = publishes(bot, ADA)
    assert press_on_home(bot, ADA, "cancel_place", meetup_id).status == 200
    home = home_published(bot, ADA, before)
    assert find_registration(bot.db, meetup_id, ADA).status == CANCELLED
    assert ("Sign up", "open_signup", str(meetup_id)) in buttons(home["blocks"])
    assert bot.fake.responses == []
    eventually(lambda: "*3 places left*" in block_texts(card(bot)["blocks"]))


def test_the_messages_tab_is_left_alone(bot):
    create_meetup_in_modal(bot)
    event(
        bot,
        {"type": "app_home_opened", "user": ADA, "channel": "D0", "tab": "messages", "event_ts": "1700000000.000100"},
    )
    open_home(bot, ORGANISER)  # a later event is handled, so the first one has been too
    assert [c.args["user_id"] for c in bot.fake.calls_to("views.publish")] == [ORGANISER]


def test_organisers_see_counts_and_approve_from_the_home_tab(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@digital.cabinet-office.gov.uk")
    bot.fake.add_user(SAM, real_name="Sam Contractor", email="sam@contractor.example")
    posted, _ = create_meetup_in_modal(bot)
    meetup_id = meetup_id_of(posted)
    sign_up(bot, ADA, SIGNUP, meetup_id)
    sign_up(bot, SAM, CONTRACTOR, meetup_id)
    sam = find_registration(bot.db, meetup_id, SAM)
    assert sam.status == PENDING
    request = eventually(
        lambda: [
            m
            for m in bot.fake.messages(bot.fake.dm_channel(ORGANISER))
            if "asked for a place" in block_texts(m.get("blocks"))
        ]
    )

    home = open_home(bot, ORGANISER)
    text = block_texts(home["blocks"])
    assert "*For organisers:* 1 of 3 places taken, 0 people on the waitlist, 1 waiting for approval." in text
    assert "*Sam Contractor* (<@U0SAM>) is waiting for approval." in text
    assert ("Approve", "approve_registration", str(sam.id)) in buttons(home["blocks"])
    assert ("Create a meetup", "home_new_meetup", "new") in buttons(home["blocks"])

    before = publishes(bot, ORGANISER)
    press_on_home(bot, ORGANISER, "approve_registration", sam.id)
    home = home_published(bot, ORGANISER, before)
    assert find_registration(bot.db, meetup_id, SAM).status == CONFIRMED
    assert "is waiting for approval" not in block_texts(home["blocks"])
    assert "2 of 3 places taken" in block_texts(home["blocks"])
    # The approval message in the organiser's DM says it is decided.
    eventually(
        lambda: (
            "Approved by <@U0ORGANISER>: they have a place."
            in block_texts(_approval_message(bot, request[0]["ts"])["blocks"])
        )
    )
    eventually(lambda: [d for d in dms_to(bot.fake, SAM) if "approved" in d["text"]])


def _approval_message(bot, ts):
    return next(m for m in bot.fake.messages(bot.fake.dm_channel(ORGANISER)) if m["ts"] == ts)


def test_home_buttons_from_organisers_open_the_forms_and_send_the_list(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@digital.cabinet-office.gov.uk")
    posted, _ = create_meetup_in_modal(bot)
    meetup_id = meetup_id_of(posted)
    sign_up(bot, ADA, SIGNUP, meetup_id)
    open_home(bot, ORGANISER)

    before = len(bot.fake.calls_to("views.open"))
    press_on_home(bot, ORGANISER, "home_new_meetup", "new")
    assert opened_view(bot, before + 1)["callback_id"] == "meetup_new"
    press_on_home(bot, ORGANISER, "home_edit_meetup", meetup_id)
    edit = opened_view(bot, before + 2)
    assert edit["callback_id"] == "meetup_edit"
    assert "Cross-government open source meetup" in str(edit["blocks"])
    press_on_home(bot, ORGANISER, "home_export", meetup_id)
    told = opened_view(bot, before + 3)
    assert "Sending you 2 lists for" in block_texts(told["blocks"])
    bot.fake.wait_for("files.completeUploadExternal")
    assert [(e.exported_by, e.row_count) for e in list_exports(bot.db)] == [(ORGANISER, 1)]


def test_forged_home_buttons_from_anyone_else_change_nothing(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@digital.cabinet-office.gov.uk")
    bot.fake.add_user(SAM, real_name="Sam Contractor", email="sam@contractor.example")
    posted, _ = create_meetup_in_modal(bot)
    meetup_id = meetup_id_of(posted)
    sign_up(bot, ADA, SIGNUP, meetup_id)
    sign_up(bot, SAM, CONTRACTOR, meetup_id)
    sam = find_registration(bot.db, meetup_id, SAM)
    home = open_home(bot, ADA)
    assert "For organisers" not in block_texts(home["blocks"])

    refusals = {
        ("home_new_meetup", "new"): "Only organisers can create meetups.",
        ("home_edit_meetup", meetup_id): "Only organisers can change meetups.",
        ("home_export", meetup_id): "Only organisers can get the visitor list.",
        ("approve_registration", sam.id): "Only organisers can approve or decline sign-ups.",
        ("decline_registration", sam.id): "Only organisers can approve or decline sign-ups.",
    }
    for (action_id, value), refusal in refusals.items():
        before = len(bot.fake.calls_to("views.open"))
        press_on_home(bot, ADA, action_id, value)
        assert block_texts(opened_view(bot, before + 1)["blocks"]) == refusal
    assert find_registration(bot.db, meetup_id, SAM).status == PENDING
    assert find_registration(bot.db, meetup_id, SAM).decided_by is None
    assert list_exports(bot.db) == []
    assert [c for c in bot.fake.calls_to("files.getUploadURLExternal") if c.args["filename"].endswith(".csv")] == []
    assert not [d for d in dms_to(bot.fake, SAM) if "approved" in d["text"] or "could not offer" in d["text"]]


def test_the_global_shortcut_opens_the_signup_form(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@digital.cabinet-office.gov.uk")

    def shortcut():
        before = len(bot.fake.calls_to("views.open"))
        reply = bot.slack.interaction(
            {
                "type": "shortcut",
                "callback_id": "signup_shortcut",
                "trigger_id": f"trigger-{uuid.uuid4().hex}",
                "action_ts": "1700000000.000100",
                "team": {"id": "T0001", "domain": "crossgov"},
                "user": {"id": ADA, "username": "ada", "team_id": "T0001"},
                "token": "legacy-verification-token",
                "is_enterprise_install": False,
            }
        )
        assert reply.status == 200
        return opened_view(bot, before + 1)

    assert block_texts(shortcut()["blocks"]).startswith("There are no meetups open for sign-up at the moment.")
    create_meetup_in_modal(bot)
    view = shortcut()
    assert view["callback_id"] == "signup"
    assert "Cross-government open source meetup" in block_texts(view["blocks"])
