"""When feedback is asked for, what counts as an answer, and the summary's figures."""

from __future__ import annotations

from datetime import UTC, datetime, time

from bot.feedback.feedback import Answers, FeedbackPlan, FeedbackSummary, answer_problems
from storage.models import Meetup
from tests.support.factories import LONDON


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
