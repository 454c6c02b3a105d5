"""Erasure that reaches Slack: after `/meetup forget`, a recount does not
bring back the person's votes from the reactions Slack still shows, and the
purge deletes the exported visitor lists from Slack."""

from __future__ import annotations

from datetime import timedelta

from bot.runtime.app import make_client
from bot.runtime.purge import purge
from bot.signups.export import list_exports
from bot.topics.topics import ranking
from handlers.privacy import FORGET_ACTION
from storage.models import ForgottenPerson
from tests.support.app import ORGANISER
from tests.support.factories import make_meetup
from tests.support.messages import dms_to
from tests.support.organising import create_meetup_in_modal, csv_shares, eventually, sign_up_from_card
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
    assert purge(bot.db, client, days=days, now=bot.clock()).files_deleted == 0
    assert export.file_id in bot.fake.files

    after = bot.clock() + timedelta(days=days + 60)
    # Slack failing keeps the file recorded, for the next run to try again.
    bot.fake.fail_next("files.delete", error="internal_error")
    report = purge(bot.db, client, days=days, now=after)
    assert len(report.purged) == 1 and report.files_deleted == 0 and report.files_left == 1
    report = purge(bot.db, client, days=days, now=after)
    assert report.files_deleted == 1 and report.files_left == 0
    assert export.file_id not in bot.fake.files
    assert [e.file_id for e in list_exports(bot.db)] == [None]
    # Once only.
    assert purge(bot.db, client, days=days, now=after).files_deleted == 0
    assert len(bot.fake.calls_to("files.delete")) == 1
