"""Organiser power is checked on the server, everywhere: every organiser
command, button, modal submission and Home tab action, forged by someone
who is not an organiser, is refused and changes nothing."""

from sqlalchemy import select

from handlers.blocks import approvals as approval_blocks
from handlers.blocks import home as home_blocks
from handlers.blocks import organising as ob
from handlers.blocks import topics as topic_blocks
from storage.models import Base
from tests.support.app import CHANNEL
from tests.support.organising import (
    NEW_MEETUP,
    create_meetup_in_modal,
    form_answers,
    meetup_id_of,
    open_form,
    sign_up_from_card,
)
from tests.support.topics import propose

EVE = "U0EVE"


def database_state(db) -> dict:
    """Every row of every table, except the replay guard's own bookkeeping."""
    with db.read() as session:
        return {
            table.name: [tuple(row) for row in session.execute(select(table))]
            for table in Base.metadata.sorted_tables
            if table.name != "seen_requests"
        }


def effects(fake) -> list:
    """Slack calls that change what other people see."""
    return [
        (c.method, c.args.get("channel"))
        for c in fake.calls
        if c.method in ("chat.update", "files.completeUploadExternal", "chat.delete")
        or (c.method == "chat.postMessage" and not str(c.args.get("channel", "")).startswith(("D", "U0EVE")))
    ]


def test_forged_organiser_actions_are_refused_and_change_nothing(bot):
    fake = bot.fake
    fake.add_user("U0ADA", real_name="Ada Lovelace", email="ada@digital.cabinet-office.gov.uk")
    fake.add_user("U0SAM", real_name="Sam Contractor", email="sam@contractor.example")
    fake.add_user(EVE, real_name="Eve Example", email="eve@justice.gov.uk")
    posted, _ = create_meetup_in_modal(bot)
    meetup_id = meetup_id_of(posted)
    sign_up_from_card(
        bot,
        "U0SAM",
        {"full_name": "Sam", "organisation": "Acme", "role": "contractor", "government_team": "GDS"},
        posted,
    )
    topic = propose(bot, "U0ADA", "Publishing code in the open")

    # Forms an organiser opened; Eve submits copies of them.
    new_form, edit_form, schedule_form = (open_form(bot, name) for name in ("new", "edit", "schedule"))
    sam_id = next(r[0] for r in database_state(bot.db)["registrations"] if r[2] == "U0SAM")

    before_state, before_effects = database_state(bot.db), effects(fake)

    organiser_only = [sub.name for sub in bot.deps.subcommands if sub.organiser_only]
    assert {"list", "new", "edit", "export", "stats", "schedule", "recount", "announce"} <= set(organiser_only)
    for name in organiser_only:
        reply = bot.slack.command(f"{name} {meetup_id}", user_id=EVE).message()
        assert reply["text"].startswith(f"Only organisers can use `/meetup {name}`"), name

    actions = [
        (approval_blocks.APPROVE_ACTION, sam_id),
        (approval_blocks.DECLINE_ACTION, sam_id),
        (home_blocks.HOME_NEW_ACTION, "new"),
        (home_blocks.HOME_EDIT_ACTION, meetup_id),
        (home_blocks.HOME_EXPORT_ACTION, meetup_id),
        (ob.CLOSE_SIGNUP_ACTION, meetup_id),
        (ob.REOPEN_SIGNUP_ACTION, meetup_id),
        (ob.CANCEL_MEETUP_ACTION, meetup_id),
        (topic_blocks.HIDE_ACTION, topic.id),
    ]
    for action_id, value in actions:
        reply = bot.slack.block_action(
            user_id=EVE, action_id=action_id, value=str(value), response_url=fake.response_url()
        )
        assert reply.status == 200, action_id

    for view, answers in (
        (new_form, {**NEW_MEETUP, "title": "Eve's meetup"}),
        (edit_form, {**form_answers(edit_form), "capacity": "1"}),
        (schedule_form, {"rooms": "Thames, 40", "slots": "2pm to 3pm"}),
    ):
        reply = bot.slack.submit_view(view, answers, user_id=EVE)
        assert reply.status == 200
        assert "Only organisers" in reply.body, (view["callback_id"], reply.body)

    assert database_state(bot.db) == before_state
    assert effects(fake) == before_effects
    assert all(m.get("text", "").find("Eve") < 0 for m in fake.messages(CHANNEL))
