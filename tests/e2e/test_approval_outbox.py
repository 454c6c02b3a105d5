"""Approval requests, decisions and the updates of every copy go through the
outbox (issue 23, item 1): queued with the change they are about, sent once
Slack answers again, and never twice."""

from __future__ import annotations

import pytest

import handlers.signup
from bot.signups.approvals import REQUEST_KIND
from bot.signups.signups import find_registration
from storage.models import CONFIRMED, DELIVERY_FAILED, PENDING
from tests.support.app import ORGANISER, start_bot, stop_bot
from tests.support.approvals import CONTRACTOR, SAM, press, request_shown, requests_posted
from tests.support.blocks import block_texts
from tests.support.factories import make_meetup
from tests.support.messages import dm_posts
from tests.support.organising import eventually
from tests.support.outages import after_the_outage, tried_once_and_waiting
from tests.support.reminders import deliveries
from tests.support.signup import open_modal

ORGANISER_2 = "U0ORG2"
ORGANISERS_CHANNEL = "C0ORGS"


def ask_for_a_place(bot):
    bot.fake.add_user(SAM, real_name="Sam Contractor", email="sam@contractor.example")
    meetup = make_meetup(bot.db, now=bot.clock())
    _, view = open_modal(bot, SAM)
    return meetup, view


def test_a_request_made_while_slack_is_down_reaches_the_organisers_once_it_is_back(bot):
    meetup, view = ask_for_a_place(bot)
    bot.fake.outage(20)
    assert bot.slack.submit_view(view, CONTRACTOR, user_id=SAM).status == 200
    assert find_registration(bot.db, meetup.id, SAM).status == PENDING
    tried_once_and_waiting(bot, REQUEST_KIND)
    assert requests_posted(bot.fake) == []

    after_the_outage(bot)
    assert len(requests_posted(bot.fake)) == 1
    assert "Approve" in request_shown(bot.fake, bot.fake.dm_channel(ORGANISER))


def test_a_decision_made_while_slack_is_down_is_told_once_and_every_copy_follows(bot):
    meetup, view = ask_for_a_place(bot)
    bot.slack.submit_view(view, CONTRACTOR, user_id=SAM)
    organiser_dm = bot.fake.dm_channel(ORGANISER)
    eventually(lambda: "Approve" in request_shown(bot.fake, organiser_dm))
    registration = find_registration(bot.db, meetup.id, SAM)

    bot.fake.outage(20)
    press(bot, ORGANISER, "approve_registration", registration.id, organiser_dm)
    eventually(lambda: find_registration(bot.db, meetup.id, SAM).status == CONFIRMED)  # decided after the ack
    tried_once_and_waiting(bot, "decision")
    assert "Approved by" not in request_shown(bot.fake, organiser_dm)

    after_the_outage(bot)

    def told():
        return [c for c in dm_posts(bot.fake, SAM) if "An organiser has approved" in block_texts(c.args["blocks"])]

    def all_landed() -> bool:
        # A message may still be in the hands of the attempt that met the
        # outage (its client retries a failed call after a pause): it is not
        # lost, it lands a moment later.
        bot.deps.outbox.deliver_due()
        shown = request_shown(bot.fake, organiser_dm)
        updated = f"Approved by <@{ORGANISER}>: they have a place." in shown and "Approve'" not in shown
        return updated and bool(told()) and bool(bot.fake.file_shares)

    eventually(all_landed, timeout=15)
    assert len(told()) == 1
    assert len(bot.fake.file_shares) == 1  # the calendar file, as with any place
    assert len(requests_posted(bot.fake)) == 1


@pytest.fixture
def channel_bot(fake_slack, database_url, clock):
    fake_slack.add_channel(ORGANISERS_CHANNEL, name="meetup-organisers")
    fake_slack.add_user(ORGANISER_2, real_name="Second Organiser", email="org2@cabinetoffice.gov.uk")
    running, server, thread = start_bot(
        fake_slack,
        database_url,
        clock,
        ORGANISER_CHANNEL_ID=ORGANISERS_CHANNEL,
        ORGANISER_USER_IDS=f"{ORGANISER},{ORGANISER_2}",
    )
    yield running
    stop_bot(running, server, thread)


def test_when_the_organisers_channel_refuses_each_organiser_is_asked_once(channel_bot):
    bot = channel_bot
    bot.fake.not_in_channel.add(ORGANISERS_CHANNEL)
    meetup, view = ask_for_a_place(bot)
    bot.slack.submit_view(view, CONTRACTOR, user_id=SAM)
    for organiser in (ORGANISER, ORGANISER_2):
        eventually(lambda organiser=organiser: "Approve" in request_shown(bot.fake, bot.fake.dm_channel(organiser)))
    bot.clock.advance(hours=1)
    bot.deps.outbox.deliver_due()
    # The channel refused (Slack answered not_in_channel); each organiser got one DM.
    asked = sorted(c.args["channel"] for c in requests_posted(bot.fake) if c.args["channel"] != ORGANISERS_CHANNEL)
    assert asked == sorted([ORGANISER, ORGANISER_2])
    [refused] = [d for d in deliveries(bot.db, kind=REQUEST_KIND) if d.channel == ORGANISERS_CHANNEL]
    assert refused.state == DELIVERY_FAILED and refused.last_error == "not_in_channel"

    # Both copies follow the decision.
    registration = find_registration(bot.db, meetup.id, SAM)
    press(bot, ORGANISER_2, "decline_registration", registration.id, bot.fake.dm_channel(ORGANISER_2))
    for organiser in (ORGANISER, ORGANISER_2):
        eventually(
            lambda organiser=organiser: (
                f"Declined by <@{ORGANISER_2}>" in request_shown(bot.fake, bot.fake.dm_channel(organiser))
            )
        )


def test_a_sign_up_that_fails_stores_no_message(bot, monkeypatch):
    meetup, view = ask_for_a_place(bot)
    queue_for_real = handlers.signup.queue_approval_messages

    def queue_then_fail(session, *args, **kwargs):
        assert queue_for_real(session, *args, **kwargs)  # the request was queued...
        raise RuntimeError("the sign-up's transaction fails after it")  # ...and goes with the sign-up

    monkeypatch.setattr(handlers.signup, "queue_approval_messages", queue_then_fail)
    bot.slack.submit_view(view, CONTRACTOR, user_id=SAM)
    assert find_registration(bot.db, meetup.id, SAM) is None
    assert deliveries(bot.db) == []
    assert requests_posted(bot.fake) == []
