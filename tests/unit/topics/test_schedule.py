"""The session grid, on crafted vote matrices whose best answer is known."""

from datetime import UTC, date, datetime, timedelta
from itertools import permutations
from zoneinfo import ZoneInfo

import pytest

from bot.topics.grid import (
    Candidate,
    Clashes,
    GridInputError,
    Room,
    Slot,
    build_grid,
    clashes,
    parse_rooms,
    parse_slots,
    rank,
    rooms_text,
    slots_text,
)

LONDON = ZoneInfo("Europe/London")
T0 = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
FIRST = Slot(datetime(2027, 2, 26, 14, 0, tzinfo=LONDON), datetime(2027, 2, 26, 14, 45, tzinfo=LONDON))
SECOND = Slot(datetime(2027, 2, 26, 15, 0, tzinfo=LONDON), datetime(2027, 2, 26, 15, 45, tzinfo=LONDON))
BIG, SMALL = Room("Thames", 40), Room("Severn", 12)


def topic(topic_id, voters, *, lead=None, minutes=0):
    return Candidate(topic_id, frozenset(voters.split()), T0 + timedelta(minutes=minutes or topic_id), lead)


def cells(grid):
    return {p.topic_id: (p.room.name, p.slot) for p in grid.placements}


def by_slot(grid):
    result = {}
    for p in grid.placements:
        result.setdefault(p.slot, set()).add(p.topic_id)
    return result


def best_possible(candidates, rooms, slots, confirmed=frozenset()):
    """Brute force over every way to split the chosen topics into slots."""
    chosen = rank(candidates)[: len(rooms) * len(slots)]
    best = None
    for order in permutations(chosen):
        groups = [order[i * len(rooms) : (i + 1) * len(rooms)] for i in range(len(slots))]
        from bot.topics.grid import _cost

        totals = [_cost(g, confirmed) for g in groups]
        cost = (sum(t[0] for t in totals), sum(t[1] for t in totals))
        best = cost if best is None or cost < best else best
    return best


# The matrix from the "done when": 2 rooms × 2 slots, 4 topics.
# A and C share u1, A and D share u2, B and C share u3, B and D share u4; A
# and B share nobody, nor do C and D. The only grid where nobody has to
# choose between two sessions they voted for is {A, B} then {C, D}.
A = topic(1, "u1 u2 u5 u6")  # 4 votes
B = topic(2, "u3 u4 u7")  # 3 votes
C = topic(3, "u1 u3")  # 2 votes, proposed before D
D = topic(4, "u2 u4")  # 2 votes
MATRIX = [D, C, B, A]  # any order in, ranked inside


def test_four_topics_in_two_rooms_by_two_slots_have_no_clashes():
    grid = build_grid(MATRIX, [SMALL, BIG], [FIRST, SECOND])

    assert by_slot(grid) == {FIRST: {1, 2}, SECOND: {3, 4}}
    assert clashes(grid, MATRIX) == Clashes(0, 0)
    assert best_possible(MATRIX, [SMALL, BIG], [FIRST, SECOND]) == (0, 0)
    # The biggest room goes to the most-voted topic in each slot.
    assert cells(grid) == {1: ("Thames", FIRST), 2: ("Severn", FIRST), 3: ("Thames", SECOND), 4: ("Severn", SECOND)}
    assert grid.unplaced == ()


def test_most_voted_topics_get_the_sessions_and_the_rest_are_listed_in_order():
    extra = [topic(5, "u9"), topic(6, "")]
    grid = build_grid(MATRIX + extra, [BIG, SMALL], [FIRST, SECOND])
    assert set(cells(grid)) == {1, 2, 3, 4}
    assert grid.unplaced == (5, 6)


def test_ties_go_to_the_earlier_proposal():
    early, late = topic(7, "a b", minutes=1), topic(8, "c d", minutes=2)
    grid = build_grid([late, early], [BIG], [FIRST])
    assert cells(grid) == {7: ("Thames", FIRST)}
    assert grid.unplaced == (8,)


def test_confirmed_attendees_clashes_count_first():
    """One slot must hold two of these three topics, and every pair shares
    voters: first and second share 3, first and third 2 (p, q), second and
    third 1 (k). Counting heads alone, second and third belong together;
    but k has a confirmed place, so first and third do."""
    first = topic(1, "p q r s x y z")
    second = topic(2, "k l m x y z")
    third = topic(3, "p q k")
    rooms, slots = [BIG, SMALL], [FIRST, SECOND]
    grid = build_grid([first, second, third], rooms, slots, confirmed=frozenset({"k"}))
    assert by_slot(grid) == {FIRST: {1, 3}, SECOND: {2}}
    assert clashes(grid, [first, second, third], frozenset({"k"})) == Clashes(confirmed=0, everyone=2)
    assert best_possible([first, second, third], rooms, slots, frozenset({"k"})) == (0, 2)

    nobody_confirmed = build_grid([first, second, third], rooms, slots)
    assert by_slot(nobody_confirmed) == {FIRST: {1}, SECOND: {2, 3}}


def test_nobody_leads_two_sessions_at_once():
    ada = [topic(1, "a b c", lead="U0ADA"), topic(2, "d e", lead="U0ADA")]
    others = [topic(3, "f", lead="U0BOB"), topic(4, "", lead=None)]
    grid = build_grid(ada + others, [BIG, SMALL], [FIRST, SECOND])
    assert cells(grid)[1][1] != cells(grid)[2][1]


def test_a_leads_second_topic_is_not_squeezed_out_when_the_slots_fill():
    """A goes first, B to the empty second slot, then C (sharing a confirmed
    voter with A) joins B. D is led by A's lead, and the only free room is
    beside A: B moves over to make room, which also clears every clash."""
    a = topic(1, "v1 v2 v5", lead="U0ADA")
    b = topic(2, "v3 v4 v7", lead="U0BOB")
    c = topic(3, "v1 v3")
    d = topic(4, "v2 v4", lead="U0ADA")
    grid = build_grid([a, b, c, d], [BIG, SMALL], [FIRST, SECOND], confirmed=frozenset({"v1"}))
    assert by_slot(grid) == {FIRST: {1, 2}, SECOND: {3, 4}}
    assert grid.unplaced == ()


def test_a_lead_with_more_topics_than_slots_gives_way_to_the_next_topic():
    ada = [topic(n, f"x v{n}", lead="U0ADA") for n in (1, 2, 3)]
    grid = build_grid(ada + [topic(4, "")], [BIG, SMALL], [FIRST, SECOND])
    assert set(cells(grid)) == {1, 2, 4}
    assert grid.unplaced == (3,)


def test_a_room_a_chosen_topic_cannot_use_goes_to_the_next_topic():
    """Kept placements leave the only free room beside Ada's other session,
    so her second topic cannot run: the room goes to the next topic down."""
    a1, a2 = topic(1, "a b c d e", lead="U0ADA"), topic(2, "f g h i", lead="U0ADA")
    p, q, z = topic(3, "j k l"), topic(4, "m n o"), topic(5, "w")
    previous = {1: ("Thames", FIRST), 3: ("Thames", SECOND), 4: ("Severn", SECOND)}
    grid = build_grid([a1, a2, p, q, z], [BIG, SMALL], [FIRST, SECOND], previous=previous)
    assert cells(grid) == {**previous, 5: ("Severn", FIRST)}
    assert grid.unplaced == (2,)


def test_rerunning_keeps_unchanged_placements_even_if_votes_shift():
    first = build_grid(MATRIX, [BIG, SMALL], [FIRST, SECOND])
    previous = cells(first)
    # D gains votes: a fresh grid might reorder rooms, a re-run should not.
    d_more = topic(4, "u2 u4 u8 u9 u10 u11")
    again = build_grid([A, B, C, d_more], [BIG, SMALL], [FIRST, SECOND], previous=previous)
    assert cells(again) == previous

    # A new topic takes the place of one that was withdrawn, in its cell.
    e = topic(5, "u12")
    replaced = build_grid([A, B, d_more, e], [BIG, SMALL], [FIRST, SECOND], previous=previous)
    assert {k: v for k, v in cells(replaced).items() if k != 5} == {k: v for k, v in previous.items() if k != 3}
    assert cells(replaced)[5] == previous[3]


def test_a_placement_in_a_room_that_no_longer_exists_moves():
    previous = cells(build_grid(MATRIX, [BIG, SMALL], [FIRST, SECOND]))
    grid = build_grid(MATRIX, [BIG, Room("Tyne", 20)], [FIRST, SECOND], previous=previous)
    assert {t for t, (room, _) in cells(grid).items() if room == "Thames"} == {1, 3}
    assert {t for t, (room, _) in cells(grid).items() if room == "Tyne"} == {2, 4}


def test_the_same_input_gives_the_same_grid():
    many = [topic(n, " ".join(f"u{(n * k) % 17}" for k in range(n % 5 + 1))) for n in range(1, 15)]
    rooms = [Room("A", 10), Room("B", 30), Room("C", 20)]
    slots = [FIRST, SECOND, Slot(SECOND.ends_at, SECOND.ends_at + timedelta(minutes=45))]
    first = build_grid(many, rooms, slots, confirmed=frozenset({"u1", "u3"}))
    assert first == build_grid(list(reversed(many)), rooms, slots, confirmed=frozenset({"u1", "u3"}))
    assert len(first.placements) == 9 and len(first.unplaced) == 5


def test_no_rooms_or_no_slots_places_nothing():
    assert build_grid(MATRIX, [], [FIRST]).unplaced == (1, 2, 3, 4)
    assert build_grid(MATRIX, [BIG], []).placements == ()


# Reading the form ------------------------------------------------------------------


def test_rooms_are_a_name_and_a_capacity_a_line():
    assert parse_rooms("Thames, 40\n\n  Severn room, annexe , 12 ") == [
        Room("Thames", 40),
        Room("Severn room, annexe", 12),
    ]
    assert rooms_text([Room("Thames", 40)]) == "Thames, 40"


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Enter at least one room, for example Thames, 30"),
        ("Thames", "Enter each room on its own line as its name, a comma and how many people it holds"),
        ("Thames, lots", "Enter each room on its own line"),
        ("Thames, 0", "Each room must hold 1 person or more"),
        ("Thames, 10\nthames, 20", "Give each room a different name"),
    ],
)
def test_bad_rooms_say_how_to_fix_them(text, message):
    with pytest.raises(GridInputError, match=message):
        parse_rooms(text)


def test_slots_read_as_people_write_times():
    day = date(2027, 2, 26)
    within = Slot(datetime(2027, 2, 26, 13, 0, tzinfo=LONDON), datetime(2027, 2, 26, 17, 0, tzinfo=LONDON))
    slots = parse_slots(
        "3pm to 3:45pm\n14:00-14:45\nmidday - 12.30",
        day=day,
        tz=LONDON,
        within=Slot(within.starts_at.replace(hour=12), within.ends_at),
    )
    assert [s.starts_at.hour for s in slots] == [12, 14, 15]
    assert slots[1] == FIRST
    assert slots_text(slots, LONDON) == "midday to 12:30pm\n2pm to 2:45pm\n3pm to 3:45pm"
    assert slots[0].starts_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "Enter at least one time slot, for example 2pm to 2:45pm"),
        ("after lunch", "Enter each time slot on its own line as a start and end time"),
        ("3pm to 2pm", "Each time slot must end after it starts"),
        ("11am to 11:45am", "Each time slot must be within the meetup's hours, 1pm to 5pm"),
        ("2pm to 3pm\n2:30pm to 3:30pm", "Time slots must not overlap: 2pm to 3pm and 2:30pm to 3:30pm do"),
        ("13pm to 14pm", "Enter each time slot on its own line"),
    ],
)
def test_bad_slots_say_how_to_fix_them(text, message):
    within = Slot(datetime(2027, 2, 26, 13, 0, tzinfo=LONDON), datetime(2027, 2, 26, 17, 0, tzinfo=LONDON))
    with pytest.raises(GridInputError, match=message):
        parse_slots(text, day=date(2027, 2, 26), tz=LONDON, within=within)
