"""The grid's message to each session lead says whether they have a place:
someone on the waitlist, waiting for approval or not signed up is not told
they are leading a session at a meetup they cannot come to, and the
organiser who built the grid is told who they are."""

from __future__ import annotations

from bot.signups.signups import find_registration
from storage.models import CANCELLED, CONFIRMED, PENDING, WAITLISTED
from tests.support.app import ORGANISER
from tests.support.blocks import block_texts
from tests.support.factories import make_meetup
from tests.support.messages import dm_saying, dms_to
from tests.support.signup import GOOD_ANSWERS, open_modal
from tests.support.topics import ADA, BOB, CAT, VOTERS, open_schedule_modal, people, propose, wait_until

DEE = "U0DEE"
GRID = {"rooms": "Thames, 40\nSevern, 12", "slots": "2pm to 2:45pm\n3pm to 3:45pm"}


def sign_up(bot, user_id, answers=GOOD_ANSWERS):
    _, view = open_modal(bot, user_id)
    reply = bot.slack.submit_view(view, answers, user_id=user_id)
    assert reply.status == 200 and reply.body == "", reply.body
    bot.clock.advance(seconds=1)


def status_of(bot, meetup_id, user_id):
    registration = find_registration(bot.db, meetup_id, user_id)
    return registration.status if registration else None


def build(bot, answers=GRID) -> str:
    before = len(bot.fake.calls_to("views.update"))
    view = open_schedule_modal(bot)
    bot.slack.submit_view(view, answers, user_id=ORGANISER)
    return block_texts(bot.fake.wait_for("views.update", count=before + 1)[-1].args["view"]["blocks"])


def session_dms(bot, user_id) -> list[str]:
    """The grid's messages to this person (not their sign-up's)."""
    sessions = [m for m in dms_to(bot.fake, user_id) if m["metadata"]["event_payload"]["key"].startswith("session:")]
    return [block_texts(m["blocks"]) for m in sessions]


def test_a_lead_with_no_place_is_told_so_and_one_with_a_place_is_told_they_are_leading(bot):
    people(bot)
    bot.fake.add_user(DEE, real_name="Dee Contractor", email="dee@contractor.example")
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=2)
    # Ada and a voter take the two places; another voter, then Bob, wait.
    for user in (ADA, VOTERS[0], VOTERS[1], BOB):
        sign_up(bot, user)
    sign_up(bot, DEE, {**GOOD_ANSWERS, "full_name": "Dee Contractor", "role": "contractor", "government_team": "GDS"})
    assert [status_of(bot, meetup.id, u) for u in (ADA, BOB, CAT, DEE)] == [CONFIRMED, WAITLISTED, None, PENDING]

    a = propose(bot, ADA, "Publishing code in the open")
    b = propose(bot, BOB, "Open source licences")
    c = propose(bot, CAT, "Inner source")
    d = propose(bot, DEE, "Reusing code across departments")

    summary = build(bot)
    assert "4 sessions, 0 topics did not fit." in summary
    assert "3 session leads do not have a place at the meetup: " in summary
    assert "Bob Brown (number 2 on the waitlist)" in summary
    assert "Cat Jones (not signed up)" in summary
    assert "Dee Contractor (waiting for approval)" in summary

    # Ada has a place: she is leading, as before.
    wait_until(lambda: all(session_dms(bot, u) for u in (ADA, BOB, CAT, DEE)))
    [ada] = session_dms(bot, ADA)
    assert ada.startswith(f"You are leading *{a.title}* at *Cross-government open source meetup*.\n*Where:* ")
    assert "*When:* " in ada and "place" not in ada

    # Bob is on the waitlist: where and when, his number, and what he can do.
    [bob] = session_dms(bot, BOB)
    assert "You are leading" not in bob
    first, rest = bob.split("\n*Where:* ")
    assert first == (
        f"Your topic *{b.title}* has a session at *Cross-government open source meetup*, "
        "and you said you would lead it."
    )
    assert "*When:* " in rest
    assert rest.endswith(
        "\n\nYou do not have a place at the meetup yet: you are number 2 on the waitlist. "
        "We will send you a message if a place becomes free. "
        "If you cannot come, tell the meetup organisers so they can find someone else to lead it."
    )

    # Cat never signed up; sign-up is open, so she is told how.
    [cat] = session_dms(bot, CAT)
    assert "You are leading" not in cat and f"Your topic *{c.title}* has a session" in cat
    assert cat.endswith(
        "You do not have a place at the meetup because you are not signed up. Use `/meetup signup` to sign up. "
        "If you cannot come, tell the meetup organisers so they can find someone else to lead it."
    )

    # Dee is waiting for an organiser's approval.
    [dee] = session_dms(bot, DEE)
    assert "You are leading" not in dee and f"Your topic *{d.title}* has a session" in dee
    assert (
        "You do not have a place at the meetup yet: your request for a place is waiting for an organiser's "
        "approval. We will send you a message when they have decided." in dee
    )

    # The grid in the channel is unchanged: it names each lead.
    grid = wait_until(lambda: [c.args for c in bot.fake.calls_to("chat.postMessage") if "sessions" in c.args["text"]])
    assert f"{b.title}>, led by Bob Brown" in block_texts(grid[0]["blocks"])


def test_a_lead_with_no_place_whose_session_moves_is_told_their_new_place_on_the_waitlist(bot):
    people(bot)
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=1)
    for user in (ADA, VOTERS[0], BOB):
        sign_up(bot, user)
    a = propose(bot, ADA, "Publishing code in the open")
    b = propose(bot, BOB, "Open source licences")
    assert "1 session lead does not have a place at the meetup: Bob Brown (number 2 on the waitlist)." in build(bot)
    dm_saying(bot.fake, BOB, "you are number 2 on the waitlist")
    dm_saying(bot.fake, ADA, f"You are leading *{a.title}*")

    # The voter ahead of Bob leaves the waitlist; new rooms, so every session moves.
    assert bot.slack.command("cancel", user_id=VOTERS[0]).message()["text"].startswith("You have left the waitlist")
    assert status_of(bot, meetup.id, VOTERS[0]) == CANCELLED
    summary = build(bot, {"rooms": "Tyne, 40\nWear, 12", "slots": GRID["slots"]})
    assert "1 session lead does not have a place at the meetup: Bob Brown (number 1 on the waitlist)." in summary

    moved = dm_saying(bot.fake, BOB, f"Your session *{b.title}* has moved.")
    assert "you are number 1 on the waitlist" in block_texts(moved["blocks"])
    ada = dm_saying(bot.fake, ADA, f"Your session *{a.title}* has moved.")
    assert "place" not in block_texts(ada["blocks"])
    assert not [t for t in session_dms(bot, BOB) if "You are leading" in t]
