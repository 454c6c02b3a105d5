"""Approving and declining: capacity respected, nobody decides twice, on
SQLite and PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor

from bot.organising.organising import cancel_meetup
from bot.signups import approvals
from bot.signups.signups import find_registration, sign_up
from storage.models import CONFIRMED, DECLINED, PENDING, WAITLISTED
from tests.support.factories import make_form, make_meetup


def waiting(db, meetup, user_id, clock):
    form = make_form(
        meetup_id=meetup.id, email=f"{user_id.lower()}@contractor.example", role="contractor", government_team="HMRC"
    )
    result = sign_up(db, form, user_id=user_id, now=clock(), contact="x")
    assert result.outcome == PENDING
    return result.registration


def test_approve_gives_a_place_then_the_waitlist_when_full(db, clock):
    meetup = make_meetup(db, now=clock(), capacity=1)
    first, second = waiting(db, meetup, "U1", clock), waiting(db, meetup, "U2", clock)
    result = approvals.decide(db, first.id, approve=True, organiser_id="U0ORG", now=clock())
    assert (result.outcome, result.registration.status, result.registration.decided_by) == (
        approvals.ApprovalOutcome.APPROVED,
        CONFIRMED,
        "U0ORG",
    )
    result = approvals.decide(db, second.id, approve=True, organiser_id="U0ORG", now=clock())
    assert (result.registration.status, result.waitlist_position) == (WAITLISTED, 1)


def test_decline_and_a_second_decision_changes_nothing(db, clock):
    meetup = make_meetup(db, now=clock())
    person = waiting(db, meetup, "U1", clock)
    reason = person.reason
    declined = approvals.decide(db, person.id, approve=False, organiser_id="U0A", now=clock())
    assert declined.outcome == approvals.ApprovalOutcome.DECLINED_NOW
    # What the bot told them stays, for the organisers' copies of the request.
    assert declined.registration.reason == reason != ""
    late = approvals.decide(db, person.id, approve=True, organiser_id="U0B", now=clock())
    assert late.outcome == approvals.ApprovalOutcome.ALREADY_DECIDED
    stored = find_registration(db, meetup.id, "U1")
    assert (stored.status, stored.decided_by) == (DECLINED, "U0A")


def test_unknown_registration_and_cancelled_meetup(db, clock):
    meetup = make_meetup(db, now=clock())
    person = waiting(db, meetup, "U1", clock)
    assert (
        approvals.decide(db, 9999, approve=True, organiser_id="U0A", now=clock()).outcome
        == approvals.ApprovalOutcome.NOT_FOUND
    )
    cancel_meetup(db, meetup.id, now=clock())
    # Cancelling the meetup cancelled the request: there is nothing left to decide.
    assert (
        approvals.decide(db, person.id, approve=True, organiser_id="U0A", now=clock()).outcome
        == approvals.ApprovalOutcome.ALREADY_DECIDED
    )


def test_a_meetup_that_has_started_cannot_take_approvals(db, clock):
    meetup = make_meetup(db, now=clock())
    person = waiting(db, meetup, "U1", clock)
    result = approvals.decide(db, person.id, approve=True, organiser_id="U0A", now=meetup.starts_at)
    assert (
        result.outcome == approvals.ApprovalOutcome.NOT_POSSIBLE and result.reason == "The meetup has already started."
    )
    assert find_registration(db, meetup.id, "U1").status == PENDING


def test_two_organisers_pressing_at_once_decide_once(db, clock):
    meetup = make_meetup(db, now=clock(), capacity=5)
    people = [waiting(db, meetup, f"U{n}", clock) for n in range(5)]

    def press(args):
        registration, organiser, approve = args
        return approvals.decide(db, registration.id, approve=approve, organiser_id=organiser, now=clock()).outcome

    presses = [(r, o, o == "U0A") for r in people for o in ("U0A", "U0B") for _ in range(3)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(press, presses))
    decided = [o for o in outcomes if o in (approvals.ApprovalOutcome.APPROVED, approvals.ApprovalOutcome.DECLINED_NOW)]
    assert len(decided) == 5 and outcomes.count(approvals.ApprovalOutcome.ALREADY_DECIDED) == 25
    for person in people:
        stored = find_registration(db, meetup.id, person.slack_user_id)
        assert (stored.status, stored.decided_by) in ((CONFIRMED, "U0A"), (DECLINED, "U0B"))


def test_approval_messages_belong_to_one_wait(db, clock):
    meetup = make_meetup(db, now=clock())
    person = waiting(db, meetup, "U1", clock)
    approvals.record_message(db, person, channel="C1", ts="1.1", now=clock())
    assert [m.ts for m in approvals.messages_for(db, person)] == ["1.1"]
    # Withdraw and ask again: a new wait, which takes over the earlier
    # messages rather than post new ones (issue 16: one open request each).
    from bot.signups.signups import cancel

    clock.advance(seconds=5)
    cancel(db, meetup_id=meetup.id, user_id="U1", now=clock())
    clock.advance(seconds=5)
    again = waiting(db, meetup, "U1", clock)
    assert again.id == person.id and again.pending_at != person.pending_at
    assert [(m.ts, m.pending_at) for m in approvals.messages_for(db, again)] == [("1.1", again.pending_at)]
