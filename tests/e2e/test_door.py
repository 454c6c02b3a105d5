"""Check-in at the door (`/meetup door`) and with the venue's code
(`/meetup here`): signed requests to the app, the fake Slack, both databases."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.organising.co_organisers import set_co_organisers
from bot.signups.signups import sign_up
from storage.models import Registration
from storage.registrations import count_waitlisted_before
from tests.support.app import ORGANISER
from tests.support.blocks import block_texts, buttons
from tests.support.factories import make_form, make_meetup
from tests.support.messages import dm_saying, dms_to
from tests.support.organising import open_form

HOST = "U0HOST"
ADA, BOB, CY = "U0ADA", "U0BOB", "U0CY"


def meetup_on_the_day(bot, people, *, capacity: int = 10):
    """A meetup starting at 1pm today (by the bot's clock, which is 10am),
    with these (user id, name, organisation) signed up in order."""
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=capacity, starts_in=timedelta(days=3))
    for user_id, name, organisation in people:
        form = make_form(meetup_id=meetup.id, full_name=name, organisation=organisation)
        sign_up(bot.db, form, user_id=user_id, now=bot.clock(), contact="x")
    bot.clock.now = meetup.starts_at - timedelta(hours=3)
    return meetup


def registration(bot, meetup_id: int, user_id: str) -> Registration:
    with bot.db.read() as session:
        return session.query(Registration).filter_by(meetup_id=meetup_id, slack_user_id=user_id).one()


def open_door(bot, user_id: str = ORGANISER, args: str = "") -> dict:
    return open_form(bot, f"door {args}".strip(), user_id=user_id)


def latest_view(bot, count: int) -> dict:
    """The view of the count-th views.update, as Slack stored it."""
    return bot.fake.wait_for("views.update", count=count)[count - 1].response["view"]


def press(bot, view: dict, action_id: str, value: str, user_id: str = ORGANISER) -> dict:
    before = len(bot.fake.calls_to("views.update"))
    reply = bot.slack.block_action(user_id=user_id, action_id=action_id, value=value, view=view)
    assert reply.status == 200
    return latest_view(bot, before + 1)


def search(bot, view: dict, words: str) -> dict:
    reply = bot.slack.submit_view(view, {"search": words}, user_id=ORGANISER)
    answer = reply.json()
    assert answer["response_action"] == "update", answer
    return {**answer["view"], "id": view["id"]}


def the_code(view: dict) -> str:
    return re.search(r"Self check-in code: \*([A-Z0-9]{6})\*", block_texts(view["blocks"])).group(1)


def test_a_check_in_is_recorded_once_when_two_organisers_press(bot):
    meetup = meetup_on_the_day(bot, [(ADA, "Ada Lovelace", "Cabinet Office")])
    with bot.db.transaction() as session:
        set_co_organisers(session, meetup.id, [HOST], now=bot.clock())
    mine, theirs = open_door(bot), open_door(bot, HOST)
    ada = str(registration(bot, meetup.id, ADA).id)
    assert ("Check in", "door_check_in", ada) in buttons(mine["blocks"])

    first = press(bot, mine, "door_check_in", ada)
    again = press(bot, mine, "door_check_in", ada)
    other = press(bot, theirs, "door_check_in", ada, user_id=HOST)
    assert "Ada Lovelace is checked in." in block_texts(first["blocks"])
    assert "Checked in at 10am" in block_texts(first["blocks"])
    assert "1 person has a place and has checked in." in block_texts(first["blocks"])
    for view in (again, other):
        assert "Ada Lovelace was already checked in at 10am." in block_texts(view["blocks"])
        assert "door_check_in" not in [b[1] for b in buttons(view["blocks"])]
    recorded = registration(bot, meetup.id, ADA)
    assert recorded.checked_in_by == ORGANISER and recorded.checked_in_at == bot.clock()


def test_someone_who_runs_nothing_cannot_open_or_press_the_door_list(bot):
    meetup = meetup_on_the_day(bot, [(ADA, "Ada Lovelace", "Cabinet Office")])
    reply = bot.slack.command("door", user_id=BOB)
    assert "Only organisers can use `/meetup door`" in reply.body
    view = open_door(bot)
    refused = press(bot, view, "door_check_in", str(registration(bot, meetup.id, ADA).id), user_id=BOB)
    assert "Only the meetup's organisers" in block_texts(refused["blocks"])
    assert registration(bot, meetup.id, ADA).checked_in_at is None


def test_the_door_list_says_how_many_it_shows_and_search_finds_by_name_and_organisation(bot):
    people = [(f"U0P{i:03d}", f"Person {i:03d}", "Cabinet Office") for i in range(44)]
    people.append((ADA, "Ada Lovelace", "Home Office"))
    meetup_on_the_day(bot, people, capacity=100)
    view = open_door(bot)
    assert "Showing 40 of 45. Search by name or organisation to find someone." in block_texts(view["blocks"])
    assert len(view["blocks"]) <= 100

    by_name = search(bot, view, "lovelace")
    assert "Ada Lovelace" in block_texts(by_name["blocks"])
    assert "Person 001" not in block_texts(by_name["blocks"])
    assert len([b for b in buttons(by_name["blocks"]) if b[1] == "door_check_in"]) == 1
    by_organisation = search(bot, view, "home office")
    assert "Ada Lovelace" in block_texts(by_organisation["blocks"])
    assert "Person" not in block_texts(by_organisation["blocks"])
    nobody = search(bot, view, "nobody-like-this")
    assert "Nobody on the list matches 'nobody-like-this'." in block_texts(nobody["blocks"])
    # Enter in the search box (dispatch_action) searches too.
    entered = press(bot, view, "door_search", "Person 04")
    assert "Showing" not in block_texts(entered["blocks"])
    assert block_texts(entered["blocks"]).count("Person 04") == 4


def test_a_self_check_in_works_with_the_right_code_only(bot):
    meetup = meetup_on_the_day(bot, [(ADA, "Ada Lovelace", "Cabinet Office")], capacity=1)
    sign_up(bot.db, make_form(meetup_id=meetup.id, full_name="Bob"), user_id=BOB, now=bot.clock(), contact="x")
    code = the_code(open_door(bot))

    wrong = bot.slack.command("here ABCDEF", user_id=ADA)
    assert "That code is not right. Check the code on the screen at the venue, or ask at the door." in wrong.body
    assert registration(bot, meetup.id, ADA).checked_in_at is None
    right = bot.slack.command(f"here {code.lower()}", user_id=ADA)
    assert "You are checked in to" in right.body
    again = bot.slack.command(f"here {code}", user_id=ADA)
    assert "You are already checked in" in again.body
    recorded = registration(bot, meetup.id, ADA)
    assert recorded.checked_in_by == ADA and recorded.code_tries == 2

    waiting = bot.slack.command(f"here {code}", user_id=BOB)
    assert "You are on the waitlist" in waiting.body
    stranger = bot.slack.command(f"here {code}", user_id=CY)
    assert "You do not have a place" in stranger.body


def test_self_check_in_is_refused_before_the_day_and_after_too_many_wrong_codes(bot):
    meetup = meetup_on_the_day(bot, [(ADA, "Ada Lovelace", "Cabinet Office")])
    code = the_code(open_door(bot))
    bot.clock.advance(days=-1)
    early = bot.slack.command(f"here {code}", user_id=ADA)
    assert "You do not have a place at a meetup today." in early.body
    bot.clock.advance(days=1)
    for _ in range(5):
        assert "That code is not right." in bot.slack.command("here ZZZZZZ", user_id=ADA).body
    locked = bot.slack.command(f"here {code}", user_id=ADA)
    assert "You have tried too many codes." in locked.body
    assert registration(bot, meetup.id, ADA).checked_in_at is None


def test_someone_on_the_waitlist_is_let_in_only_when_there_is_room(bot):
    meetup = meetup_on_the_day(
        bot,
        [(ADA, "Ada Lovelace", "Cabinet Office"), (BOB, "Bob Brown", "Home Office"), (CY, "Cy Young", "DWP")],
        capacity=1,
    )
    bob, cy = str(registration(bot, meetup.id, BOB).id), str(registration(bot, meetup.id, CY).id)
    # Before the start, Ada's place is kept for her, although she has not come yet.
    early = open_door(bot)
    assert "door_let_in" not in [b[1] for b in buttons(early["blocks"])]
    too_early = press(bot, early, "door_let_in", bob)
    assert "There is no room to let Bob Brown in yet" in block_texts(too_early["blocks"])
    assert registration(bot, meetup.id, BOB).status == "waitlisted"

    # Once it has started, the place of someone who has not come is free.
    bot.clock.now = meetup.starts_at + timedelta(minutes=10)
    view = open_door(bot)
    assert ("Let in from the waitlist", "door_let_in", bob) in buttons(view["blocks"])

    after = press(bot, view, "door_let_in", bob)
    assert "Bob Brown has been let in from the waitlist and is checked in." in block_texts(after["blocks"])
    let_in = registration(bot, meetup.id, BOB)
    assert (let_in.status, let_in.walk_in, let_in.checked_in_by) == ("confirmed", True, ORGANISER)
    assert let_in.checked_in_at is not None
    # Bob is told: his Slack had said he was on the waitlist.
    told = dm_saying(bot.fake, BOB, "You now have a place at")
    assert "the organisers let you in from the waitlist at the door, and you are checked in" in block_texts(
        told["blocks"]
    )
    # Nobody else fits now: the button goes, and a press from an old view says why.
    assert "door_let_in" not in [b[1] for b in buttons(after["blocks"])]
    stale = press(bot, view, "door_let_in", cy)
    assert "There is no room to let Cy Young in" in block_texts(stale["blocks"])
    assert registration(bot, meetup.id, CY).status == "waitlisted"
    assert dms_to(bot.fake, CY) == []
    # Cy is now first on the waitlist.
    with bot.db.read() as session:
        assert count_waitlisted_before(session, registration(bot, meetup.id, CY)) == 0
    # Ada still has her place, and can be checked in.
    ada = str(registration(bot, meetup.id, ADA).id)
    assert "Ada Lovelace is checked in." in block_texts(press(bot, view, "door_check_in", ada)["blocks"])


def test_the_list_and_the_stats_show_who_came_and_the_no_show_rate(bot):
    meetup = meetup_on_the_day(
        bot, [(ADA, "Ada Lovelace", "Cabinet Office"), (BOB, "Bob Brown", "Home Office")], capacity=2
    )
    earlier = make_meetup(bot.db, now=bot.clock() - timedelta(days=90), title="Before check-in")
    sign_up(bot.db, make_form(meetup_id=earlier.id), user_id=CY, now=earlier.created_at, contact="x")
    code = the_code(open_door(bot))
    bot.slack.command(f"here {code}", user_id=ADA)

    listed = block_texts(bot.slack.command("list", user_id=ORGANISER).message()["blocks"])
    assert "1 of 2 people with a place has checked in." in listed
    assert "*Came (1)*\n• Ada Lovelace (<@U0ADA>), Cabinet Office: came at 10am" in listed
    assert "*Have a place and have not come (1)*\n• Bob Brown (<@U0BOB>), Home Office" in listed

    bot.clock.advance(days=1)
    stats = block_texts(bot.slack.command("stats", user_id=ORGANISER).message()["blocks"])
    assert "1 person came to the 1 meetup where attendance was recorded." in stats
    assert "1 of 2 people with a place did not come: a no-show rate of 50%." in stats
    assert "1 came, 1 with a place did not (no-show rate 50%)" in stats
    assert "Before check-in" in stats and "attendance not recorded" in stats
    # After the day, `/meetup list ID` still shows who came and who did not.
    after = block_texts(bot.slack.command(f"list {meetup.id}", user_id=ORGANISER).message()["blocks"])
    assert "*Came (1)*" in after and "*Have a place and have not come (1)*" in after


def test_a_long_list_of_who_came_stays_within_slacks_limits(bot):
    people = [(f"U0P{i:03d}", f"Person {i:03d} " + "x" * 60, "Department " + "y" * 60) for i in range(300)]
    meetup = meetup_on_the_day(bot, people, capacity=300)
    with bot.db.transaction() as session:
        for r in session.query(Registration).filter_by(meetup_id=meetup.id).limit(150):
            r.checked_in_at, r.checked_in_by = bot.clock(), ORGANISER
    reply = bot.slack.command("list", user_id=ORGANISER)  # the sender fails on what Slack would refuse
    listed = block_texts(reply.message()["blocks"])
    assert "150 of 300 people with a place have checked in." in listed
    assert "more who came" in listed and "more who have not come" in listed


def test_help_shows_the_new_commands(bot):
    assert "`/meetup here CODE`: check yourself in" in bot.slack.command("help", user_id=ADA).body
    organisers = bot.slack.command("help", user_id=ORGANISER).body
    assert "`/meetup door [ID]`: check people in at the door" in organisers
