"""Approval requests cannot be flooded (issue 16, item 6): one open request
per person per meetup, at most three sign-ups a day, and a decline stands
after `/meetup forget`, kept as a keyed hash, not the Slack user ID."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.privacy.privacy import forget, purge_due
from bot.signups import approvals, limits
from bot.signups.signups import cancel, find_registration, sign_up
from storage.models import CONFIRMED, PENDING, SignupGuard
from tests.support.app import ORGANISER
from tests.support.approvals import CONTRACTOR, SAM, request_shown, requests_posted
from tests.support.blocks import block_texts
from tests.support.factories import make_form, make_meetup
from tests.support.organising import eventually
from tests.support.signup import open_modal


def contractor_form(meetup):
    return make_form(meetup_id=meetup.id, email="sam@contractor.example", role="contractor", government_team="HMRC")


def test_signing_up_and_cancelling_in_a_loop_sends_one_request_and_stops_at_three_a_day(bot):
    bot.fake.add_user(SAM, real_name="Sam Contractor", email="sam@contractor.example")
    meetup = make_meetup(bot.db, now=bot.clock())
    organiser_dm = bot.fake.dm_channel(ORGANISER)
    for attempt in range(limits.MAX_SIGNUPS_PER_DAY):
        _, view = open_modal(bot, SAM)
        assert bot.slack.submit_view(view, CONTRACTOR, user_id=SAM).status == 200
        assert find_registration(bot.db, meetup.id, SAM).status == PENDING
        eventually(lambda: "Approve" in request_shown(bot.fake, organiser_dm))
        assert len(requests_posted(bot.fake)) == 1, attempt  # the same request, brought back
        bot.clock.advance(minutes=1)
        assert bot.slack.command("cancel", user_id=SAM).status == 200
        eventually(lambda: "withdrew" in request_shown(bot.fake, organiser_dm).lower())
        bot.clock.advance(minutes=1)

    _, view = open_modal(bot, SAM)
    refused = bot.slack.submit_view(view, CONTRACTOR, user_id=SAM).json()
    assert "You have signed up for this meetup 3 times today. Try again tomorrow" in block_texts(
        refused["view"]["blocks"]
    )
    assert find_registration(bot.db, meetup.id, SAM).status != PENDING
    assert len(requests_posted(bot.fake)) == 1

    bot.clock.advance(days=1)
    _, view = open_modal(bot, SAM)
    bot.slack.submit_view(view, CONTRACTOR, user_id=SAM)
    assert find_registration(bot.db, meetup.id, SAM).status == PENDING


def test_a_decline_stands_after_forget(db, clock):
    meetup = make_meetup(db, now=clock())
    waiting = sign_up(db, contractor_form(meetup), user_id=SAM, now=clock(), contact="x").registration
    approvals.decide(db, waiting.id, approve=False, organiser_id=ORGANISER, now=clock())
    forget(db, SAM, clock())
    assert find_registration(db, meetup.id, SAM) is None

    again = sign_up(db, contractor_form(meetup), user_id=SAM, now=clock(), contact="the organisers")
    assert again.outcome == "not_eligible" and again.registration is None
    assert "An organiser has already decided" in again.reason and "contact the organisers" in again.reason
    assert find_registration(db, meetup.id, SAM) is None
    # Another meetup is another decision.
    other = make_meetup(db, now=clock(), title="Spring", starts_in=timedelta(days=90))
    assert sign_up(db, contractor_form(other), user_id=SAM, now=clock(), contact="x").outcome == PENDING


def test_what_is_kept_holds_no_user_id_and_goes_with_the_meetup(db, clock):
    meetup = make_meetup(db, now=clock(), hours=4)
    sign_up(db, make_form(meetup_id=meetup.id), user_id=SAM, now=clock(), contact="x")
    with db.read() as session:
        [guard] = session.scalars(select(SignupGuard)).all()
        kept = [str(getattr(guard, c.key)) for c in SignupGuard.__table__.columns]
    assert not any(SAM in value for value in kept)
    assert guard.person == limits.UNKEYED.person_key(meetup.id, SAM) and len(guard.person) == 64
    assert (guard.declined, guard.signups) == (False, 1)
    cancel(db, meetup_id=meetup.id, user_id=SAM, now=clock())
    forget(db, SAM, clock())
    with db.read() as session:
        assert session.scalars(select(SignupGuard)).all() != []  # forget leaves it: it names nobody

    purge_due(db, meetup.ends_at + timedelta(days=31), 30)
    with db.read() as session:
        assert session.scalars(select(SignupGuard)).all() == []


def test_the_hash_is_keyed():
    assert limits.SignupLimits("one key").person_key(1, SAM) != limits.SignupLimits("another key").person_key(1, SAM)


def test_ordinary_sign_ups_are_not_limited_until_the_fourth_in_a_day(db, clock):
    meetup = make_meetup(db, now=clock())
    for _ in range(3):
        assert sign_up(db, make_form(meetup_id=meetup.id), user_id=SAM, now=clock(), contact="x").outcome == CONFIRMED
        cancel(db, meetup_id=meetup.id, user_id=SAM, now=clock())
    assert sign_up(db, make_form(meetup_id=meetup.id), user_id=SAM, now=clock(), contact="x").outcome == "not_eligible"
    # A day on, the count starts again from that sign-up.
    clock.advance(days=1, minutes=1)
    for _ in range(3):
        assert sign_up(db, make_form(meetup_id=meetup.id), user_id=SAM, now=clock(), contact="x").outcome == CONFIRMED
        cancel(db, meetup_id=meetup.id, user_id=SAM, now=clock())
        clock.advance(hours=1)
    assert sign_up(db, make_form(meetup_id=meetup.id), user_id=SAM, now=clock(), contact="x").outcome == "not_eligible"
