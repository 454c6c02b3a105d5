"""Work the worker does on its own, with nobody touching the bot: topics
move to the next meetup when a meetup ends, and the Home tab of people whose
status changed is published again, a batch at a time. Driven with the test
clock, against the fake Slack, on both databases."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from sqlalchemy import select

from bot.meetups.home import home_batch, home_opened
from bot.privacy.privacy import data_held, purge_due
from bot.topics.topics import get_topic, ranking
from storage.models import TOPIC_CARRIED_OVER, StaleHome
from tests.support.app import ORGANISER
from tests.support.blocks import block_texts
from tests.support.factories import make_meetup
from tests.support.messages import dms_to
from tests.support.organising import open_home
from tests.support.reminders import register, worker_for
from tests.support.topics import ADA, BOB, open_schedule_modal, people, propose, wait_until


def stale(bot) -> set[str]:
    with bot.db.read() as session:
        return set(session.scalars(select(StaleHome.slack_user_id)))


def published_to(bot) -> list[str]:
    return [c.args["user_id"] for c in bot.fake.calls_to("views.publish")]


# Topics ---------------------------------------------------------------------------------------------------------------


def test_topics_that_did_not_fit_move_to_the_next_meetup_once_with_nobody_running_a_command(bot):
    people(bot)
    make_meetup(bot.db, now=bot.clock())
    propose(bot, ADA, "Publishing code in the open")
    left_over = propose(bot, BOB, "Funding maintainers")
    view = open_schedule_modal(bot)
    bot.slack.submit_view(view, {"rooms": "Thames, 40", "slots": "2pm to 2:45pm"}, user_id=ORGANISER)
    wait_until(lambda: dms_to(bot.fake, ADA))  # the grid is up, its session lead told
    following = make_meetup(bot.db, now=bot.clock(), title="Spring meetup", starts_in=timedelta(days=90))
    workers = [worker_for(bot), worker_for(bot)]

    workers[0].run_due()  # not over yet: nothing moves
    assert ranking(bot.db, following.id).topics == []

    bot.clock.advance(days=50)  # the first meetup is over
    with ThreadPoolExecutor(2) as pool:  # two instances at once
        summaries = list(pool.map(lambda worker: worker.run_due(), workers))
    for worker in workers:
        worker.run_due()

    assert sorted(s.topics_carried for s in summaries) == [0, 1]
    [moved] = ranking(bot.db, following.id).topics
    assert (moved.topic.carried_from_topic_id, moved.topic.title) == (left_over.id, "Funding maintainers")
    assert get_topic(bot.db, left_over.id).status == TOPIC_CARRIED_OVER
    cards = [
        c for c in bot.fake.calls_to("chat.postMessage") if c.args["text"] == "Topic proposed: Funding maintainers"
    ]
    assert len(cards) == 2  # the proposal's card, and one for the next meetup
    told = wait_until(lambda: [m for m in dms_to(bot.fake, BOB) if "did not fit" in block_texts(m["blocks"])])
    assert len(told) == 1
    # `/meetup topics` still carries over: there is nothing left to carry.
    assert bot.slack.command("topics", user_id=BOB).status == 200
    assert len(ranking(bot.db, following.id).topics) == 1


# The Home tab ---------------------------------------------------------------------------------------------------------


def opened_home(bot, *user_ids) -> None:
    for user_id in user_ids:
        home_opened(bot.db, user_id, now=bot.clock())


def test_a_person_promoted_by_a_cancellation_sees_it_on_their_home_tab_without_opening_it_again(bot):
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=1)
    opened_home(bot, ADA, BOB)
    register(bot.db, bot.fake, meetup, ADA, bot.clock())
    register(bot.db, bot.fake, meetup, BOB, bot.clock())
    assert stale(bot) == {ADA, BOB}
    worker = worker_for(bot)
    worker.run_due()
    assert stale(bot) == set() and sorted(published_to(bot)) == [ADA, BOB]
    before = block_texts(bot.fake.home_views[BOB]["blocks"])

    assert bot.slack.command("cancel", user_id=ADA).status == 200
    assert BOB in stale(bot)
    worker.run_due()

    after = block_texts(bot.fake.home_views[BOB]["blocks"])
    assert after != before
    assert "Leave the waitlist" in before and "You have a place." not in before
    assert "You have a place." in after and "Cancel my place" in after
    assert published_to(bot).count(BOB) == 2
    assert stale(bot) == set()


def test_a_burst_of_changes_is_published_over_several_rounds_within_the_batch_size(bot):
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=300)
    people_ = [f"U0P{n:03d}" for n in range(250)]
    opened_home(bot, *people_)
    for person in people_:
        register(bot.db, bot.fake, meetup, person, bot.clock())
    worker = worker_for(bot)
    assert worker.home_batch == home_batch(30) == 25

    rounds = []
    while stale(bot):
        before = len(published_to(bot))
        worker.run_due()
        rounds.append(len(published_to(bot)) - before)
        assert len(rounds) <= 20, rounds
    assert rounds == [25] * 10
    assert sorted(published_to(bot)) == people_


def test_a_home_tab_slack_did_not_take_stays_for_the_next_round(bot):
    meetup = make_meetup(bot.db, now=bot.clock())
    opened_home(bot, ADA)
    register(bot.db, bot.fake, meetup, ADA, bot.clock())
    worker = worker_for(bot)

    bot.fake.outage(60, methods=["views.publish"], status=400)
    assert worker.run_due().homes_published == 0
    assert stale(bot) == {ADA}
    bot.fake.end_outage()
    assert worker.run_due().homes_published == 1
    assert stale(bot) == set()


def test_only_the_home_tabs_of_people_who_opened_theirs_are_drawn_again(bot):
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=1)
    register(bot.db, bot.fake, meetup, ADA, bot.clock())
    register(bot.db, bot.fake, meetup, BOB, bot.clock())
    worker = worker_for(bot)
    worker.run_due()
    # Neither has opened it: Slack asks for it afresh when they do.
    assert stale(bot) == set() and published_to(bot) == []

    open_home(bot, BOB)  # app_home_opened, through the signed endpoint
    assert published_to(bot) == [BOB]
    assert bot.slack.command("cancel", user_id=ADA).status == 200  # BOB moves up
    assert stale(bot) == {BOB}
    worker.run_due()
    assert published_to(bot) == [BOB, BOB]
    assert "You have a place." in block_texts(bot.fake.home_views[BOB]["blocks"])

    # PURGE_AFTER_DAYS after they last opened it, the bot no longer keeps it.
    bot.clock.advance(days=bot.deps.settings.purge_after_days + 1)
    purge_due(bot.db, bot.clock(), bot.deps.settings.purge_after_days)
    assert data_held(bot.db, BOB).home_opened_at is None
