"""Consent to introductions: given apart from the sign-up, gone with
`/meetup forget`, and gone at the purge once none of the person's sign-ups is left."""

from __future__ import annotations

from datetime import timedelta

from bot.common.pseudonyms import PersonKeys
from bot.introductions.introductions import consent_of, introduction_counts, opt_in, opt_out
from bot.privacy.privacy import data_held, forget, purge_due
from bot.signups.signups import sign_up
from storage import introductions as store
from storage.models import Introduction
from tests.support.factories import make_form, make_meetup

PEOPLE = PersonKeys("test-key")


def test_consent_is_its_own_record_and_can_be_withdrawn(db, clock):
    opt_in(db, "U1", "Open data " * 50, clock())
    consent = consent_of(db, "U1")
    assert consent is not None and len(consent.working_on) == 300 and consent.given_at == clock()
    assert data_held(db, "U1").introductions is not None
    assert opt_out(db, "U1", PEOPLE) is True
    assert consent_of(db, "U1") is None and data_held(db, "U1").empty


def test_forget_removes_what_they_wrote_and_their_key_on_introductions(db, clock):
    meetup = make_meetup(db, now=clock())
    opt_in(db, "U1", "Bus timetables", clock())
    with db.transaction() as session:
        store.add_introduction(
            session,
            Introduction(
                meetup_id=meetup.id, first_key=PEOPLE.of("U1"), second_key=PEOPLE.of("U2"), created_at=clock()
            ),
        )
    assert forget(db, "U1", clock(), people=PEOPLE).anything
    assert consent_of(db, "U1") is None
    with db.read() as session:
        [introduction] = session.query(Introduction).all()
        assert introduction.keys == (PEOPLE.of("U2"),)
    assert introduction_counts(db) == (1, 1)  # the figure stays


def test_the_purge_removes_consent_once_no_sign_up_is_left(db, clock):
    meetup = make_meetup(db, now=clock(), starts_in=timedelta(days=2))
    later = make_meetup(db, now=clock(), title="Later", starts_in=timedelta(days=60))
    sign_up(db, make_form(meetup_id=meetup.id), user_id="U1", now=clock(), contact="x")
    sign_up(db, make_form(meetup_id=meetup.id), user_id="U2", now=clock(), contact="x")
    sign_up(db, make_form(meetup_id=later.id), user_id="U2", now=clock(), contact="x")
    opt_in(db, "U1", "", clock())
    opt_in(db, "U2", "", clock())
    clock.advance(days=40)
    opt_in(db, "U3", "", clock())  # asked today, no sign-up yet: kept
    assert [m.id for m, _ in purge_due(db, clock(), 30)] == [meetup.id]
    assert consent_of(db, "U1") is None
    assert consent_of(db, "U2") is not None  # still signed up for a later meetup
    assert consent_of(db, "U3") is not None
