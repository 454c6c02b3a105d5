"""The capacity and waitlist rules, on SQLite and PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from bot.signups.signups import cancel, clean_text, overview, sign_up, validate
from storage.models import CANCELLED, CONFIRMED, PENDING, WAITLISTED
from tests.support.factories import make_form, make_meetup


def test_places_then_waitlist_then_promotion_in_order(db, clock):
    meetup = make_meetup(db, now=clock(), capacity=2)
    results = []
    for n in range(4):
        clock.advance(seconds=1)
        results.append(
            sign_up(
                db, make_form(meetup_id=meetup.id, full_name=f"Person {n}"), user_id=f"U{n}", now=clock(), contact="x"
            )
        )
    assert [r.outcome for r in results] == [CONFIRMED, CONFIRMED, WAITLISTED, WAITLISTED]
    assert [r.waitlist_position for r in results[2:]] == [1, 2]

    clock.advance(seconds=1)
    cancelled = cancel(db, meetup_id=meetup.id, user_id="U0", now=clock())
    assert cancelled.outcome == "cancelled" and cancelled.previous_status == CONFIRMED
    assert [p.slack_user_id for p in cancelled.promoted] == ["U2"]

    view = overview(db, meetup.id)
    assert [r.slack_user_id for r in view.confirmed] == ["U1", "U2"]
    assert [r.slack_user_id for r in view.waitlisted] == ["U3"]
    assert view.counts == {CONFIRMED: 2, WAITLISTED: 1, CANCELLED: 1}
    promoted = next(r for r in view.confirmed if r.slack_user_id == "U2")
    assert promoted.waitlisted_at < promoted.confirmed_at


def test_signing_up_twice_keeps_one_registration(db, clock):
    meetup = make_meetup(db, now=clock())
    first = sign_up(db, make_form(meetup_id=meetup.id), user_id="U1", now=clock(), contact="x")
    second = sign_up(
        db, make_form(meetup_id=meetup.id, full_name="Someone else"), user_id="U1", now=clock(), contact="x"
    )
    assert first.outcome == CONFIRMED
    assert second.outcome == "already"
    assert overview(db, meetup.id).counts == {CONFIRMED: 1}


def test_cancelled_person_can_sign_up_again_and_joins_the_back_of_the_waitlist(db, clock):
    meetup = make_meetup(db, now=clock(), capacity=1)
    sign_up(db, make_form(meetup_id=meetup.id), user_id="U1", now=clock(), contact="x")
    clock.advance(seconds=1)
    sign_up(db, make_form(meetup_id=meetup.id), user_id="U2", now=clock(), contact="x")
    clock.advance(seconds=1)
    cancel(db, meetup_id=meetup.id, user_id="U1", now=clock())  # U2 promoted
    clock.advance(seconds=1)
    again = sign_up(db, make_form(meetup_id=meetup.id), user_id="U1", now=clock(), contact="x")
    assert again.outcome == WAITLISTED


def test_supplier_is_told_why_and_nothing_is_kept(db, clock):
    meetup = make_meetup(db, now=clock())
    result = sign_up(
        db, make_form(meetup_id=meetup.id, role="supplier"), user_id="U1", now=clock(), contact="the organisers"
    )
    assert result.outcome == "not_eligible"
    assert "Suppliers" in result.reason
    assert overview(db, meetup.id).counts == {}


def test_unrecognised_domain_waits_for_approval_and_takes_no_place(db, clock):
    meetup = make_meetup(db, now=clock(), capacity=1)
    result = sign_up(
        db,
        make_form(
            meetup_id=meetup.id, email="sam@contractor.example", role="contractor", government_team="GDS Platform team"
        ),
        user_id="U1",
        now=clock(),
        contact="x",
    )
    assert result.outcome == PENDING
    assert sign_up(db, make_form(meetup_id=meetup.id), user_id="U2", now=clock(), contact="x").outcome == CONFIRMED


def test_closed_sign_up_and_past_meetups_take_nobody(db, clock):
    meetup = make_meetup(db, now=clock(), signup_closes=clock() + timedelta(days=1))
    clock.advance(days=2)
    assert sign_up(db, make_form(meetup_id=meetup.id), user_id="U1", now=clock(), contact="x").outcome == "closed"


def test_validation_messages_say_how_to_fix_it(clock):
    errors = validate(make_form(meetup_id=1, full_name="", organisation="", role="contractor"))
    assert errors == {
        "full_name": "Enter your full name",
        "organisation": "Enter your organisation",
        "government_team": "Enter the government team you work in",
    }
    assert validate(make_form(meetup_id=1, role=None)) == {"role": "Select how you work in government"}
    assert "200 characters or fewer" in validate(make_form(meetup_id=1, full_name="x" * 201))["full_name"]


def test_clean_text_drops_control_characters():
    assert clean_text("  Ada\x00 \u202eLovelace\t ") == "Ada Lovelace"
    assert clean_text("line one\nline two", multiline=True) == "line one\nline two"


def test_100_simultaneous_sign_ups_for_10_places(db, clock):
    """Capacity is exact under concurrency: each thread has its own
    connection and transaction, as requests in the server do."""
    meetup = make_meetup(db, now=clock(), capacity=10)

    def attempt(n):
        return sign_up(
            db, make_form(meetup_id=meetup.id, full_name=f"Person {n}"), user_id=f"U{n:03d}", now=clock(), contact="x"
        ).outcome

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(100)))
    assert outcomes.count(CONFIRMED) == 10
    assert outcomes.count(WAITLISTED) == 90
    view = overview(db, meetup.id)
    assert len(view.confirmed) == 10 and len(view.waitlisted) == 90
    assert len({r.slack_user_id for r in view.confirmed + view.waitlisted}) == 100
    # Each waitlisted person has their own number, handed out one at a time.
    assert [r.waitlist_number for r in view.waitlisted] == list(range(1, 91))
