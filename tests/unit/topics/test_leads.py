"""Whether a session's lead has a place at the meetup, and if not why not
(bot/topics/leads.py), on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest

from bot.signups.signups import cancel, sign_up
from bot.topics.leads import LeadPlace, Standing, lead_place, lead_places
from storage.models import CANCELLED, CONFIRMED, DECLINED, PENDING, WAITLISTED, Registration
from tests.support.factories import make_form, make_meetup


@pytest.mark.parametrize(
    ("status", "standing"),
    [
        (CONFIRMED, Standing.PLACE),
        (WAITLISTED, Standing.WAITLISTED),
        (PENDING, Standing.PENDING),
        (DECLINED, Standing.DECLINED),
        (CANCELLED, Standing.NOT_SIGNED_UP),
        (None, Standing.NOT_SIGNED_UP),
    ],
)
def test_each_status_has_a_standing_and_only_a_confirmed_place_counts(status, standing):
    registration = None if status is None else Registration(status=status)
    place = lead_place(registration, position=3, signup_open=True)
    assert place.standing is standing
    assert place.has_place is (status == CONFIRMED)
    # The number is for the waitlist only; signing up is for those not signed up.
    assert place.waitlist_position == (3 if status == WAITLISTED else None)
    assert place.can_sign_up is (standing is Standing.NOT_SIGNED_UP)


def test_someone_not_signed_up_cannot_sign_up_once_sign_up_has_closed():
    assert lead_place(None, position=None, signup_open=False) == LeadPlace(Standing.NOT_SIGNED_UP)


def test_lead_places_reads_each_persons_place_and_waitlist_number(db, clock):
    meetup = make_meetup(db, now=clock(), capacity=1)
    for user in ("U1", "U2", "U3", "U4"):  # U1 has the place; U2, U3, U4 wait in that order
        clock.advance(seconds=1)
        sign_up(db, make_form(meetup_id=meetup.id), user_id=user, now=clock(), contact="x")
    clock.advance(seconds=1)
    cancel(db, meetup_id=meetup.id, user_id="U2", now=clock())  # U3 and U4 move up the waitlist
    cancel(db, meetup_id=meetup.id, user_id="U3", now=clock())
    with db.read() as session:
        places = lead_places(session, meetup, ["U1", "U3", "U4", "U4", "U9"], now=clock())
    assert places == {
        "U1": LeadPlace(Standing.PLACE),
        "U3": LeadPlace(Standing.NOT_SIGNED_UP, can_sign_up=True),  # cancelled
        "U4": LeadPlace(Standing.WAITLISTED, waitlist_position=1),
        "U9": LeadPlace(Standing.NOT_SIGNED_UP, can_sign_up=True),  # never signed up
    }

    # Once sign-up has closed, nobody is told to sign up.
    with db.read() as session:
        later = lead_places(session, meetup, ["U9"], now=meetup.starts_at + timedelta(minutes=1))
    assert later == {"U9": LeadPlace(Standing.NOT_SIGNED_UP)}


def test_lead_places_for_nobody_reads_nothing(db, clock):
    meetup = make_meetup(db, now=clock())
    with db.read() as session:
        assert lead_places(session, meetup, [], now=clock()) == {}
