"""When feedback is asked for, what counts as an answer, and the summary's figures."""

from __future__ import annotations

from datetime import UTC, datetime, time

from bot.feedback.feedback import (
    Answers,
    FeedbackPlan,
    FeedbackSummary,
    answer_problems,
    ask_for_feedback,
    describe_due_feedback,
)
from bot.signups.signups import sign_up
from storage.models import Meetup
from tests.support.factories import LONDON, make_form, make_meetup
from tests.support.feedback import check_in


def meetup_ending(at: datetime) -> Meetup:
    return Meetup(id=1, title="Meetup", starts_at=at, ends_at=at, feedback_asked=0)


def test_feedback_is_due_at_the_local_time_the_day_after_across_a_change_of_the_clocks():
    plan = FeedbackPlan(time=time(10, 0), tz=LONDON)
    # Saturday 27 March 2027, 5pm; the clocks go forward that night.
    assert plan.due_at(meetup_ending(datetime(2027, 3, 27, 17, 0, tzinfo=UTC))) == datetime(
        2027, 3, 28, 9, 0, tzinfo=UTC
    )
    # A meetup late in the evening: the next local morning, whatever the date in UTC.
    assert plan.due_at(meetup_ending(datetime(2027, 6, 30, 22, 30, tzinfo=UTC))) == datetime(
        2027, 7, 1, 9, 0, tzinfo=UTC
    )
    assert FeedbackPlan(time=None).due_at(meetup_ending(datetime(2027, 6, 1, tzinfo=UTC))) is None


def test_an_answer_needs_a_score_from_1_to_5_and_answers_that_fit():
    assert answer_problems(Answers(usefulness=3)) == {}
    assert set(answer_problems(Answers(usefulness=None))) == {"usefulness"}
    assert set(answer_problems(Answers(usefulness=6))) == {"usefulness"}
    assert set(answer_problems(Answers(usefulness=2, worked="x" * 2001, change="y" * 2001))) == {"worked", "change"}


def test_the_summary_figures_come_from_the_answers_and_the_people_asked():
    meetup = meetup_ending(datetime(2027, 6, 1, tzinfo=UTC))
    summary = FeedbackSummary(meetup, 4, {1: 0, 2: 0, 3: 1, 4: 1, 5: 1}, [], [], [])
    assert (summary.answers, summary.average, summary.rate) == (3, 4.0, 0.75)
    nobody = FeedbackSummary(meetup, 0, {score: 0 for score in range(1, 6)}, [], [], [])
    assert (nobody.answers, nobody.average, nobody.rate) == (0, None, None)


def test_the_dry_run_says_whose_feedback_would_be_asked_for_and_asking_agrees(db):
    # A meetup on Friday 26 February 2027, 1pm to 5pm; feedback is asked for at 10am the next day.
    plan = FeedbackPlan(time=time(10, 0), tz=LONDON)
    before = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)
    meetup = make_meetup(db, now=before, title="Open source", starts_in=datetime(2027, 2, 26, tzinfo=UTC) - before)
    for user_id in ("U1", "U2"):
        sign_up(db, make_form(meetup_id=meetup.id), user_id=user_id, now=before, contact="x")
    check_in(db, meetup.id, "U1", datetime(2027, 2, 26, 13, 5, tzinfo=UTC))

    assert describe_due_feedback(db, now=datetime(2027, 2, 27, 9, 59, tzinfo=UTC), plan=plan) == []
    due = datetime(2027, 2, 27, 10, 0, tzinfo=UTC)
    expected = [f"Would ask 1 person who came to meetup {meetup.id} (Open source) for their feedback"]
    assert describe_due_feedback(db, now=due, plan=plan) == expected
    assert describe_due_feedback(db, now=datetime(2027, 3, 2, tzinfo=UTC), plan=plan) == [
        f"Would not ask for feedback on meetup {meetup.id} (Open source): it was due at 2027-02-27 10:00 UTC, "
        "more than 2 days ago"
    ]

    assert ask_for_feedback(db, now=due, plan=plan, render=lambda m, tz: ("Feedback", [])) == 1
    assert describe_due_feedback(db, now=due, plan=plan) == []
