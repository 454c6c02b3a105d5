"""Introductions: people who ask for one, and have a place, are introduced
to someone from another organisation working on similar things, in a group
direct message a set time before the meetup (INTRODUCTIONS_DAYS_BEFORE).

What is shared with the people you are introduced to, and nothing else:
your name, your organisation, what you wrote you are working on, and the
topics you both voted for. Consent is its own record, separate from any
sign-up, given and withdrawn at any time.

Each meetup's introductions are planned once (introduction_rounds), in one
transaction with the messages they queue, so a second worker or a retry
never plans or sends them again. An introduction is kept by person key
(bot/common/pseudonyms.py), so nobody meets the same person twice across the
series, even after the purge.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.common.outbox import cancel_queued, enqueue_group_dm
from bot.common.pseudonyms import PersonKeys
from bot.introductions.matching import Group, Person, plan_groups, same_organisation
from storage import introductions as store
from storage import meetups as meetup_store
from storage import schedules as schedule_store
from storage import topics as topic_store
from storage import votes as vote_store
from storage.db import Database
from storage.models import Introduction, IntroductionConsent, Meetup, Registration

log = logging.getLogger(__name__)

MAX_WORKING_ON = 300
DELIVERY_KIND = "introduction"


@dataclass(frozen=True)
class Introducee:
    user_id: str
    name: str
    organisation: str
    working_on: str


@dataclass(frozen=True)
class Suggestion:
    """When on the day the people might meet: `kind` is "break" (the first
    gap between discussion slots), "sessions" (before the first slot) or
    "start" (when the meetup starts)."""

    kind: str
    at: datetime


@dataclass(frozen=True)
class PlannedIntroduction:
    """One group to introduce, with what the message says about them."""

    meetup: Meetup
    people: tuple[Introducee, ...]
    topics: tuple[str, ...]  # titles of the topics at least two of them voted for
    words: tuple[str, ...]
    suggestion: Suggestion
    keys: tuple[str, ...]  # their person keys, in the order of `people`
    cross_organisation: bool


# Draws the message: returns (text, blocks).
Renderer = Callable[[PlannedIntroduction], tuple[str, list[dict]]]


# ------------------------------------------------------------------ consent


def consent_of(db: Database, user_id: str) -> IntroductionConsent | None:
    with db.read() as session:
        return store.get_consent(session, user_id)


def consent_in(session, user_id: str) -> IntroductionConsent | None:
    return store.get_consent(session, user_id)


def opt_in(db: Database, user_id: str, working_on: str, now: datetime) -> None:
    with db.transaction() as session:
        store.give_consent(session, user_id, working_on[:MAX_WORKING_ON], now)


def give_consent(session, user_id: str, working_on: str, now: datetime) -> None:
    """Consent in the caller's transaction (the sign-up form's question)."""
    store.give_consent(session, user_id, working_on[:MAX_WORKING_ON], now)


def opt_out(db: Database, user_id: str, people: PersonKeys | None) -> bool:
    """Withdraw consent; introductions queued and not yet sent are cancelled.
    Returns whether there was consent to withdraw."""
    with db.transaction() as session:
        withdrawn = store.withdraw_consent(session, user_id)
        if people is not None:
            _cancel_unsent(session, people.of(user_id), None, note="they stopped introductions")
        return withdrawn


def leave_meetup(session, meetup_id: int, user_id: str, people: PersonKeys | None) -> int:
    """In the transaction that cancels someone's place: their introductions
    at this meetup that have not gone yet never go."""
    if people is None:
        return 0
    return _cancel_unsent(session, people.of(user_id), meetup_id, note="a person in it cancelled their place")


def forget_person(session, user_id: str, people: PersonKeys | None) -> bool:
    """`/meetup forget`: what they wrote goes with their consent, queued
    introductions naming them are cancelled (emptied), and their person key
    comes off the introductions they were part of."""
    forgotten = store.withdraw_consent(session, user_id)
    if people is not None:
        key = people.of(user_id)
        forgotten = _cancel_unsent(session, key, None, note="a person in it asked to be forgotten") > 0 or forgotten
        forgotten = store.drop_person_key(session, key) > 0 or forgotten
    return forgotten


def purge_consents(session, now: datetime, days: int) -> int:
    """The purge: consent of people with no sign-up left unpurged, given
    more than `days` ago (so someone who opted in today keeps it)."""
    return store.purge_consents(session, now - timedelta(days=days))


def _cancel_unsent(session, person_key: str, meetup_id: int | None, *, note: str) -> int:
    cancelled = 0
    for introduction in store.introductions_of(session, person_key, meetup_id):
        cancelled += cancel_queued(session, key_prefix=_key(introduction), note=note)
    return cancelled


def _key(introduction: Introduction) -> str:
    # The colon ends the id: introduction 1's prefix must not match introduction 10.
    return f"introduction:{introduction.meetup_id}:{introduction.id}:"


# ------------------------------------------------------------------ planning


def plan_for(session, meetup: Meetup, people: PersonKeys) -> list[PlannedIntroduction]:
    """The introductions to make at this meetup now. Reads only."""
    attendees = store.consenting_attendees(session, meetup.id)
    key_of = {r.slack_user_id: people.of(r.slack_user_id) for r, _ in attendees}
    topics = topic_store.list_topics(session, meetup.id)
    titles = {topic.id: topic.title for topic in topics}
    voters = vote_store.voters_by_topic(session, titles)
    voted: dict[str, set[int]] = {}
    for topic_id, users in voters.items():
        for user in users:
            voted.setdefault(user, set()).add(topic_id)
    pool = [
        Person(
            key=key_of[r.slack_user_id],
            organisation=r.organisation,
            domain_organisation=r.domain_organisation,
            topics=frozenset(voted.get(r.slack_user_id, ())),
            working_on=consent.working_on,
        )
        for r, consent in attendees
    ]
    by_key = {key_of[r.slack_user_id]: (r, consent) for r, consent in attendees}
    groups = plan_groups(pool, already_met=store.introduced_pairs(session, key_of.values()))
    suggestion = suggest_time(session, meetup)
    persons = {p.key: p for p in pool}
    return [_planned(meetup, group, by_key, persons, titles, suggestion) for group in groups]


def _planned(
    meetup: Meetup,
    group: Group,
    by_key: dict[str, tuple[Registration, IntroductionConsent]],
    persons: dict[str, Person],
    titles: dict[int, str],
    suggestion: Suggestion,
) -> PlannedIntroduction:
    members = [by_key[key] for key in group.members]
    people = tuple(Introducee(r.slack_user_id, r.full_name, r.organisation, c.working_on) for r, c in members)
    crossed = not any(same_organisation(persons[a], persons[b]) for a in group.members for b in group.members if a < b)
    return PlannedIntroduction(
        meetup=meetup,
        people=people,
        topics=tuple(titles[t] for t in group.shared_topics),
        words=group.shared_words,
        suggestion=suggestion,
        keys=group.members,
        cross_organisation=crossed,
    )


def suggest_time(session, meetup: Meetup) -> Suggestion:
    """The first break between the discussion slots, if the grid has one;
    else the start of the first slot; else the start of the meetup."""
    schedule = schedule_store.latest_schedule(session, meetup.id)
    slots = sorted(
        (datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["ends_at"]))
        for s in (json.loads(schedule.slots) if schedule is not None else [])
    )
    for (_, ends), (starts, _) in zip(slots, slots[1:], strict=False):
        if starts > ends:
            return Suggestion("break", ends)
    if slots:
        return Suggestion("sessions", slots[0][0])
    return Suggestion("start", meetup.starts_at)


def describe_plan(db: Database, meetup_id: int, people: PersonKeys) -> list[str] | None:
    """For organisers, before anything is sent: one line a group, with the
    organisations and the shared topics, and no names. None: no such meetup."""
    with db.read() as session:
        meetup = meetup_store.get_meetup(session, meetup_id)
        if meetup is None:
            return None
        lines = []
        for planned in plan_for(session, meetup, people):
            organisations = " and ".join(p.organisation for p in planned.people)
            shared = (
                "; ".join(planned.topics) if planned.topics else "no topic, similar work: " + ", ".join(planned.words)
            )
            lines.append(f"{organisations}: {shared}")
        return lines


def queue_due_introductions(
    db: Database, *, now: datetime, days_before: int, people: PersonKeys | None, render: Renderer
) -> list[int]:
    """Plan and queue the introductions of every meetup starting within
    `days_before` days, once each. Returns the queued messages' ids."""
    if days_before <= 0 or people is None:
        return []
    with db.read() as session:
        due = [m.id for m in store.meetups_due(session, now, now + timedelta(days=days_before))]
    queued: list[int] = []
    for meetup_id in due:
        with db.transaction() as session:
            meetup = meetup_store.lock_meetup(session, meetup_id)
            # Under the meetup's lock: a second worker waits, then finds it planned.
            if meetup is None or store.is_planned(session, meetup_id):
                continue
            planned = plan_for(session, meetup, people)
            for introduction in planned:
                queued.append(_queue(session, introduction, render, now))
            store.record_round(session, meetup_id, len(planned), now)
        log.info("Introductions for meetup %d: %d groups", meetup_id, len(planned))
    return queued


def _queue(session, planned: PlannedIntroduction, render: Renderer, now: datetime) -> int:
    keys = list(planned.keys) + [None] * (3 - len(planned.keys))
    row = store.add_introduction(
        session,
        Introduction(
            meetup_id=planned.meetup.id,
            first_key=keys[0],
            second_key=keys[1],
            third_key=keys[2],
            cross_organisation=planned.cross_organisation,
            shared_topics=len(planned.topics),
            created_at=now,
        ),
    )
    text, blocks = render(planned)
    return enqueue_group_dm(
        session,
        [p.user_id for p in planned.people],
        blocks,
        text,
        key=f"{_key(row)}message",
        kind=DELIVERY_KIND,
        meetup_id=planned.meetup.id,
        now=now,
    )


def introduction_counts(db: Database) -> tuple[int, int]:
    """Introductions made across the series, and how many crossed organisations."""
    with db.read() as session:
        return store.counts(session)
