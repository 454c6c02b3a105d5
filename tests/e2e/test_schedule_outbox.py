"""The session grid and the messages to session leads go through the outbox
(issue 23, item 1): queued with the grid, sent once Slack answers again, and
never twice; a newer grid replaces an older one still waiting."""

from __future__ import annotations

from storage.models import DELIVERY_CANCELLED, DELIVERY_SENT
from tests.support.app import CHANNEL, ORGANISER
from tests.support.blocks import block_texts
from tests.support.messages import dms_to
from tests.support.organising import eventually
from tests.support.outages import after_the_outage, tried_once_and_waiting
from tests.support.reminders import deliveries
from tests.support.topics import ADA, BOB, CAT, open_schedule_modal, setup_vote

GRID = {"rooms": "Severn, 12\nThames, 40", "slots": "2pm to 2:45pm\n3pm to 3:45pm"}


def grids_posted(bot) -> list[dict]:
    return [c.args for c in bot.fake.calls_to("chat.postMessage") if "sessions" in c.args["text"]]


def leads_told(bot) -> dict[str, int]:
    return {user: len(dms_to(bot.fake, user)) for user in (ADA, BOB, CAT)}


def build_grid(bot, view, answers=GRID) -> None:
    answer = bot.slack.submit_view(view, answers, user_id=ORGANISER)
    assert answer.status == 200 and "Building the grid" in block_texts(answer.json()["view"]["blocks"])


def test_a_grid_built_while_slack_is_down_is_posted_once_and_each_lead_told_once_when_it_is_back(bot):
    setup_vote(bot)
    view = open_schedule_modal(bot)
    bot.fake.outage(40)
    build_grid(bot, view)
    tried_once_and_waiting(bot, "grid")
    tried_once_and_waiting(bot, "session")
    assert grids_posted(bot) == [] and leads_told(bot) == {ADA: 0, BOB: 0, CAT: 0}

    after_the_outage(bot)
    [grid] = grids_posted(bot)
    assert grid["channel"] == CHANNEL and block_texts(grid["blocks"]).startswith("*Discussion sessions")
    # Ada leads two sessions, Bob one; Cat's topic needs a lead.
    assert leads_told(bot) == {ADA: 2, BOB: 1, CAT: 1}
    assert {d.state for d in deliveries(bot.db, kind="grid") + deliveries(bot.db, kind="session")} == {DELIVERY_SENT}


def test_a_grid_rebuilt_while_slack_is_down_posts_only_the_newest(bot):
    setup_vote(bot)
    first, second = open_schedule_modal(bot), open_schedule_modal(bot)
    bot.fake.outage(40)
    build_grid(bot, first)
    tried_once_and_waiting(bot, "grid")
    # Another grid, with the rooms the other way round: every session moves.
    build_grid(bot, second, {"rooms": "Thames, 12\nSevern, 40", "slots": GRID["slots"]})
    eventually(lambda: len(deliveries(bot.db, kind="grid")) == 2)

    after_the_outage(bot)
    [grid] = grids_posted(bot)
    assert block_texts(grid["blocks"]).startswith("*Updated discussion sessions")
    older, newer = deliveries(bot.db, kind="grid")
    assert (older.state, newer.state) == (DELIVERY_CANCELLED, DELIVERY_SENT)
    # Each lead hears once a session, whichever grid last placed it.
    assert leads_told(bot) == {ADA: 2, BOB: 1, CAT: 1}
