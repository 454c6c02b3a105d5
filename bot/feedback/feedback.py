"""Feedback after a meetup.

The morning after a meetup (FEEDBACK_TIME, local time), the worker sends each
person who checked in a direct message with a "Give feedback" button, once a
meetup however many workers run (meetups.feedback_asked_at). The answers are
stored without the person's identity (FeedbackResponse); a flag on their
registration says they answered, so they cannot answer twice. `/meetup
forget` and the purge remove the flag; the answers stay.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.common.formatting import plural
from bot.common.outbox import enqueue_dm_to_registration
from bot.signups.export import neutralise
from storage import feedback as feedback_store
from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage.db import Database
from storage.models import FeedbackResponse, Meetup, Registration

log = logging.getLogger(__name__)

# The words beside each score in the form and the summary.
USEFULNESS = {1: "Not useful", 2: "A little useful", 3: "Quite useful", 4: "Useful", 5: "Very useful"}
# Longest answer to each question, in characters (the form says so too).
MAX_TEXT = 2000
# Slack's limit on a multi_static_select's options.
MAX_SESSIONS = 100
# Asking later than this after FEEDBACK_TIME (the bot was not running) is
# too late to be useful: the meetup is recorded as asked of nobody.
LATE_LIMIT = timedelta(days=2)
# The next morning is at most about 34 hours after a meetup ends: meetups
# that ended longer ago than this (and LATE_LIMIT) are no longer looked at.
_SEARCH = LATE_LIMIT + timedelta(days=2)

NOT_HELD = (
    "We can only take feedback from people who checked in at the meetup, and we have no record of you "
    "there (or you asked us to delete your data). Thank you all the same."
)
ALREADY_GIVEN = "You have already given feedback for this meetup. Thank you."


@dataclass(frozen=True)
class FeedbackPlan:
    """When feedback is asked for, from the settings. No time: never."""

    time: time | None = time(10, 0)
    tz: ZoneInfo = ZoneInfo("Europe/London")

    @classmethod
    def from_settings(cls, settings) -> FeedbackPlan:
        return cls(time=settings.feedback_time, tz=settings.tz)

    def due_at(self, meetup: Meetup) -> datetime | None:
        """FEEDBACK_TIME on the day after the meetup's date, in UTC (and not
        before it ends: ask_for_feedback looks only at meetups that have)."""
        if self.time is None:
            return None
        day = meetup.starts_at.astimezone(self.tz).date() + timedelta(days=1)
        return datetime.combine(day, self.time, tzinfo=self.tz).astimezone(UTC)


class FeedbackRequest(Protocol):
    """Draws the direct message asking for feedback, as (fallback text,
    blocks); handlers/blocks/feedback.py implements it."""

    def __call__(self, meetup: Meetup, tz: ZoneInfo) -> tuple[str, list[dict]]: ...


def _due(plan: FeedbackPlan, meetup: Meetup, now: datetime) -> bool:
    due = plan.due_at(meetup)
    return due is not None and due <= now


def ask_for_feedback(db: Database, *, now: datetime, plan: FeedbackPlan, render: FeedbackRequest) -> int:
    """Queue the feedback requests of every meetup whose time has come, and
    record that they were queued, in one transaction; returns how many people
    were asked."""
    if plan.time is None:
        return 0
    ended_after = now - _SEARCH
    with db.read() as session:  # most polls find none: no write lock
        waiting = feedback_store.list_meetups_to_ask(session, ended_after=ended_after, now=now)
        if not any(_due(plan, m, now) for m in waiting):
            return 0
    asked = 0
    with db.transaction() as session:
        for meetup in feedback_store.list_meetups_to_ask(session, ended_after=ended_after, now=now, lock=True):
            due = plan.due_at(meetup)
            if due is None or due > now:
                continue
            if now > due + LATE_LIMIT:
                log.warning(
                    "Did not ask for feedback on meetup %d: it was due at %s UTC, more than %d days ago",
                    meetup.id,
                    f"{due:%Y-%m-%d %H:%M}",
                    LATE_LIMIT.days,
                )
                meetup.feedback_asked_at, meetup.feedback_asked = now, 0
                continue
            asked += _ask(session, meetup, now=now, tz=plan.tz, render=render)
    return asked


def _ask(session, meetup: Meetup, *, now: datetime, tz: ZoneInfo, render: FeedbackRequest) -> int:
    text, blocks = render(meetup, tz)
    people = _people_to_ask(session, meetup.id)
    for registration in people:
        # Someone forgotten before it goes is not asked: the registration goes with them.
        key = f"feedback:{meetup.id}:{registration.id}"
        enqueue_dm_to_registration(
            session, registration, blocks, text, key=key, kind="feedback_request", meetup_id=meetup.id, now=now
        )
    meetup.feedback_asked_at, meetup.feedback_asked = now, len(people)
    log.info("Queued feedback requests for meetup %d: %s", meetup.id, plural(len(people), "person", "people"))
    return len(people)


def _people_to_ask(session, meetup_id: int) -> list[Registration]:
    # Only the people who came; a purged sign-up names nobody to ask.
    return [
        r
        for r in feedback_store.list_checked_in(session, meetup_id)
        if not r.feedback_given and not r.slack_user_id.startswith("purged-")
    ]


def describe_due_feedback(db: Database, *, now: datetime, plan: FeedbackPlan) -> list[str]:
    """What ask_for_feedback would do now, for `meetup-bot reminders run-due
    --dry-run`. Reads only."""
    if plan.time is None:
        return []
    lines = []
    with db.read() as session:
        for meetup in feedback_store.list_meetups_to_ask(session, ended_after=now - _SEARCH, now=now):
            due = plan.due_at(meetup)
            if due is None or due > now:
                continue
            name = f"meetup {meetup.id} ({meetup.title})"
            if now > due + LATE_LIMIT:
                lines.append(
                    f"Would not ask for feedback on {name}: it was due at {due:%Y-%m-%d %H:%M} UTC, "
                    f"more than {LATE_LIMIT.days} days ago"
                )
                continue
            people = plural(len(_people_to_ask(session, meetup.id)), "person", "people")
            lines.append(f"Would ask {people} who came to {name} for their feedback")
    return lines


# The form ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackForm:
    """What the form needs: the meetup and its sessions, or why there is no form."""

    meetup: Meetup | None
    problem: str = ""
    sessions: list[tuple[int, str]] = field(default_factory=list)  # (topic id, title)


def feedback_form(db: Database, meetup_id: int | None, user_id: str) -> FeedbackForm:
    with db.read() as session:
        meetup = meetup_store.get_meetup(session, meetup_id) if meetup_id else None
        registration = registration_store.get_registration(session, meetup.id, user_id) if meetup else None
        if meetup is None or registration is None or registration.checked_in_at is None:
            return FeedbackForm(None, NOT_HELD)
        if registration.feedback_given:
            return FeedbackForm(meetup, ALREADY_GIVEN)
        return FeedbackForm(meetup, sessions=feedback_store.session_topics(session, meetup.id)[:MAX_SESSIONS])


@dataclass(frozen=True)
class Answers:
    usefulness: int | None
    worked: str = ""
    change: str = ""
    session_ids: list[str] = field(default_factory=list)  # as the form sent them


def answer_problems(answers: Answers) -> dict[str, str]:
    """What to fix, by question: {} when the answers can be kept."""
    errors = {}
    if answers.usefulness not in USEFULNESS:
        errors["usefulness"] = "Select how useful the meetup was, from 1 to 5"
    for name, text in (("worked", answers.worked), ("change", answers.change)):
        if len(text) > MAX_TEXT:
            errors[name] = f"Your answer must be {MAX_TEXT} characters or fewer"
    if len(answers.session_ids) > MAX_SESSIONS:
        errors["sessions"] = f"Select {MAX_SESSIONS} sessions or fewer"
    return errors


@dataclass(frozen=True)
class Recorded:
    """What became of a submission: kept, or refused and why."""

    meetup: Meetup | None
    refusal: str = ""  # NOT_HELD or ALREADY_GIVEN


def record_feedback(
    db: Database,
    meetup_id: int | None,
    user_id: str,
    answers: Answers,
    *,
    then: Callable[[object, Meetup], None] | None = None,
) -> Recorded:
    """Keep one person's answers, without their identity, and flag their
    registration as answered, in one transaction; `then(session, meetup)`
    runs in it to queue the change to the message with the button (on a
    second submission too)."""
    if answer_problems(answers):
        raise ValueError("check the answers with answer_problems first")
    with db.transaction() as session:
        meetup = meetup_store.get_meetup(session, meetup_id) if meetup_id else None
        if meetup is None:
            return Recorded(None, NOT_HELD)
        if not feedback_store.mark_given(session, meetup.id, user_id):
            registration = registration_store.get_registration(session, meetup.id, user_id)
            if registration is None or not registration.feedback_given:
                return Recorded(meetup, NOT_HELD)
            if then is not None:
                then(session, meetup)
            return Recorded(meetup, ALREADY_GIVEN)
        offered = dict(feedback_store.session_topics(session, meetup.id))
        # Only sessions of this meetup's grid; a forged id is dropped.
        chosen = [offered[int(i)] for i in answers.session_ids if i.isdigit() and int(i) in offered]
        feedback_store.add_response(
            session,
            FeedbackResponse(
                id=uuid.uuid4().hex,
                meetup_id=meetup.id,
                usefulness=answers.usefulness,
                worked=answers.worked.strip(),
                change=answers.change.strip(),
                sessions=_json_list(chosen),
            ),
        )
        if then is not None:
            then(session, meetup)
        return Recorded(meetup)


def _json_list(items: list[str]) -> str:
    return json.dumps(list(dict.fromkeys(items)), ensure_ascii=False) if items else ""


# The organisers' summary ---------------------------------------------------------------


@dataclass(frozen=True)
class FeedbackSummary:
    meetup: Meetup
    asked: int  # people asked; 0 before the worker asked
    counts: dict[int, int]  # score -> how many gave it
    sessions: list[tuple[str, int]]  # most named first
    worked: list[str]
    change: list[str]

    @property
    def answers(self) -> int:
        return sum(self.counts.values())

    @property
    def average(self) -> float | None:
        return sum(score * n for score, n in self.counts.items()) / self.answers if self.answers else None

    @property
    def rate(self) -> float | None:
        """Answers as a share of the people asked."""
        return self.answers / self.asked if self.asked else None


def summarise(db: Database, meetup: Meetup) -> FeedbackSummary:
    with db.read() as session:
        responses = feedback_store.list_responses(session, meetup.id)
    counts = Counter(r.usefulness for r in responses)
    named = Counter(title for r in responses for title in r.session_titles)
    return FeedbackSummary(
        meetup=meetup,
        asked=meetup.feedback_asked,
        counts={score: counts.get(score, 0) for score in USEFULNESS},
        sessions=sorted(named.items(), key=lambda item: (-item[1], item[0].casefold())),
        worked=[r.worked for r in responses if r.worked],
        change=[r.change for r in responses if r.change],
    )


def feedback_meetup(db: Database, meetup_id: int | None, *, now: datetime) -> Meetup | None:
    """The meetup named, or without one the meetup that ended most recently."""
    with db.read() as session:
        if meetup_id is not None:
            return meetup_store.get_meetup(session, meetup_id)
        return feedback_store.latest_ended_meetup(session, now)


CSV_HEADER = ("Usefulness (1 to 5)", "What worked", "What to change", "Sessions that helped")


def feedback_csv(db: Database, meetup_id: int) -> tuple[str, int]:
    """Every answer about a meetup as CSV, and how many: for `meetup-bot
    feedback MEETUP`, where comments too many for Slack can be read in full."""
    with db.read() as session:
        responses = feedback_store.list_responses(session, meetup_id)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for r in responses:
        cells = (str(r.usefulness), r.worked, r.change, "; ".join(r.session_titles))
        writer.writerow([neutralise(cell) for cell in cells])
    return out.getvalue(), len(responses)
