"""Check-in rules under pressure, on SQLite and PostgreSQL: presses at the
same moment record one check-in, and let in no more people than there is room for."""

from __future__ import annotations

import threading
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.common.pseudonyms import Pseudonyms
from bot.organising.door import CODE_ALPHABET, CODE_LENGTH, check_in, door_code, let_in
from bot.signups.signups import sign_up
from storage.models import Registration
from storage.registrations import anonymise_registrations
from tests.support.factories import make_form, make_meetup

LONDON = ZoneInfo("Europe/London")


def on_the_day(db, clock, people: list[str], capacity: int):
    meetup = make_meetup(db, now=clock(), capacity=capacity, starts_in=timedelta(days=3))
    for user_id in people:
        sign_up(db, make_form(meetup_id=meetup.id, full_name=user_id), user_id=user_id, now=clock(), contact="x")
    clock.now = meetup.starts_at - timedelta(hours=2)
    with db.read() as session:
        ids = {r.slack_user_id: r.id for r in session.query(Registration).filter_by(meetup_id=meetup.id)}
    return meetup, ids


def at_once(calls) -> list[str]:
    """Run the calls on their own threads, released together; their answers."""
    barrier = threading.Barrier(len(calls))
    answers: list[str] = []

    def run(call) -> None:
        barrier.wait()
        answers.append(call())

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def test_presses_at_the_same_moment_record_one_check_in(db, clock):
    meetup, ids = on_the_day(db, clock, ["U0ADA"], capacity=5)
    organisers = [f"U0ORG{n}" for n in range(6)]
    answers = at_once(
        [lambda by=by: check_in(db, meetup, ids["U0ADA"], by=by, now=clock(), tz=LONDON) for by in organisers]
    )
    assert sum(1 for a in answers if a == "U0ADA is checked in.") == 1
    assert sum(1 for a in answers if a.startswith("U0ADA was already checked in")) == 5
    with db.read() as session:
        assert session.get(Registration, ids["U0ADA"]).checked_in_by in organisers


def test_letting_two_in_at_once_with_room_for_one_lets_in_one(db, clock):
    # Ada and Bob have the two places; Cy and Dee wait. Ada comes; once the
    # meetup has started, Bob's place is free for one more.
    meetup, ids = on_the_day(db, clock, ["U0ADA", "U0BOB", "U0CY", "U0DEE"], capacity=2)
    check_in(db, meetup, ids["U0ADA"], by="U0ORG", now=clock(), tz=LONDON)
    clock.now = meetup.starts_at + timedelta(minutes=15)
    answers = at_once(
        [
            lambda who=who: let_in(db, meetup.id, ids[who], by="U0ORG", now=clock(), tz=LONDON)
            for who in ("U0CY", "U0DEE")
        ]
    )
    assert sum(1 for a in answers if "has been let in" in a) == 1
    assert sum(1 for a in answers if a.startswith("There is no room")) == 1


def test_before_the_start_the_places_are_kept_for_the_people_who_have_them(db, clock):
    meetup, ids = on_the_day(db, clock, ["U0ADA", "U0BOB"], capacity=1)
    answer = let_in(db, meetup.id, ids["U0BOB"], by="U0ORG", now=clock(), tz=LONDON)
    assert answer.startswith("There is no room to let U0BOB in yet: every place is taken.")
    clock.now = meetup.starts_at + timedelta(minutes=1)
    answer = let_in(db, meetup.id, ids["U0BOB"], by="U0ORG", now=clock(), tz=LONDON)
    assert answer == "U0BOB has been let in from the waitlist and is checked in."


def test_nothing_is_checked_in_before_the_day(db, clock):
    meetup, ids = on_the_day(db, clock, ["U0ADA"], capacity=5)
    clock.advance(days=-1)
    answer = check_in(db, meetup, ids["U0ADA"], by="U0ORG", now=clock(), tz=LONDON)
    assert answer.startswith("You can check people in only on the day of the meetup")


def test_the_purge_keeps_when_someone_came_but_not_who_checked_them_in(db, clock):
    meetup, ids = on_the_day(db, clock, ["U0ADA"], capacity=5)
    check_in(db, meetup, ids["U0ADA"], by="U0ADA", now=clock(), tz=LONDON)
    with db.transaction() as session:
        anonymise_registrations(session, meetup.id)
    with db.read() as session:
        purged = session.get(Registration, ids["U0ADA"])
        assert purged.checked_in_at is not None and purged.checked_in_by is None


def test_codes_are_short_unambiguous_and_differ_for_each_meetup():
    pseudonyms = Pseudonyms("secret")
    codes = {door_code(pseudonyms, n) for n in range(1, 200)}
    assert len(codes) == 199
    assert all(len(c) == CODE_LENGTH and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert not set("01OIL5S") & set(CODE_ALPHABET)
    assert door_code(Pseudonyms("another secret"), 1) != door_code(pseudonyms, 1)
