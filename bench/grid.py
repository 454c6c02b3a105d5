"""The session grid at the size of issue 16: 240 topics, 20 rooms, 12 slots.

Built in-process, as `/meetup schedule` builds it after its ack: the figure
is the CPU time of one build (target: under 2 s), and whether the grid is
valid. Votes are random but seeded, so every run builds the same grid.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from bot.topics.grid import Candidate, Grid, Room, Slot, build_grid

TOPICS, ROOMS, SLOTS = 240, 20, 12


def grid_case(
    *,
    topics: int = TOPICS,
    rooms: int = ROOMS,
    slots: int = SLOTS,
    people: int = 400,
    votes_each: int = 12,
    seed: int = 16,
):
    """(candidates, rooms, slots, confirmed): a meetup's votes at this size.
    Some topics are more popular than others, a third have a lead, and half
    the voters have a place."""
    rng = random.Random(seed)
    start = datetime(2027, 2, 26, 13, 0, tzinfo=UTC)
    voters = [f"U{n:05d}" for n in range(people)]
    weights = [1 / (k + 1) ** 0.7 for k in range(topics)]
    chosen: list[set[str]] = [set() for _ in range(topics)]
    for voter in voters:
        for k in rng.choices(range(topics), weights=weights, k=votes_each):
            chosen[k].add(voter)
    leads = [f"L{n:03d}" for n in range(topics // 6)]
    candidates = [
        Candidate(
            k + 1,
            frozenset(chosen[k]),
            start - timedelta(days=30, minutes=k),
            rng.choice(leads) if k % 3 == 0 else None,
        )
        for k in range(topics)
    ]
    room_list = [Room(f"Room {r + 1}", 10 + 5 * r) for r in range(rooms)]
    slot_list = [Slot(start + timedelta(minutes=20 * s), start + timedelta(minutes=20 * s + 15)) for s in range(slots)]
    return candidates, room_list, slot_list, frozenset(voters[: people // 2])


def valid(grid: Grid, candidates, rooms, slots) -> bool:
    """Each topic at most once, each room and slot at most once, no lead in
    two places at once, and everything placed or listed as not fitting."""
    by_id = {c.topic_id: c for c in candidates}
    cells = [(p.room, p.slot) for p in grid.placements]
    placed = [p.topic_id for p in grid.placements]
    leads = [(by_id[p.topic_id].lead, p.slot) for p in grid.placements if by_id[p.topic_id].lead]
    return (
        len(set(cells)) == len(cells)
        and all(r in rooms and s in slots for r, s in cells)
        and len(set(placed)) == len(placed)
        and len(set(leads)) == len(leads)
        and sorted(placed + list(grid.unplaced)) == sorted(by_id)
    )


def measure() -> dict:
    candidates, rooms, slots, confirmed = grid_case()
    started = time.process_time()
    grid = build_grid(candidates, rooms, slots, confirmed=confirmed)
    cpu = time.process_time() - started
    return {"cpu": cpu, "valid": valid(grid, candidates, rooms, slots), "placed": len(grid.placements)}


if __name__ == "__main__":
    print(measure())
