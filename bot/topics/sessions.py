"""`/meetup schedule`: turn the votes into the session grid, and keep it.

The placing itself is bot.schedule (pure); this reads the votes, hands over
the last grid so that unchanged placements stay put, and stores the result.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.topics.grid import Candidate, Clashes, Grid, Placement, Room, Slot, build_grid, clashes
from bot.topics.leads import LeadPlace, lead_places
from bot.topics.topics import RankedTopic, ranking_in
from storage import meetups as meetup_store
from storage import schedules as schedule_store
from storage import topics as topic_store
from storage.db import Database
from storage.models import Meetup, Schedule, ScheduledSession, Topic


@dataclass(frozen=True)
class PlacedSession:
    placement: Placement
    topic: RankedTopic
    lead: str | None
    changed: bool  # new, or in another room or slot than in the last grid
    moved: bool  # in the last grid, in another room or slot
    place: LeadPlace  # the proposer's place at the meetup, or why they have none


@dataclass(frozen=True)
class ScheduleOutcome:
    meetup: Meetup
    schedule_id: int
    sessions: list[PlacedSession]  # by slot, then biggest room first
    unplaced: list[RankedTopic]  # most voted first
    dropped: list[Topic]  # had a session in the last grid, have none now
    clashes: Clashes
    rerun: bool
    slots: list[Slot]

    @property
    def leads_without_place(self) -> list[PlacedSession]:
        """Sessions whose lead has no place at the meetup, for the organisers."""
        return [s for s in self.sessions if s.lead and not s.place.has_place]


def _lead(topic: Topic) -> str | None:
    return topic.proposer_user_id if topic.would_lead else None


def _previous(schedule: Schedule | None) -> dict[int, tuple[str, Slot]]:
    if schedule is None:
        return {}
    return {s.topic_id: (s.room_name, Slot(s.starts_at, s.ends_at)) for s in schedule.sessions}


# Run in the transaction that stores a grid, e.g. to queue its messages.
AfterStore = Callable[[Session, "ScheduleOutcome"], None]


def build_schedule(
    db: Database,
    *,
    meetup_id: int,
    rooms: list[Room],
    slots: list[Slot],
    organiser: str,
    now: datetime,
    then: AfterStore | None = None,
) -> ScheduleOutcome | None:
    """Place the meetup's open topics and store the grid. None if the
    meetup has gone. `then(session, outcome)` runs in the transaction that
    stores it: what it queues exists if and only if the grid does.

    The votes are read, and the grid built, outside any transaction: the
    search takes up to a second or two at the largest size, and on SQLite a
    transaction holds the one write lock every sign-up needs. The grid is
    then stored with the meetup locked; if another organiser stored a grid
    meanwhile, it is built again from theirs rather than overwrite it."""
    for attempt in range(3):
        with db.read() as session:
            meetup = meetup_store.get_meetup(session, meetup_id)
            if meetup is None:
                return None
            ranking = ranking_in(session, meetup)
            last = schedule_store.latest_schedule(session, meetup_id)
            previous = _previous(last)
            last_id = last.id if last is not None else None
        candidates = [Candidate(r.topic.id, r.voters, r.topic.proposed_at, _lead(r.topic)) for r in ranking.topics]
        grid = build_grid(candidates, rooms, slots, confirmed=ranking.confirmed, previous=previous)
        outcome = _store(
            db,
            meetup_id=meetup_id,
            rooms=rooms,
            slots=slots,
            organiser=organiser,
            now=now,
            ranking=ranking,
            previous=previous,
            grid=grid,
            candidates=candidates,
            expected_last_id=last_id if attempt < 2 else _ANY,
            then=then,
        )
        if outcome is not _RETRY:
            return outcome
    return None  # not reached: the last attempt stores whatever came before


_RETRY = object()
_ANY = object()


def _store(
    db: Database,
    *,
    meetup_id,
    rooms,
    slots,
    organiser,
    now,
    ranking,
    previous,
    grid,
    candidates,
    expected_last_id,
    then: AfterStore | None,
):
    with db.transaction() as session:
        meetup = meetup_store.lock_meetup(session, meetup_id)
        if meetup is None:
            return None
        last = schedule_store.latest_schedule(session, meetup_id)
        if expected_last_id is not _ANY and (last.id if last is not None else None) != expected_last_id:
            return _RETRY
        schedule = schedule_store.add_schedule(
            session,
            Schedule(
                meetup_id=meetup_id,
                rooms=json.dumps([{"name": r.name, "capacity": r.capacity} for r in rooms]),
                slots=json.dumps(
                    [{"starts_at": s.starts_at.isoformat(), "ends_at": s.ends_at.isoformat()} for s in slots]
                ),
                created_by=organiser,
                created_at=now,
            ),
        )
        meetup.current_schedule_id = schedule.id
        by_id = {r.topic.id: r for r in ranking.topics}
        proposers = (by_id[p.topic_id].topic.proposer_user_id for p in grid.placements)
        sessions = _place(schedule, grid, by_id, previous, lead_places(session, meetup, proposers, now=now))
        session.flush()
        dropped_ids = [t for t in previous if grid.placement_of(t) is None]
        dropped = [topic_store.get_topic(session, t) for t in dropped_ids]
        outcome = ScheduleOutcome(
            meetup=meetup,
            schedule_id=schedule.id,
            sessions=sessions,
            unplaced=[by_id[t] for t in grid.unplaced],
            dropped=[t for t in dropped if t is not None],
            clashes=clashes(grid, candidates, ranking.confirmed),
            rerun=last is not None,
            slots=list(slots),
        )
        if then is not None:
            then(session, outcome)
        return outcome


def _place(
    schedule: Schedule,
    grid: Grid,
    by_id: dict[int, RankedTopic],
    previous: dict[int, tuple[str, Slot]],
    places: dict[str, LeadPlace],
) -> list[PlacedSession]:
    """Add the grid's sessions to the stored schedule; what each means for
    its lead (or its proposer, when nobody has said they will lead it)."""
    sessions = []
    for p in grid.placements:
        ranked = by_id[p.topic_id]
        lead = _lead(ranked.topic)
        schedule.sessions.append(
            ScheduledSession(
                topic_id=p.topic_id,
                room_name=p.room.name,
                room_capacity=p.room.capacity,
                starts_at=p.slot.starts_at,
                ends_at=p.slot.ends_at,
                lead_user_id=lead,
            )
        )
        before = previous.get(p.topic_id)
        here = (p.room.name, p.slot)
        sessions.append(
            PlacedSession(
                p,
                ranked,
                lead,
                changed=before != here,
                moved=before is not None and before != here,
                place=places[ranked.topic.proposer_user_id],
            )
        )
    return sessions


def last_rooms_and_slots(db: Database, meetup_id: int) -> tuple[list[Room], list[Slot]] | None:
    """What the organiser entered last time, to fill the form in again."""
    with db.read() as session:
        schedule = schedule_store.latest_schedule(session, meetup_id)
        if schedule is None:
            return None
        rooms = [Room(r["name"], int(r["capacity"])) for r in json.loads(schedule.rooms)]
        slots = [
            Slot(datetime.fromisoformat(s["starts_at"]), datetime.fromisoformat(s["ends_at"]))
            for s in json.loads(schedule.slots)
        ]
        return rooms, slots
