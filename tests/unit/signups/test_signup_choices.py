"""What `/meetup signup` offers: the meetups open for sign-up, kept between
requests as copies (storage.meetups.MeetupCopies) that must never go stale."""

from sqlalchemy import delete

from bot.organising.organising import set_signup_open
from bot.signups.signups import SignupOutcome, cancel, sign_up, signup_choices
from storage.meetups import MeetupCopies
from storage.models import CONFIRMED, MEETUP_CANCELLED, WAITLISTED, Meetup
from tests.support.factories import make_form, make_meetup


def _titles(db, clock, copies, user_id="U1"):
    meetups, _ = signup_choices(db, user_id, clock(), copies)
    return [m.title for m in meetups]


def test_an_edit_shows_at_once_and_an_unchanged_meetup_is_not_read_again(db, clock):
    meetup = make_meetup(db, now=clock(), title="Open source in government")
    copies = MeetupCopies()
    first, _ = signup_choices(db, "U1", clock(), copies)
    again, _ = signup_choices(db, "U2", clock(), copies)
    assert again[0] is first[0]

    with db.transaction() as session:
        session.get(Meetup, meetup.id).title = "Open source across government"
    assert _titles(db, clock, copies) == ["Open source across government"]


def test_a_meetup_cancelled_or_deleted_drops_out(db, clock):
    kept = make_meetup(db, now=clock(), title="Kept")
    cancelled = make_meetup(db, now=clock(), title="Cancelled")
    deleted = make_meetup(db, now=clock(), title="Deleted")
    copies = MeetupCopies()
    assert sorted(_titles(db, clock, copies)) == ["Cancelled", "Deleted", "Kept"]

    with db.transaction() as session:
        session.get(Meetup, cancelled.id).status = MEETUP_CANCELLED
        session.execute(delete(Meetup).where(Meetup.id == deleted.id))
    assert _titles(db, clock, copies) == ["Kept"]
    assert kept.id in {m.id for m in signup_choices(db, "U1", clock(), copies)[0]}


def test_a_person_signed_up_gets_their_registration_and_loses_it_on_cancelling(db, clock):
    meetup = make_meetup(db, now=clock())
    copies = MeetupCopies()
    sign_up(db, make_form(meetup_id=meetup.id), user_id="U1", now=clock(), contact="x")

    meetups, mine = signup_choices(db, "U1", clock(), copies)
    assert [m.id for m in meetups] == [meetup.id]
    assert mine[meetup.id].slack_user_id == "U1" and mine[meetup.id].status == CONFIRMED
    assert signup_choices(db, "U2", clock(), copies)[1] == {}

    cancel(db, meetup_id=meetup.id, user_id="U1", now=clock())
    assert signup_choices(db, "U1", clock(), copies)[1] == {}


# Sign-up decides on the kept copy (MeetupCopies.locked): it must be the meetup as it is now.


def test_sign_up_decides_on_the_meetup_as_changed_even_when_the_clock_has_not_moved(db, clock):
    meetup = make_meetup(db, now=clock(), capacity=1)
    copies = MeetupCopies()
    first = sign_up(db, make_form(meetup_id=meetup.id), user_id="U1", now=clock(), contact="x", copies=copies)
    assert first.outcome == CONFIRMED
    # Closed and reopened at the same moment by the clock given: each is a change all the same.
    set_signup_open(db, meetup.id, open_=False, now=clock())
    closed = sign_up(db, make_form(meetup_id=meetup.id), user_id="U2", now=clock(), contact="x", copies=copies)
    assert closed.outcome == SignupOutcome.CLOSED
    set_signup_open(db, meetup.id, open_=True, now=clock())
    second = sign_up(db, make_form(meetup_id=meetup.id), user_id="U2", now=clock(), contact="x", copies=copies)
    assert second.outcome == WAITLISTED
    with db.transaction() as session:
        session.get(Meetup, meetup.id).capacity = 3
    third = sign_up(db, make_form(meetup_id=meetup.id), user_id="U3", now=clock(), contact="x", copies=copies)
    fourth = sign_up(db, make_form(meetup_id=meetup.id), user_id="U5", now=clock(), contact="x", copies=copies)
    assert (third.outcome, fourth.outcome) == (CONFIRMED, CONFIRMED)
    assert third.meetup is fourth.meetup  # unchanged in between: not read again
    with db.transaction() as session:
        session.execute(delete(Meetup).where(Meetup.id == meetup.id))
    gone = sign_up(db, make_form(meetup_id=meetup.id), user_id="U4", now=clock(), contact="x", copies=copies)
    assert (gone.outcome, gone.meetup) == (SignupOutcome.CLOSED, None)
