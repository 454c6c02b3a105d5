"""`/meetup schedule` at its largest: the form is acknowledged before the
search, the grid arrives and is valid, and the search holds no database lock
(issue 16, item 4). How fast it is belongs in the benchmark (bench/grid.py)."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

from bench.grid import grid_case, valid
from bot.signups.signups import sign_up
from bot.topics import sessions as sessions_module
from bot.topics.grid import Room, Slot, build_grid
from bot.topics.sessions import build_schedule
from storage import schedules as schedule_store
from storage.models import VoteReaction
from tests.support.app import CHANNEL, ORGANISER
from tests.support.blocks import block_texts
from tests.support.factories import make_form, make_meetup
from tests.support.organising import eventually
from tests.support.topic_factories import make_topic
from tests.support.topics import open_schedule_modal

TOPICS, ROOMS, SLOTS = 240, 20, 12


def test_the_largest_grid_is_valid():
    candidates, rooms, slots, confirmed = grid_case()
    grid = build_grid(candidates, rooms, slots, confirmed=confirmed)
    assert valid(grid, candidates, rooms, slots)
    assert len(grid.placements) == TOPICS
    # Deterministic: the search's bound is counted work, not time.
    assert build_grid(candidates, rooms, slots, confirmed=confirmed) == grid


def seed_votes(bot, meetup, topics) -> None:
    rng = random.Random(16)
    now = bot.clock()
    with bot.db.transaction() as session:
        for n in range(400):
            for topic in rng.sample(topics, 8):
                session.add(
                    VoteReaction(
                        topic_id=topic.id, slack_user_id=f"UV{n:04d}", reaction="+1", present=True, changed_at=now
                    )
                )


def test_240_topics_20_rooms_12_slots_acks_first_then_posts_a_valid_grid(bot):
    meetup = make_meetup(bot.db, now=bot.clock(), hours=4)
    topics = [
        make_topic(
            bot.db,
            meetup_id=meetup.id,
            now=bot.clock() + timedelta(seconds=k),
            title=f"Topic {k}",
            user_id=f"UP{k:04d}",
            name=f"Person {k}",
            would_lead=k % 3 == 0,
        )
        for k in range(TOPICS)
    ]
    seed_votes(bot, meetup, topics)
    rooms = "\n".join(f"Room {r}, {10 + r}" for r in range(1, ROOMS + 1))
    slots = "\n".join(
        f"{13 + (20 * s) // 60}:{(20 * s) % 60:02d}-{13 + (20 * s + 15) // 60}:{(20 * s + 15) % 60:02d}"
        for s in range(SLOTS)
    )

    view = open_schedule_modal(bot)
    posted_before = len(bot.fake.messages(CHANNEL))
    answer = bot.slack.submit_view(view, {"rooms": rooms, "slots": slots}, user_id=ORGANISER)
    assert answer.status == 200
    # The ack says the grid is coming: it was sent before the search.
    assert "Building the grid" in block_texts(answer.json()["view"]["blocks"])

    grid = eventually(
        lambda: [m for m in bot.fake.messages(CHANNEL)[posted_before:] if "sessions" in m["text"]], timeout=60
    )
    assert grid
    summary = eventually(lambda: bot.fake.calls_to("views.update"), timeout=10)[-1].args["view"]
    assert "240 sessions, 0 topics did not fit" in block_texts(summary["blocks"])
    with bot.db.read() as session:
        stored = schedule_store.latest_schedule(session, meetup.id)
        cells = [(s.room_name, s.starts_at) for s in stored.sessions]
        assert len(cells) == len(set(cells)) == TOPICS
        assert {s.topic_id for s in stored.sessions} == {t.id for t in topics}


def test_the_search_holds_no_database_lock(db, clock, monkeypatch):
    """While the grid is being built, a sign-up (which needs the write lock
    on SQLite, and the meetup's row lock) goes through."""
    meetup = make_meetup(db, now=clock())
    make_topic(db, meetup_id=meetup.id, now=clock())
    finished = threading.Event()

    def slow_build(*args, **kwargs):
        def sign_up_now():
            sign_up(db, make_form(meetup_id=meetup.id), user_id="U0ADA", now=clock(), contact="")
            finished.set()

        threading.Thread(target=sign_up_now, daemon=True).start()
        assert finished.wait(10), "a sign-up waited for the grid's search"
        return build_grid(*args, **kwargs)

    monkeypatch.setattr(sessions_module, "build_grid", slow_build)
    start = meetup.starts_at
    outcome = build_schedule(
        db,
        meetup_id=meetup.id,
        rooms=[Room("Thames", 30)],
        slots=[Slot(start, start + timedelta(minutes=45))],
        organiser=ORGANISER,
        now=clock(),
    )
    assert outcome is not None and len(outcome.sessions) == 1
