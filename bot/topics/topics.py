"""Unconference topics: proposing, withdrawing, hiding, the ranking, and
carrying topics that did not fit over to the next meetup."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

from bot.signups.signups import clean_text, meetup_chosen
from storage import meetups as meetup_store
from storage import schedules as schedule_store
from storage import topics as topic_store
from storage import votes as vote_store
from storage.db import Database
from storage.models import (
    MEETUP_CANCELLED,
    TOPIC_CARRIED_OVER,
    TOPIC_HIDDEN,
    TOPIC_OPEN,
    TOPIC_WITHDRAWN,
    Meetup,
    Topic,
)

TITLE_LIMIT = 150
DESCRIPTION_LIMIT = 1000


def topic_meetups(db: Database, now: datetime) -> list[Meetup]:
    """Meetups that take topics: not over and not cancelled, soonest first.
    Topics are proposed up to the day itself, after sign-up has closed."""
    with db.read() as session:
        return [m for m in meetup_store.list_upcoming_meetups(session, now) if m.status != MEETUP_CANCELLED]


# Proposing -----------------------------------------------------------------------


@dataclass(frozen=True)
class TopicForm:
    meetup_id: int | None
    title: str
    description: str
    would_lead: bool | None


def read_form(
    *, meetup_id: int | None, title: str | None, description: str | None, would_lead: str | None
) -> TopicForm:
    return TopicForm(
        meetup_id=meetup_id,
        title=clean_text(title),
        description=clean_text(description, multiline=True),
        would_lead={"yes": True, "no": False}.get(would_lead or ""),
    )


def validate_topic(form: TopicForm) -> dict[str, str]:
    """Field name -> what to do about it. Empty means valid."""
    errors = meetup_chosen(form.meetup_id)
    if not form.title:
        errors["title"] = "Enter a title for your topic"
    elif len(form.title) > TITLE_LIMIT:
        errors["title"] = f"Title must be {TITLE_LIMIT} characters or fewer"
    if len(form.description) > DESCRIPTION_LIMIT:
        errors["description"] = f"Description must be {DESCRIPTION_LIMIT:,} characters or fewer"
    if form.would_lead is None:
        errors["would_lead"] = "Select whether you would lead the session"
    return errors


def propose_topic(
    db: Database, form: TopicForm, *, user_id: str, proposer_name: str, now: datetime
) -> tuple[Topic | None, Meetup | None]:
    """Store a valid topic. (None, meetup) if the meetup no longer takes topics."""
    if form.meetup_id is None:  # as for a meetup that no longer exists
        return None, None
    with db.transaction() as session:
        meetup = meetup_store.get_meetup(session, form.meetup_id)
        if meetup is None or meetup.ends_at <= now or meetup.status == MEETUP_CANCELLED:
            return None, meetup
        topic = topic_store.add_topic(
            session,
            Topic(
                meetup_id=meetup.id,
                title=form.title,
                description=form.description,
                proposer_user_id=user_id,
                proposer_name=proposer_name[:200] or user_id,
                would_lead=bool(form.would_lead),
                status=TOPIC_OPEN,
                proposed_at=now,
                created_at=now,
                status_changed_at=now,
            ),
        )
        return topic, meetup


def attach_card(db: Database, topic_id: int, *, channel: str, ts: str, permalink: str | None) -> None:
    """Remember the card, so reactions on it count as votes for the topic."""
    with db.transaction() as session:
        topic = topic_store.get_topic(session, topic_id)
        if topic is not None:
            topic.channel, topic.ts, topic.permalink = channel, ts, permalink


def discard_topic(db: Database, topic_id: int, *, then: Callable[[Session], None] | None = None) -> None:
    """For a topic whose card could not be posted: nobody could vote on it.
    `then(session)` runs in the same transaction, e.g. to queue a message."""
    with db.transaction() as session:
        topic_store.delete_topic(session, topic_id)
        if then is not None:
            then(session)


def get_topic(db: Database, topic_id: int) -> Topic | None:
    with db.read() as session:
        return topic_store.get_topic(session, topic_id)


# Withdrawing and hiding ----------------------------------------------------------------


class StatusOutcome(StrEnum):
    DONE = "done"
    MISSING = "missing"
    NOT_YOURS = "not_yours"
    NOT_OPEN = "not_open"


@dataclass(frozen=True)
class StatusChange:
    """What withdrawing or hiding a topic did, for the reply and the card."""

    outcome: StatusOutcome
    topic: Topic | None = None
    meetup: Meetup | None = None


def _change_status(
    db: Database, topic_id: int, status: str, now: datetime, *, only_by: str | None = None
) -> StatusChange:
    with db.transaction() as session:
        topic = topic_store.lock_topic(session, topic_id)
        if topic is None:
            return StatusChange(StatusOutcome.MISSING)
        meetup = meetup_store.get_meetup(session, topic.meetup_id)
        if only_by is not None and topic.proposer_user_id != only_by:
            return StatusChange(StatusOutcome.NOT_YOURS, topic, meetup)
        if topic.status != TOPIC_OPEN:
            return StatusChange(StatusOutcome.NOT_OPEN, topic, meetup)
        topic.status = status
        topic.status_changed_at = now
        return StatusChange(StatusOutcome.DONE, topic, meetup)


def withdraw_topic(db: Database, topic_id: int, *, user_id: str, now: datetime) -> StatusChange:
    """Only the person who proposed a topic can withdraw it."""
    return _change_status(db, topic_id, TOPIC_WITHDRAWN, now, only_by=user_id)


def hide_topic(db: Database, topic_id: int, *, now: datetime) -> StatusChange:
    """For organisers (the caller checks): takes a topic off the list and the grid."""
    return _change_status(db, topic_id, TOPIC_HIDDEN, now)


# The ranking ------------------------------------------------------------------------


@dataclass(frozen=True)
class RankedTopic:
    topic: Topic
    voters: frozenset[str]
    confirmed_voters: frozenset[str]
    carried_from: str | None = None  # the earlier meetup's title

    @property
    def votes(self) -> int:
        return len(self.voters)


@dataclass(frozen=True)
class Ranking:
    meetup: Meetup
    topics: list[RankedTopic]
    confirmed: frozenset[str]


def ranking_in(session, meetup: Meetup) -> Ranking:
    """The ranking, read in a unit of work the caller holds."""
    topics = topic_store.list_topics(session, meetup.id)
    voters = vote_store.voters_by_topic(session, [t.id for t in topics])
    confirmed = frozenset(vote_store.confirmed_users(session, meetup.id))
    ranked = []
    for topic in topics:
        carried_from = None
        if topic.carried_from_topic_id:
            earlier = topic_store.get_topic(session, topic.carried_from_topic_id)
            earlier_meetup = meetup_store.get_meetup(session, earlier.meetup_id) if earlier else None
            carried_from = earlier_meetup.title if earlier_meetup else None
        people = frozenset(voters.get(topic.id, set()))
        ranked.append(RankedTopic(topic, people, people & confirmed, carried_from))
    ranked.sort(key=lambda r: (-r.votes, r.topic.proposed_at, r.topic.id))
    return Ranking(meetup, ranked, confirmed)


def ranking(db: Database, meetup_id: int) -> Ranking:
    """A meetup's open topics, most votes first, ties to the earlier proposal."""
    with db.read() as session:
        meetup = meetup_store.get_meetup(session, meetup_id)
        if meetup is None:  # meetups are never deleted: the caller found this one
            raise LookupError(f"no meetup {meetup_id}")
        return ranking_in(session, meetup)


def open_cards(db: Database, now: datetime) -> list[Topic]:
    """Open topics with a card, for meetups not over yet: what a recount reads."""
    with db.read() as session:
        meetups = [m for m in meetup_store.list_upcoming_meetups(session, now) if m.status != MEETUP_CANCELLED]
        return [t for m in meetups for t in topic_store.list_topics(session, m.id) if t.ts]


# Carrying over -----------------------------------------------------------------------


@dataclass(frozen=True)
class CarriedOver:
    old: Topic
    new: Topic
    from_meetup: Meetup
    to_meetup: Meetup


def carry_over_finished(db: Database, now: datetime) -> list[CarriedOver]:
    """Topics that did not fit in a finished meetup's grid go on the next
    meetup's list, with no votes: a new topic, linked to the old one.

    Only meetups whose organisers built a grid count ("did not fit" needs
    one). A meetup with no next meetup yet is looked at again next time, so
    this runs whenever topics are listed or scheduled. Safe to run twice at
    once: the finished meetup is locked, and a topic is carried only once
    (uq_topic_carried_from).
    """
    # Look first without locking: usually there is nothing to do.
    with db.read() as session:
        waiting = sorted({t.meetup_id for t in topic_store.list_open_topics_of_finished_meetups(session, now)})
        due = [meetup_id for meetup_id in waiting if _has_topics_to_carry(session, meetup_id, now)]
    carried: list[CarriedOver] = []
    for meetup_id in due:
        with db.transaction() as session:
            finished = meetup_store.lock_meetup(session, meetup_id)
            schedule = schedule_store.latest_schedule(session, meetup_id)
            if finished is None or schedule is None:
                continue
            following = topic_store.next_meetup_after(session, finished, now)
            if following is None:
                continue
            placed = {s.topic_id for s in schedule.sessions}
            for old in topic_store.list_topics(session, meetup_id):
                if old.id in placed:
                    continue
                old.status = TOPIC_CARRIED_OVER
                old.status_changed_at = now
                new = topic_store.add_topic(session, _carried_copy(old, following, now))
                carried.append(CarriedOver(old, new, finished, following))
    return carried


# What a topic keeps when it moves to the next meetup: it is still the same
# proposal, by the same person, in the same place in the queue.
_CARRIED = ("title", "description", "proposer_user_id", "proposer_name", "would_lead", "proposed_at")


def _carried_copy(old: Topic, following: Meetup, now: datetime) -> Topic:
    return Topic(
        **{name: getattr(old, name) for name in _CARRIED},
        meetup_id=following.id,
        status=TOPIC_OPEN,
        carried_from_topic_id=old.id,
        created_at=now,
        status_changed_at=now,
    )


def _has_topics_to_carry(session, meetup_id: int, now: datetime) -> bool:
    schedule = schedule_store.latest_schedule(session, meetup_id)
    if schedule is None:
        return False
    placed = {s.topic_id for s in schedule.sessions}
    if all(t.id in placed for t in topic_store.list_topics(session, meetup_id)):
        return False
    finished = meetup_store.get_meetup(session, meetup_id)
    if finished is None:  # as carry_over skips it under the lock
        return False
    return topic_store.next_meetup_after(session, finished, now) is not None
