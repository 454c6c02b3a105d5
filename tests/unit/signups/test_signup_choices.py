"""What `/meetup signup` offers: the meetups open for sign-up, kept between
requests as copies (storage.meetups.MeetupCopies) that must never go stale."""

from sqlalchemy import delete

from bot.signups.signups import cancel, sign_up, signup_choices
from storage.meetups import MeetupCopies
from storage.models import CONFIRMED, MEETUP_CANCELLED, Meetup
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
