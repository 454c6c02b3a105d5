"""Erasure that reaches Slack: after `/meetup forget`, a recount does not
bring back the person's votes from the reactions Slack still shows, and no
message the bot posted shows them any more; the purge deletes the exported
visitor lists from Slack and takes people out of approval requests."""

from __future__ import annotations

from datetime import timedelta

from bot.runtime.app import make_client
from bot.runtime.purge import purge
from bot.signups.approvals import REQUEST_KIND
from bot.signups.export import list_exports
from bot.signups.signups import find_registration
from bot.topics.topics import ranking
from handlers.privacy import FORGET_ACTION
from storage.models import ForgottenPerson
from tests.support.app import CHANNEL, ORGANISER
from tests.support.approvals import CONTRACTOR, SAM, press, request_shown, requests_posted
from tests.support.factories import make_meetup
from tests.support.messages import dms_to
from tests.support.organising import create_meetup_in_modal, csv_shares, eventually, sign_up_from_card
from tests.support.outages import after_the_outage, tried_once_and_waiting
from tests.support.privacy import press_forget
from tests.support.reminders import deliveries
from tests.support.signup import open_modal
from tests.support.topics import propose

ADA, VOTER, LATER = "U0ADA", "U0VOTER", "U0LATER"
SIGNUP = {
    "full_name": "Ada Lovelace",
    "email": "ada@digital.cabinet-office.gov.uk",
    "organisation": "Government Digital Service",
    "role": "civil_servant",
}


def votes(bot, meetup_id) -> int:
    return sum(r.votes for r in ranking(bot.db, meetup_id).topics)


def recount(bot) -> None:
    before = len(dms_to(bot.fake, ORGANISER))
    bot.slack.command("recount", user_id=ORGANISER)
    eventually(lambda: len(dms_to(bot.fake, ORGANISER)) > before)


def test_a_recount_does_not_bring_back_a_forgotten_persons_votes(bot):
    for user in (ADA, VOTER, LATER):
        bot.fake.add_user(user, real_name=user, email=f"{user.lower()}@justice.gov.uk")
    meetup = make_meetup(bot.db, now=bot.clock())
    topic = propose(bot, ADA, "Publishing code in the open")
    # Reactions Slack shows, counted by a recount (no events arrived).
    bot.fake.add_reaction(topic.channel, topic.ts, "+1", VOTER)
    recount(bot)
    assert votes(bot, meetup.id) == 1

    bot.clock.advance(minutes=1)
    reply = bot.slack.block_action(
        user_id=VOTER, action_id=FORGET_ACTION, value="forget", response_url=bot.fake.response_url()
    )
    assert reply.status == 200
    eventually(lambda: votes(bot, meetup.id) == 0)

    # Slack still shows the reaction; a recount leaves it out, and counts others.
    bot.fake.add_reaction(topic.channel, topic.ts, "+1", LATER)
    recount(bot)
    assert votes(bot, meetup.id) == 1
    with bot.db.read() as session:
        [kept] = session.query(ForgottenPerson).all()
    assert VOTER not in kept.person and len(kept.person) == 64  # a keyed hash, not the ID

    # A topic proposed after they were forgotten counts them again: that is a new vote.
    bot.clock.advance(minutes=1)
    newer = propose(bot, ADA, "Funding maintainers")
    bot.fake.add_reaction(newer.channel, newer.ts, "+1", VOTER)
    recount(bot)
    assert votes(bot, meetup.id) == 2


def test_the_purge_deletes_exported_visitor_lists_from_slack(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email=SIGNUP["email"])
    posted, _ = create_meetup_in_modal(bot)
    sign_up_from_card(bot, ADA, SIGNUP, posted)
    bot.slack.command("export", user_id=ORGANISER)
    [shared] = eventually(lambda: csv_shares(bot.fake))
    [export] = eventually(lambda: [e for e in list_exports(bot.db) if e.file_id])
    assert export.file_id in bot.fake.files

    client = make_client(bot.deps.settings)
    days = bot.deps.settings.purge_after_days
    # Not yet: the meetup's data is still kept, and so is the file.
    assert purge(bot.db, client, bot.deps.settings, now=bot.clock()).files_deleted == 0
    assert export.file_id in bot.fake.files

    after = bot.clock() + timedelta(days=days + 60)
    # Slack failing keeps the file recorded, for the next run to try again.
    bot.fake.fail_next("files.delete", error="internal_error")
    report = purge(bot.db, client, bot.deps.settings, now=after)
    assert len(report.purged) == 1 and report.files_deleted == 0 and report.files_left == 1
    report = purge(bot.db, client, bot.deps.settings, now=after)
    assert report.files_deleted == 1 and report.files_left == 0
    assert export.file_id not in bot.fake.files
    assert [e.file_id for e in list_exports(bot.db)] == [None]
    # Once only.
    assert purge(bot.db, client, bot.deps.settings, now=after).files_deleted == 0
    assert len(bot.fake.calls_to("files.delete")) == 1


# Forget and the purge reach the bot's messages in Slack (issue 23, item 4).

SAM_SHOWS = ("Sam Contractor", "sam@contractor.example", "GDS, GOV.UK Pay", "Acme Digital", SAM)


def shown(message) -> str:
    return f"{message.get('text', '')} {message.get('blocks')}"


def bots_messages(bot) -> list[dict]:
    """Everything the bot shows in the meetup channel and in its DMs."""
    channels = [CHANNEL, bot.fake.dm_channel(ORGANISER), bot.fake.dm_channel(SAM)]
    return [m for channel in channels for m in bot.fake.messages(channel)]


def showing_sam(bot) -> list[str]:
    return [shown(m) for m in bots_messages(bot) if any(words in shown(m) for words in SAM_SHOWS)]


def sam_proposes_and_waits_for_approval(bot):
    bot.fake.add_user(SAM, real_name="Sam Contractor", email="sam@contractor.example")
    meetup = make_meetup(bot.db, now=bot.clock())
    topic = propose(bot, SAM, "Buying open source support")
    assert "Proposed by Sam Contractor" in shown(card_of(bot, topic))
    _, view = open_modal(bot, SAM)
    assert bot.slack.submit_view(view, CONTRACTOR, user_id=SAM).status == 200
    eventually(lambda: "Approve" in request_shown(bot.fake, bot.fake.dm_channel(ORGANISER)))
    return meetup, topic


def card_of(bot, topic) -> dict:
    [card] = [m for m in bot.fake.messages(topic.channel) if m["ts"] == topic.ts]
    return card


def approval_copy(bot) -> dict:
    [request] = [m for m in bot.fake.messages(bot.fake.dm_channel(ORGANISER)) if "request to join" in shown(m)]
    return request


def cleared(bot, meetup, topic) -> None:
    """The card keeps the topic without the name; the request names nobody."""
    card = shown(card_of(bot, topic))
    assert "Buying open source support" in card and "Proposed by" not in card
    request = approval_copy(bot)
    assert f"A request to join *{meetup.title}* was withdrawn." in shown(request)
    assert "actions" not in str(request["blocks"])  # no buttons
    assert showing_sam(bot) == []


def test_forget_takes_the_person_out_of_the_bots_messages(bot):
    meetup, topic = sam_proposes_and_waits_for_approval(bot)
    assert showing_sam(bot)
    press_forget(bot, SAM)
    eventually(lambda: not showing_sam(bot))
    cleared(bot, meetup, topic)
    assert len(requests_posted(bot.fake)) == 1  # changed, not posted again


def test_forget_during_an_outage_changes_the_messages_once_slack_is_back(bot):
    meetup, topic = sam_proposes_and_waits_for_approval(bot)
    updates_before = len(bot.fake.calls_to("chat.update"))
    bot.fake.outage(20)
    press_forget(bot, SAM)
    eventually(lambda: find_registration(bot.db, meetup.id, SAM) is None)
    tried_once_and_waiting(bot, "approval_update")
    assert showing_sam(bot)  # Slack could not be told yet

    after_the_outage(bot)
    cleared(bot, meetup, topic)
    done = [c for c in bot.fake.calls_to("chat.update")[updates_before:] if c.status == 200]
    assert sorted(c.args["ts"] for c in done) == sorted([topic.ts, approval_copy(bot)["ts"]])  # once each


def test_a_request_not_yet_posted_when_the_person_is_forgotten_is_never_sent(bot):
    bot.fake.add_user(SAM, real_name="Sam Contractor", email="sam@contractor.example")
    meetup = make_meetup(bot.db, now=bot.clock())
    _, view = open_modal(bot, SAM)
    bot.fake.outage(20)
    bot.slack.submit_view(view, CONTRACTOR, user_id=SAM)
    tried_once_and_waiting(bot, REQUEST_KIND)
    press_forget(bot, SAM)
    eventually(lambda: find_registration(bot.db, meetup.id, SAM) is None)
    assert deliveries(bot.db, kind=REQUEST_KIND) == []  # deleted with the registration

    after_the_outage(bot)
    assert requests_posted(bot.fake) == [] and showing_sam(bot) == []


def test_the_purge_takes_the_people_out_of_approval_requests_and_topic_cards(bot):
    meetup, topic = sam_proposes_and_waits_for_approval(bot)
    registration = find_registration(bot.db, meetup.id, SAM)
    press(bot, ORGANISER, "approve_registration", registration.id, bot.fake.dm_channel(ORGANISER))
    eventually(lambda: "Approved by" in request_shown(bot.fake, bot.fake.dm_channel(ORGANISER)))

    client = make_client(bot.deps.settings)
    days = bot.deps.settings.purge_after_days
    bot.clock.advance(days=days + 60)
    report = purge(bot.db, client, bot.deps.settings, now=bot.clock())
    assert len(report.purged) == 1 and report.messages_cleared == 2  # the request and the card
    assert deliveries(bot.db, meetup_id=meetup.id) == []  # the meetup's messages are forgotten...
    bot.deps.outbox.deliver_due()  # ...but the change to the request still goes
    [request] = [m for m in bot.fake.messages(bot.fake.dm_channel(ORGANISER)) if "request to join" in shown(m)]
    assert "Its details were deleted after the meetup." in shown(request)
    assert "actions" not in str(request["blocks"])
    for message in bot.fake.messages(bot.fake.dm_channel(ORGANISER)):
        assert not any(words in shown(message) for words in SAM_SHOWS), shown(message)
    assert showing_sam(bot) == []
    card = shown(card_of(bot, topic))
    assert "Buying open source support" in card and "Proposed by" not in card
