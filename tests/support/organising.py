"""Helpers for the end-to-end tests: drive the meetup form, the card, the
sign-up button and the App Home as people would."""

from __future__ import annotations

import json
import time

from storage.models import DELIVERY_SENT
from tests.support.app import CHANNEL, ORGANISER
from tests.support.blocks import buttons
from tests.support.messages import dms_to
from tests.support.reminders import deliveries

ADA, BOB = "U0ADA", "U0BOB"
SIGNUP = {"full_name": "Ada Lovelace", "organisation": "Cabinet Office", "role": "civil_servant"}

NEW_MEETUP = {
    "title": "Cross-government open source meetup",
    "date": "2027-02-26",
    "start_time": "13:00",
    "end_time": "17:00",
    "venue": "Ministry of Justice, 102 Petty France, London",
    "host_organisation": "Ministry of Justice",
    "capacity": "3",
    "audience": "government",
    "extra_sectors": ["nhs"],
    "description": "Short talks, then discussions on open space principles.",
    "agenda": "Open source at GCHQ | Sam Smith | GCHQ\nReusing code across government | Priya Patel | GDS",
    "signup_closes": None,
}


def eventually(check, timeout: float = 5.0):
    """Wait for work the app does after its ack; return check()'s truthy value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("the expected change did not happen within the timeout")
        time.sleep(0.02)


def opened_view(bot, count: int) -> dict:
    """The view of the count-th views.open, as Slack stored it (with its id and hash)."""
    return bot.fake.wait_for("views.open", count=count)[count - 1].response["view"]


def open_form(bot, command: str, user_id: str = ORGANISER) -> dict:
    """Run `/meetup COMMAND` and return the form it opens."""
    before = len(bot.fake.calls_to("views.open"))
    reply = bot.slack.command(command, user_id=user_id)
    assert reply.status == 200 and reply.body == ""
    return opened_view(bot, before + 1)


def open_new_meetup_form(bot, user_id: str = ORGANISER) -> dict:
    return open_form(bot, "new", user_id)


def create_meetup_in_modal(bot, **answers) -> tuple[dict, dict]:
    """Create a meetup through the form; return (the card as posted, the submission's JSON or None)."""
    view = open_new_meetup_form(bot)
    posted_before = len(bot.fake.messages(CHANNEL))
    reply = bot.slack.submit_view(view, {**NEW_MEETUP, **answers}, user_id=ORGANISER)
    assert reply.status == 200 and "errors" not in reply.body, reply.body
    card = eventually(lambda: bot.fake.messages(CHANNEL)[posted_before:])[0]
    # The card is recorded (so it can be updated) just after it is posted.
    eventually(lambda: _announced(bot, card["ts"]))
    return card, reply.json()


def _announced(bot, ts: str) -> bool:
    from bot.meetups.meetups import all_meetups

    return any(m.announcement_ts == ts for m in all_meetups(bot.db))


def card(bot, index: int = 0) -> dict:
    return bot.fake.messages(CHANNEL)[index]


def form_answers(view: dict) -> dict:
    """What a prefilled form would submit if the organiser changed nothing."""
    answers = {}
    for block in view["blocks"]:
        if block.get("type") != "input":
            continue
        element = block["element"]
        kind = element["type"]
        if kind == "datepicker":
            value = element.get("initial_date")
        elif kind == "timepicker":
            value = element.get("initial_time")
        elif kind == "radio_buttons":
            value = (element.get("initial_option") or {}).get("value")
        elif kind == "checkboxes":
            value = [o["value"] for o in element.get("initial_options", [])]
        elif kind == "multi_users_select":
            value = list(element.get("initial_users", []))
        else:
            value = element.get("initial_value")
        answers[block["block_id"]] = value
    return answers


def meetup_id_of(card_message: dict) -> int:
    [(_, action_id, value)] = [b for b in buttons(card_message["blocks"]) if b[1] == "open_signup"]
    return int(value)


def private_metadata(view: dict) -> dict:
    return json.loads(view.get("private_metadata") or "{}")


def event(bot, inner: dict):
    """An Events API request, signed, as Slack sends it."""
    payload = {
        "token": "legacy-verification-token",
        "team_id": "T0001",
        "api_app_id": "A0MEETUP",
        "type": "event_callback",
        "event_id": f"Ev{time.monotonic_ns()}",
        "event_time": 1700000000,
        "event": inner,
    }
    return bot.slack.post(json.dumps(payload).encode(), "application/json")


def csv_shares(fake) -> list[dict]:
    """Files shared that are visitor lists (not the calendar files sent with confirmations)."""
    return [s for s in fake.file_shares if fake.files[s["file_ids"][0]]["name"].endswith(".csv")]


def csv_uploads(fake) -> list[bytes]:
    return [content for file_id, content in fake.uploads.items() if fake.files[file_id]["name"].endswith(".csv")]


def sign_up_from_card(bot, user_id, answers, card_message):
    """Press the card's Sign up button, then fill in the modal it opens."""
    before = len(bot.fake.calls_to("views.open"))
    reply = bot.slack.block_action(
        user_id=user_id,
        action_id="open_signup",
        value=str(meetup_id_of(card_message)),
        container={"type": "message", "message_ts": card_message["ts"], "channel_id": CHANNEL, "is_ephemeral": False},
    )
    assert reply.status == 200
    view = opened_view(bot, before + 1)
    assert view["callback_id"] == "signup"
    assert bot.slack.submit_view(view, answers, user_id=user_id).status == 200


def open_home(bot, user_id) -> dict:
    before = len([c for c in bot.fake.calls_to("views.publish") if c.args["user_id"] == user_id])
    reply = event(
        bot,
        {"type": "app_home_opened", "user": user_id, "channel": "D0", "tab": "home", "event_ts": "1700000000.000100"},
    )
    assert reply.status == 200
    return eventually(lambda: [c for c in bot.fake.calls_to("views.publish") if c.args["user_id"] == user_id][before:])[
        -1
    ].args["view"]


def press_on_home(bot, user_id, action_id, value):
    """A button on the App Home: the payload has the view, no response_url."""
    view = bot.fake.home_views.get(user_id) or {"id": "V0HOME", "type": "home"}
    return bot.slack.block_action(
        user_id=user_id,
        action_id=action_id,
        value=str(value),
        container={"type": "view", "view_id": view["id"]},
        view={**view, "type": "home"},
    )


def add_people(fake):
    fake.add_user(ADA, real_name="Ada Lovelace", email="ada@digital.cabinet-office.gov.uk")
    fake.add_user(BOB, real_name="Bob Brown", email="bob@homeoffice.gov.uk")


def meetup_with(bot, people, **answers):
    """A meetup, announced, with these people signed up and their messages sent."""
    add_people(bot.fake)
    posted, _ = create_meetup_in_modal(bot, **answers)
    for person in people:
        sign_up_from_card(bot, person, {**SIGNUP, "full_name": person}, posted)
        eventually(lambda person=person: dms_to(bot.fake, person))
    eventually(lambda: all(d.state == DELIVERY_SENT for d in deliveries(bot.db)))
    return posted
