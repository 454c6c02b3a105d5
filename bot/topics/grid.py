"""The session grid: which topics get a room and a time slot.

Pure and deterministic (no database, no Slack, no clock), so it can be tested
on a vote matrix whose best answer is known, and so re-running it on the same
votes gives the same grid.

The rules, from the issue:

1. The most-voted topics get sessions; ties go to the earlier proposal.
2. Each goes into the time slot where the fewest of its voters already have
   another chosen session, counting people with a confirmed place first.
3. Nobody leads two sessions at the same time.
4. The biggest rooms go to the most-voted topics.
5. Re-running keeps unchanged placements where they were: people may
   already have been told their room.

Rule 2, applied greedily, can paint itself into a corner (the first choices
are made before later topics are known), so after the greedy pass topics
are moved or swapped between slots while that lowers the number of clashes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.common.formatting import format_time, parse_time_range
from bot.common.ids import parse_whole_number


@dataclass(frozen=True)
class Room:
    name: str
    capacity: int


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Candidate:
    """A topic as the grid sees it."""

    topic_id: int
    voters: frozenset[str]
    proposed_at: datetime
    # Who leads the session, if anyone has said they will.
    lead: str | None = None


@dataclass(frozen=True)
class Placement:
    topic_id: int
    room: Room
    slot: Slot


@dataclass(frozen=True)
class Clashes:
    """People who voted for two or more sessions in the same slot, counted
    once for each session beyond their first."""

    confirmed: int
    everyone: int


@dataclass(frozen=True)
class Grid:
    placements: tuple[Placement, ...]  # by slot, then biggest room first
    unplaced: tuple[int, ...]  # topic ids, most voted first

    def placement_of(self, topic_id: int) -> Placement | None:
        return next((p for p in self.placements if p.topic_id == topic_id), None)


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Most votes first; ties to the earlier proposal."""
    return sorted(candidates, key=lambda c: (-len(c.voters), c.proposed_at, c.topic_id))


def _cost(members: Iterable[Candidate], confirmed: frozenset[str]) -> tuple[int, int]:
    """(confirmed clashes, all clashes) among the sessions of one slot."""
    counts = Counter(voter for c in members for voter in c.voters)
    extra = {voter: n - 1 for voter, n in counts.items() if n > 1}
    return sum(n for voter, n in extra.items() if voter in confirmed), sum(extra.values())


def clashes(grid: Grid, candidates: Iterable[Candidate], confirmed: frozenset[str] = frozenset()) -> Clashes:
    by_id = {c.topic_id: c for c in candidates}
    by_slot: dict[Slot, list[Candidate]] = {}
    for p in grid.placements:
        by_slot.setdefault(p.slot, []).append(by_id[p.topic_id])
    totals = [_cost(members, confirmed) for members in by_slot.values()]
    return Clashes(sum(t[0] for t in totals), sum(t[1] for t in totals))


def build_grid(
    candidates: Iterable[Candidate],
    rooms: list[Room],
    slots: list[Slot],
    *,
    confirmed: frozenset[str] = frozenset(),
    previous: Mapping[int, tuple[str, Slot]] | None = None,
) -> Grid:
    """Place topics into rooms × slots.

    `previous` is the last grid (topic id -> room name and slot): a topic
    still among those chosen stays where it was if that room and slot still
    exist and its lead is free then.
    """
    ranked = rank(candidates)
    if not rooms or not slots:
        return Grid((), tuple(c.topic_id for c in ranked))
    slot_count, room_count = len(slots), len(rooms)
    chosen, unplaced = _choose(ranked, slot_count, room_count)

    members: list[list[Candidate]] = [[] for _ in slots]
    slot_of: dict[int, int] = {}

    def lead_free(c: Candidate, s: int, ignoring: Candidate | None = None) -> bool:
        return c.lead is None or all(o.lead != c.lead for o in members[s] if o is not ignoring and o is not c)

    def put(c: Candidate, s: int) -> None:
        members[s].append(c)
        slot_of[c.topic_id] = s

    # 2. Unchanged placements stay where they were.
    taken, pinned_room = _keep_previous(chosen, rooms, slots, previous or {}, lead_free, put)

    _place_rest(chosen, unplaced, members, slot_of, set(pinned_room), room_count, confirmed, lead_free, put)
    _improve(members, slot_of, set(pinned_room), room_count, confirmed, lead_free)

    order = {c.topic_id: i for i, c in enumerate(ranked)}
    placements = _assign_rooms(rooms, slots, members, taken, pinned_room, order)
    unplaced_ids = tuple(c.topic_id for c in sorted(unplaced, key=lambda c: order[c.topic_id]))
    return Grid(tuple(placements), unplaced_ids)


def _place_rest(chosen, unplaced, members, slot_of, pinned, room_count, confirmed, lead_free, put) -> None:
    """3. The rest, most voted first, into the slot where the fewest of its
    voters (confirmed first) already have a session; on a tie, the emptier
    slot, so that a small grid spreads out, then the earlier. What cannot be
    placed joins `unplaced`."""
    slot_count = len(members)

    def place(c: Candidate) -> bool:
        options = [s for s in range(slot_count) if len(members[s]) < room_count and lead_free(c, s)]
        if not options:
            # Every slot with a free room already has this lead. Make room:
            # move a session from a slot without them to one with space.
            return _make_room(c, members, slot_of, pinned, room_count, confirmed, lead_free)

        def added(s: int) -> tuple[int, int, int, int]:
            busy = {voter for o in members[s] for voter in o.voters} & c.voters
            return len(busy & confirmed), len(busy), len(members[s]), s

        put(c, min(options, key=added))
        return True

    for c in chosen:
        if c.topic_id not in slot_of and not place(c):
            unplaced.append(c)
    # If a chosen topic could not be placed, its room is free: offer it to
    # the next topics down the list rather than leave it empty.
    for c in rank(unplaced):
        if sum(map(len, members)) < slot_count * room_count and place(c):
            unplaced.remove(c)


def _choose(ranked: list[Candidate], slot_count: int, room_count: int) -> tuple[list[Candidate], list[Candidate]]:
    """1. Which topics get a session (and which do not). A lead can lead at
    most one per slot."""
    chosen: list[Candidate] = []
    unplaced: list[Candidate] = []
    leading: Counter[str] = Counter()
    for c in ranked:
        if len(chosen) < slot_count * room_count and (c.lead is None or leading[c.lead] < slot_count):
            chosen.append(c)
            if c.lead:
                leading[c.lead] += 1
        else:
            unplaced.append(c)
    return chosen, unplaced


def _keep_previous(
    chosen: list[Candidate],
    rooms: list[Room],
    slots: list[Slot],
    previous: Mapping[int, tuple[str, Slot]],
    lead_free: Callable[[Candidate, int], bool],
    put: Callable[[Candidate, int], None],
) -> tuple[set[tuple[int, int]], dict[int, int]]:
    """Put back each chosen topic whose previous room and slot still exist and
    are free; returns the (slot, room) pairs taken and each kept topic's room."""
    room_index = {room.name: i for i, room in enumerate(rooms)}
    slot_index = {slot: i for i, slot in enumerate(slots)}
    taken: set[tuple[int, int]] = set()
    pinned_room: dict[int, int] = {}
    for c in chosen:
        placed = previous.get(c.topic_id)
        if placed is None:
            continue
        room_name, slot = placed
        r, s = room_index.get(room_name), slot_index.get(slot)
        if r is None or s is None or (s, r) in taken or not lead_free(c, s):
            continue
        taken.add((s, r))
        pinned_room[c.topic_id] = r
        put(c, s)
    return taken, pinned_room


def _assign_rooms(
    rooms: list[Room],
    slots: list[Slot],
    members: list[list[Candidate]],
    taken: set[tuple[int, int]],
    pinned_room: dict[int, int],
    order: dict[int, int],
) -> list[Placement]:
    """4. Rooms: placements kept keep their room; otherwise the biggest free
    room goes to the most-voted topic in the slot."""
    placements: list[Placement] = []
    for s, slot in enumerate(slots):
        free_rooms = sorted(
            (r for r in range(len(rooms)) if (s, r) not in taken), key=lambda r: (-rooms[r].capacity, r)
        )
        assigned = {c.topic_id: pinned_room[c.topic_id] for c in members[s] if c.topic_id in pinned_room}
        for c in sorted((c for c in members[s] if c.topic_id not in pinned_room), key=lambda c: order[c.topic_id]):
            assigned[c.topic_id] = free_rooms.pop(0)
        for topic_id, r in sorted(assigned.items(), key=lambda item: (-rooms[item[1]].capacity, item[1])):
            placements.append(Placement(topic_id, rooms[r], slot))
    return placements


def _make_room(c, members, slot_of, pinned, room_count, confirmed, lead_free) -> bool:
    """Place `c` in a full slot that its lead is free in, by moving one of
    that slot's sessions to a slot with a free room; the cheapest such move.
    Step 1 capped each lead at one session a slot, so this nearly always
    works; it fails only when every such move breaks another lead's rule."""
    best, best_cost = None, None
    for s in range(len(members)):
        if not lead_free(c, s):
            continue
        for o in members[s]:
            if o.topic_id in pinned:
                continue
            for t in range(len(members)):
                if t == s or len(members[t]) >= room_count or not lead_free(o, t):
                    continue
                cost = _add(
                    _cost([x for x in members[s] if x is not o] + [c], confirmed), _cost(members[t] + [o], confirmed)
                )
                if best_cost is None or cost < best_cost:
                    best, best_cost = (s, o, t), cost
    if best is None:
        return False
    s, o, t = best
    members[s].remove(o)
    members[t].append(o)
    slot_of[o.topic_id] = t
    members[s].append(c)
    slot_of[c.topic_id] = s
    return True


# The improving pass's budget, in voters looked at: a deterministic bound
# (not a time limit, so the same votes always give the same grid) that keeps
# the largest grid the form allows (240 topics, 20 rooms, 12 slots) to well
# under 2 seconds of CPU. Grids of a few dozen topics never reach it.
IMPROVE_BUDGET = 6_000_000


def _improve(members, slot_of, pinned, room_count, confirmed, lead_free, budget: int = IMPROVE_BUDGET) -> None:
    """Move or swap topics (not kept placements) between slots while that
    lowers the clashes. Each step takes the move that lowers them most; among
    equals, the one that leaves the most-voted topics where the greedy pass
    put them. Each step strictly lowers (confirmed, all) clashes, so this ends;
    it also ends when the budget is spent, taking the best move found so far.

    Each slot keeps a count of sessions per voter, so a move's effect is
    worked out from the moved topics' voters alone, not the whole slot.
    """
    counts: list[Counter[str]] = [Counter(v for c in group for v in c.voters) for group in members]
    split = {}
    for group in members:
        for c in group:
            mine = tuple(v for v in c.voters if v in confirmed)
            split[c.topic_id] = (mine, tuple(v for v in c.voters if v not in confirmed))
    spent = 0
    while True:
        movable = [c for group in members for c in group if c.topic_id not in pinned]
        movable.sort(key=lambda c: (-len(c.voters), c.proposed_at, c.topic_id))
        best, spent = _best_step(movable, members, slot_of, counts, split, room_count, lead_free, spent, budget)
        if best is None:
            return
        a, target, b = best
        source = slot_of[a.topic_id]
        _move(a, source, target, members, slot_of, counts)
        if b is not None:
            _move(b, target, source, members, slot_of, counts)
        if spent > budget:
            return


def _best_step(movable, members, slot_of, counts, split, room_count, lead_free, spent: int, budget: int):
    """The move (a, slot, None) or swap (a, b's slot, b) that lowers the
    clashes most, or None; and the budget spent so far."""
    best, best_key = None, ((0, 0), 0)
    for i, a in enumerate(movable):
        if spent > budget:
            break
        sa = slot_of[a.topic_id]
        out_a = _leaving(split[a.topic_id], counts[sa])
        for s in range(len(members)):
            if s == sa or len(members[s]) >= room_count or not lead_free(a, s):
                continue
            gain = _minus(out_a, _joining(split[a.topic_id], counts[s]))
            spent += len(a.voters)
            # i: a's place in the ranking; moving lower-ranked topics is preferred.
            if (gain, i) > best_key and gain > (0, 0):
                best, best_key = (a, s, None), (gain, i)
        for b in movable[i + 1 :]:
            sb = slot_of[b.topic_id]
            if sb == sa or not lead_free(a, sb, ignoring=b) or not lead_free(b, sa, ignoring=a):
                continue
            gain = _minus(
                _add(out_a, _leaving(split[b.topic_id], counts[sb])),
                _add(
                    _joining(split[b.topic_id], counts[sa], without=a),
                    _joining(split[a.topic_id], counts[sb], without=b),
                ),
            )
            spent += 2 * (len(a.voters) + len(b.voters))
            if (gain, i) > best_key and gain > (0, 0):
                best, best_key = (a, sb, b), (gain, i)
    return best, spent


def _leaving(voters: tuple[tuple[str, ...], tuple[str, ...]], n: Counter[str]) -> tuple[int, int]:
    """Clashes removed when a topic with these (confirmed, other) voters
    leaves a slot with counts n (the topic counted in n)."""
    mine, others = voters
    gone = sum(1 for v in mine if n[v] >= 2)
    return gone, gone + sum(1 for v in others if n[v] >= 2)


def _joining(
    voters: tuple[tuple[str, ...], tuple[str, ...]], n: Counter[str], without: Candidate | None = None
) -> tuple[int, int]:
    """Clashes added when a topic with these voters joins a slot with counts
    n, less `without`'s voters."""
    mine, others = voters
    gone = without.voters if without is not None else ()
    added = sum(1 for v in mine if n[v] - (v in gone) >= 1)
    return added, added + sum(1 for v in others if n[v] - (v in gone) >= 1)


def _move(c: Candidate, source: int, target: int, members, slot_of, counts) -> None:
    members[source].remove(c)
    members[target].append(c)
    slot_of[c.topic_id] = target
    counts[source].subtract(c.voters)
    counts[target].update(c.voters)


def _minus(x: tuple[int, int], y: tuple[int, int]) -> tuple[int, int]:
    return x[0] - y[0], x[1] - y[1]


def _add(x: tuple[int, int], y: tuple[int, int]) -> tuple[int, int]:
    return x[0] + y[0], x[1] + y[1]


# Reading what the organiser typed --------------------------------------------

MAX_ROOMS = 20
MAX_SLOTS = 12
ROOM_EXAMPLE = "Thames, 30"
SLOT_EXAMPLE = "2pm to 2:45pm"


class GridInputError(ValueError):
    """What is wrong with the rooms or slots, in words that say how to fix it."""


def parse_rooms(text: str) -> list[Room]:
    """One room a line: its name, a comma and how many people it holds."""
    rooms: list[Room] = []
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        raise GridInputError(f"Enter at least one room, for example {ROOM_EXAMPLE}")
    if len(lines) > MAX_ROOMS:
        raise GridInputError(f"Enter {MAX_ROOMS} rooms or fewer")
    for line in lines:
        name, comma, capacity = line.rpartition(",")
        name, capacity = name.strip(), capacity.strip()
        number = parse_whole_number(capacity)
        if not comma or not name or number is None or number < 0:
            raise GridInputError(
                f"Enter each room on its own line as its name, a comma and how many people it holds, "
                f"for example {ROOM_EXAMPLE}. Check '{line[:40]}'"
            )
        if len(name) > 100:
            raise GridInputError("Room names must be 100 characters or fewer")
        if number < 1:
            raise GridInputError(f"Each room must hold 1 person or more. Check '{line[:40]}'")
        if any(room.name.lower() == name.lower() for room in rooms):
            raise GridInputError(f"Give each room a different name: '{name[:40]}' is there twice")
        rooms.append(Room(name, number))
    return rooms


def parse_slots(text: str, *, day: date, tz: ZoneInfo, within: Slot | None = None) -> list[Slot]:
    """One slot a line, like "2pm to 2:45pm" or "14:00-14:45", on `day` in
    `tz`; in time order, not overlapping, and inside `within` when given."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if not lines:
        raise GridInputError(f"Enter at least one time slot, for example {SLOT_EXAMPLE}")
    if len(lines) > MAX_SLOTS:
        raise GridInputError(f"Enter {MAX_SLOTS} time slots or fewer")
    slots: list[Slot] = []
    for line in lines:
        start, end = parse_time_range(line)
        if start is None or end is None:
            raise GridInputError(
                f"Enter each time slot on its own line as a start and end time, for example {SLOT_EXAMPLE}. "
                f"Check '{line[:40]}'"
            )
        slot = Slot(datetime.combine(day, start, tz), datetime.combine(day, end, tz))
        if slot.ends_at <= slot.starts_at:
            raise GridInputError(f"Each time slot must end after it starts. Check '{line[:40]}'")
        if within and (slot.starts_at < within.starts_at or slot.ends_at > within.ends_at):
            raise GridInputError(
                f"Each time slot must be within the meetup's hours, {format_time(within.starts_at, tz)} to "
                f"{format_time(within.ends_at, tz)}. Check '{line[:40]}'"
            )
        slots.append(slot)
    slots.sort()
    for earlier, later in zip(slots, slots[1:], strict=False):
        if later.starts_at < earlier.ends_at:
            raise GridInputError(
                f"Time slots must not overlap: {format_time(earlier.starts_at, tz)} to "
                f"{format_time(earlier.ends_at, tz)} and {format_time(later.starts_at, tz)} to "
                f"{format_time(later.ends_at, tz)} do"
            )
    return slots


def rooms_text(rooms: Iterable[Room]) -> str:
    """Rooms as the organiser types them, to prefill the form next time."""
    return "\n".join(f"{room.name}, {room.capacity}" for room in rooms)


def slots_text(slots: Iterable[Slot], tz: ZoneInfo) -> str:
    return "\n".join(f"{format_time(s.starts_at, tz)} to {format_time(s.ends_at, tz)}" for s in slots)
