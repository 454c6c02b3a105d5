"""Feedback after the meetup: the morning after, the worker asks the people
who checked in, once; each answers once, anonymously; organisers read the
summary. As people would use it, against the fake Slack, on both databases."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from bot.feedback.feedback import Answers, record_feedback
from bot.organising.co_organisers import set_co_organisers
from bot.privacy.privacy import forget, purge_due
from storage import registrations as registration_store
from tests.support.app import ORGANISER
from tests.support.blocks import block_texts
from tests.support.factories import make_meetup
from tests.support.feedback import check_in, feedback_requests, press_give_feedback, responses, schedule_sessions
from tests.support.organising import eventually, opened_view
from tests.support.reminders import register, worker_for

ADA, BOB, CAT, DAN, EVE = "U0ADA", "U0BOB", "U0CAT", "U0DAN", "U0EVE"
# The meetup is on Tuesday 12 January 2027, 1pm to 5pm; feedback is asked at 10am the next day.
ASK_AT = datetime(2027, 1, 13, 10, 0, tzinfo=UTC)


def meetup_that_ended(bot, *, came=(ADA, BOB), booked=(CAT,), capacity=10):
    """A meetup where `came` checked in and `booked` had a place and did not come."""
    meetup = make_meetup(bot.db, now=bot.clock(), starts_in=timedelta(days=2), capacity=capacity)
    for person in (*came, *booked):
        register(bot.db, bot.fake, meetup, person, bot.clock())
    for person in came:
        check_in(bot.db, meetup.id, person, meetup.starts_at + timedelta(minutes=5))
    return meetup


def asked(bot, meetup, people=(ADA, BOB)):
    """Move to the morning after and let the worker ask; return the messages with the button."""
    bot.clock.now = ASK_AT
    worker_for(bot).run_due()
    return {person: feedback_requests(bot.fake, person)[0] for person in people}


def open_form(bot, person, message) -> dict:
    before = len(bot.fake.calls_to("views.open"))
    assert press_give_feedback(bot, person, message).status == 200
    return opened_view(bot, before + 1)


def answer(bot, person, message, **values) -> dict:
    form = open_form(bot, person, message)
    reply = bot.slack.submit_view(form, {"usefulness": "4", **values}, user_id=person)
    assert reply.status == 200
    return reply.json()


def registration_of(bot, meetup, person):
    with bot.db.read() as session:
        return registration_store.get_registration(session, meetup.id, person)


def test_feedback_is_asked_once_the_morning_after_and_only_of_those_who_came(bot):
    meetup = meetup_that_ended(bot, came=(ADA, BOB, EVE), booked=(CAT,), capacity=4)
    register(bot.db, bot.fake, meetup, DAN, bot.clock())  # on the waitlist
    forget(bot.db, EVE, bot.clock())  # came, then asked us to delete their data
    workers = [worker_for(bot), worker_for(bot)]

    bot.clock.now = ASK_AT - timedelta(minutes=1)
    assert workers[0].run_due().feedback_asked == 0
    bot.clock.now = ASK_AT
    with ThreadPoolExecutor(2) as pool:  # two instances at once
        summaries = list(pool.map(lambda worker: worker.run_due(), workers))
    bot.clock.advance(hours=1)  # and again later, as after a restart
    later = [worker.run_due() for worker in workers]

    assert sorted(s.feedback_asked for s in summaries) == [0, 2]
    assert [s.feedback_asked for s in later] == [0, 0]
    for person in (ADA, BOB):
        [message] = feedback_requests(bot.fake, person)
        assert "Give feedback" in block_texts(message["blocks"])
        assert "Thank you for coming to *Cross-government open source meetup* on Tuesday 12 January 2027" in (
            block_texts(message["blocks"])
        )
    for person in (CAT, DAN, EVE):
        assert feedback_requests(bot.fake, person) == []


def test_each_person_answers_once_and_the_message_then_says_thanks(bot):
    meetup = meetup_that_ended(bot)
    ids = schedule_sessions(bot.db, meetup, ["Publishing code in the open", "Funding maintainers"], now=bot.clock())
    messages = asked(bot, meetup)
    form = open_form(bot, ADA, messages[ADA])
    sessions = next(b for b in form["blocks"] if b.get("block_id") == "sessions")["element"]
    assert [o["text"]["text"] for o in sessions["options"]] == ["Publishing code in the open", "Funding maintainers"]

    missing = bot.slack.submit_view(form, {"worked": "The talks"}, user_id=ADA).json()
    assert missing["response_action"] == "errors" and "usefulness" in missing["errors"]
    first = bot.slack.submit_view(form, {"usefulness": "5", "sessions": [str(ids[1])]}, user_id=ADA).json()
    again = bot.slack.submit_view(form, {"usefulness": "1"}, user_id=ADA).json()

    assert "Thank you for your feedback." in block_texts(first["view"]["blocks"])
    assert block_texts(again["view"]["blocks"]) == "You have already given feedback for this meetup. Thank you."
    [kept] = responses(bot.db, meetup.id)
    assert (kept.usefulness, kept.session_titles) == (5, ["Funding maintainers"])
    thanked = eventually(lambda: feedback_requests(bot.fake, ADA) == [] and bot.fake.messages(bot.fake.dm_channel(ADA)))
    assert "Thank you for your feedback on" in block_texts(thanked[-1]["blocks"])
    # Pressing the button of an older copy shows the same answer, not the form.
    press_give_feedback(bot, ADA, messages[ADA])
    assert "already given feedback" in block_texts(bot.fake.wait_for("views.open", count=2)[-1].args["view"]["blocks"])


def test_someone_who_did_not_come_cannot_answer(bot):
    meetup = meetup_that_ended(bot)
    messages = asked(bot, meetup)
    form = open_form(bot, ADA, messages[ADA])  # a copy of Ada's form, submitted by Cat
    reply = bot.slack.submit_view(form, {"usefulness": "1", "change": "Everything"}, user_id=CAT).json()
    assert "we have no record of you" in block_texts(reply["view"]["blocks"])
    assert responses(bot.db, meetup.id) == []


def test_the_summary_shows_organisers_what_was_sent_and_refuses_others(bot):
    meetup = meetup_that_ended(bot, came=(ADA, BOB, DAN))
    messages = asked(bot, meetup, people=(ADA, BOB, DAN))
    answer(bot, ADA, messages[ADA], usefulness="4", worked="The talks <!channel>", change="More tea")
    answer(bot, BOB, messages[BOB], usefulness="5", worked="Meeting *people*")

    reply = bot.slack.command(f"feedback {meetup.id}", user_id=ORGANISER).message()
    shown = block_texts(reply["blocks"])
    assert "*2 of 3 people asked answered* (67%)." in shown
    assert "4.5 out of 5 on average" in shown
    assert "5 – Very useful: 1\n4 – Useful: 1\n3 – Quite useful: 0" in shown
    assert "> The talks &lt;!channel&gt;" in shown and "> More tea" in shown
    assert "meetup-bot feedback" not in shown  # everything fitted
    assert bot.slack.command("feedback", user_id=ORGANISER).message() == reply  # the latest meetup
    refused = bot.slack.command(f"feedback {meetup.id}", user_id=ADA).message()
    assert refused["text"].startswith("Only organisers can use `/meetup feedback`")
    with bot.db.transaction() as session:  # Eve helps run this meetup
        set_co_organisers(session, meetup.id, [EVE], now=bot.clock())
    assert bot.slack.command(f"feedback {meetup.id}", user_id=EVE).message() == reply


def test_comments_too_many_for_slack_say_how_to_read_them_all(bot, database_url, tmp_path):
    people = [f"U0P{n:03d}" for n in range(30)]
    meetup = meetup_that_ended(bot, came=people, booked=(), capacity=40)
    asked(bot, meetup, people=())
    for n, person in enumerate(people):
        comment = f"Comment {n}: " + "the talks were good and " * 20
        record_feedback(bot.db, meetup.id, person, Answers(usefulness=3, worked=comment))

    shown = block_texts(bot.slack.command(f"feedback {meetup.id}", user_id=ORGANISER).message()["blocks"])
    assert "more: run `meetup-bot feedback" in shown
    assert f"To read every answer, run `meetup-bot feedback {meetup.id}`" in shown
    printed = subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", "feedback", str(meetup.id)],
        capture_output=True,
        env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        check=True,
    )
    rows = printed.stdout.decode().splitlines()
    assert rows[0] == "Usefulness (1 to 5),What worked,What to change,Sessions that helped"
    assert len(rows) == 31 and "30 answers" in printed.stderr.decode()


def test_forget_and_the_purge_remove_who_answered_and_keep_the_answers(bot):
    meetup = meetup_that_ended(bot)
    messages = asked(bot, meetup)
    answer(bot, ADA, messages[ADA])
    answer(bot, BOB, messages[BOB])
    mine = block_texts(bot.slack.command("mydata", user_id=ADA).message()["blocks"])
    assert "You gave feedback for this meetup." in mine

    assert bot.slack.block_action(user_id=ADA, action_id="forget_confirm", value="forget").status == 200
    eventually(lambda: registration_of(bot, meetup, ADA) is None)  # after the ack
    assert len(responses(bot.db, meetup.id)) == 2

    bot.clock.advance(days=31)
    purge_due(bot.db, bot.clock(), 30)
    with bot.db.read() as session:
        assert not any(r.feedback_given for r in registration_store.list_registrations(session, meetup.id))
    assert len(responses(bot.db, meetup.id)) == 2
    shown = block_texts(bot.slack.command(f"feedback {meetup.id}", user_id=ORGANISER).message()["blocks"])
    assert "*2 of 2 people asked answered* (100%)." in shown
