"""Topics, votes and the session grid end to end: signed requests to the real
HTTP server, the Web API answered by the fake Slack, assertions on what
Slack would show and what the database holds."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from bot.topics.topics import get_topic, ranking
from storage.models import TOPIC_CARRIED_OVER, TOPIC_HIDDEN, TOPIC_OPEN, TOPIC_WITHDRAWN, ProcessedEvent, Topic
from tests.support.app import CHANNEL, ORGANISER
from tests.support.blocks import block_texts
from tests.support.factories import make_meetup
from tests.support.messages import dms_to
from tests.support.topics import (
    ADA,
    BOB,
    CAT,
    VOTERS,
    deliver,
    event_body,
    open_propose_modal,
    open_schedule_modal,
    people,
    propose,
    react,
    setup_vote,
    wait_until,
)

BOT_USER = "U0BOT"


# Acting as people in Slack --------------------------------------------------------------------------------------------


def counts(bot, meetup_id):
    return {r.topic.title: r.votes for r in ranking(bot.db, meetup_id).topics}


def topics_reply(bot, user_id, text="topics"):
    reply = bot.slack.command(text, user_id=user_id).message()
    return reply, block_texts(reply.get("blocks"))


# Proposing ------------------------------------------------------------------------------------------------------------


def test_propose_posts_an_escaped_card_seeds_a_vote_and_stores_the_card(bot):
    people(bot)
    meetup = make_meetup(bot.db, now=bot.clock(), title="Open source & you")
    view = open_propose_modal(bot, ADA)
    assert view["callback_id"] == "propose_topic"
    text = block_texts(view["blocks"])
    assert "Description (optional)" in text and "Would you lead the session?" in text
    assert "*Open source &amp; you*" in text
    title_input = next(b for b in view["blocks"] if b.get("block_id") == "title")
    assert title_input["element"]["max_length"] == 150

    topic = propose(bot, ADA, "<!channel> free cake & more", description="Bring <@U0BOB> & friends")

    [post] = bot.fake.calls_to("chat.postMessage")
    assert post.args["channel"] == CHANNEL
    card = block_texts(post.args["blocks"])
    assert "*&lt;!channel&gt; free cake &amp; more*" in card
    assert "Bring &lt;@U0BOB&gt; &amp; friends" in card
    assert "Proposed by Ada Lovelace, who will lead it." in card
    assert "React with :+1: to vote." in card
    assert "<!channel>" not in json.dumps(post.args) and "<@U0BOB>" not in json.dumps(post.args)
    assert post.args["text"] == "Topic proposed: &lt;!channel&gt; free cake &amp; more"

    [seed] = bot.fake.calls_to("reactions.add")
    assert seed.args["name"] == "+1" and seed.args["timestamp"] == topic.ts
    assert (topic.meetup_id, topic.channel, topic.proposer_user_id, topic.would_lead) == (meetup.id, CHANNEL, ADA, True)
    assert topic.permalink.endswith(topic.ts.replace(".", ""))

    # The bot's own seed reaction arrives as an event too, and never counts.
    deliver(bot, event_body(bot, user=BOT_USER, ts=topic.ts))
    assert counts(bot, meetup.id) == {"<!channel> free cake & more": 0}


def test_a_command_whose_text_says_payload_still_opens_the_modal(bot):
    # slack_bolt takes any form body containing "payload" for an interaction
    # (bot/runtime/payloads.py reads it as the command it is).
    people(bot)
    make_meetup(bot.db, now=bot.clock())
    reply = bot.slack.command("propose Signing webhook payloads", user_id=ADA)
    assert reply.status == 200 and reply.body == ""
    [opened] = bot.fake.wait_for("views.open")
    assert opened.args["view"]["callback_id"] == "propose_topic"


def test_bad_proposals_get_errors_on_the_fields_and_nothing_is_stored(bot):
    people(bot)
    make_meetup(bot.db, now=bot.clock())
    view = open_propose_modal(bot, ADA)
    reply = bot.slack.submit_view(view, {"title": "  ", "description": "x" * 1001}, user_id=ADA)
    assert reply.json() == {
        "response_action": "errors",
        "errors": {
            "title": "Enter a title for your topic",
            "description": "Description must be 1,000 characters or fewer",
            "would_lead": "Select whether you would lead the session",
        },
    }
    assert bot.fake.calls_to("chat.postMessage") == []
    with bot.db.read() as session:
        assert session.query(Topic).count() == 0


def test_with_two_meetups_the_modal_asks_which_and_with_none_the_command_says_so(bot):
    people(bot)
    assert bot.slack.command("propose", user_id=ADA).message() == {
        "text": "There are no upcoming meetups to propose topics for."
    }
    make_meetup(bot.db, now=bot.clock(), title="First")
    second = make_meetup(bot.db, now=bot.clock(), title="Second", starts_in=timedelta(days=90))
    view = open_propose_modal(bot, ADA)
    choice = next(b for b in view["blocks"] if b.get("block_id") == "meetup")
    assert [o["text"]["text"].split(",")[0] for o in choice["element"]["options"]] == ["First", "Second"]
    topic = propose(bot, ADA, "Inner source", lead="no", meetup_id=second.id)
    assert topic.meetup_id == second.id and topic.would_lead is False


def test_a_card_that_cannot_be_posted_is_not_kept_and_the_person_is_told(bot):
    people(bot)
    make_meetup(bot.db, now=bot.clock())
    bot.fake.fail_next("chat.postMessage", error="not_in_channel")
    view = open_propose_modal(bot, ADA)
    bot.slack.submit_view(view, {"title": "Lost topic", "would_lead": "yes"}, user_id=ADA)
    bot.fake.wait_for("chat.postMessage")
    assert "has not been saved" in block_texts(dms_to(bot.fake, ADA)[0]["blocks"])
    with bot.db.read() as session:
        assert session.query(Topic).count() == 0


# Voting, the ranking and the recount: the "done when" -----------------------------------------------------


def test_topics_shows_exact_counts_after_duplicates_retries_and_removals(bot):
    meetup, (a, b, c, d, e) = setup_vote(bot)
    assert counts(bot, meetup.id) == {a.title: 5, b.title: 4, c.title: 3, d.title: 2, e.title: 1}

    reply, text = topics_reply(bot, VOTERS[5])
    lines = [line for line in text.splitlines() if line.startswith("*")]
    assert lines[0].startswith("*Topics for Cross-government open source meetup*")
    assert [line.split(" ", 1)[0] for line in lines[1:]] == ["*1.*", "*2.*", "*3.*", "*4.*", "*5.*"]
    assert f"*1.* <{a.permalink}|Publishing code in the open>" in text
    assert "5 votes, 2 from people with a place. Proposed by Ada Lovelace, who will lead it." in text
    assert "4 votes (none from people with a place). Proposed by Bob Brown, who will lead it." in text
    assert (
        "3 votes, 1 from someone with a place. Proposed by Cat Jones, who would like someone else to lead it." in text
    )
    assert "1 vote (not from anyone with a place)" in text
    assert "Vote by reacting with :+1: to a topic's card" in text


def test_a_recount_after_missed_events_fixes_the_tally_and_says_what_changed(bot):
    meetup, (a, b, c, d, e) = setup_vote(bot)
    # The bot was down: these happened in Slack, and no events arrived.
    bot.fake.add_reaction(a.channel, a.ts, "+1", VOTERS[5])  # V06 votes for A again
    bot.fake.remove_reaction(b.channel, b.ts, "+1", VOTERS[9])  # V10 takes back B
    bot.fake.add_reaction(d.channel, d.ts, "+1", VOTERS[10])  # V11 votes for D
    assert counts(bot, meetup.id)[a.title] == 5

    refused = bot.slack.command("recount", user_id=ADA).message()
    assert refused["text"].startswith("Only organisers can use `/meetup recount`.")

    reply = bot.slack.command("recount", user_id=ORGANISER).message()
    assert reply["text"].startswith("Counting the votes on 5 topics again from Slack.")
    wait_until(lambda: dms_to(bot.fake, ORGANISER))
    [dm] = dms_to(bot.fake, ORGANISER)
    assert block_texts(dm["blocks"]) == "Votes counted again on 5 topics: 2 votes added, 1 removed."
    # full=1: without it Slack may list only some of the people who reacted.
    assert {c.args["full"] for c in bot.fake.calls_to("reactions.get")} == {"1"}
    assert counts(bot, meetup.id) == {a.title: 6, b.title: 3, c.title: 3, d.title: 3, e.title: 1}

    # Votes keep counting from events after the recount.
    react(bot, VOTERS[9], b)
    assert counts(bot, meetup.id)[b.title] == 4


def test_schedule_two_rooms_by_two_slots_places_four_topics_with_no_clashes(bot):
    meetup, (a, b, c, d, e) = setup_vote(bot)
    assert (
        bot.slack.command("schedule", user_id=ADA)
        .message()["text"]
        .startswith("Only organisers can use `/meetup schedule`.")
    )

    view = open_schedule_modal(bot)

    # A submission forged by someone who is not an organiser changes nothing.
    forged = bot.slack.submit_view(view, {"rooms": "Thames, 40", "slots": "2pm to 3pm"}, user_id=BOB).json()
    assert block_texts(forged["view"]["blocks"]) == "Only organisers can build the grid."

    bad = bot.slack.submit_view(view, {"rooms": "Thames", "slots": "after lunch"}, user_id=ORGANISER).json()
    assert bad["response_action"] == "errors" and set(bad["errors"]) == {"rooms", "slots"}
    assert bad["errors"]["rooms"].startswith("Enter each room on its own line")

    answer = bot.slack.submit_view(
        view, {"rooms": "Severn, 12\nThames, 40", "slots": "2pm to 2:45pm\n3pm to 3:45pm"}, user_id=ORGANISER
    ).json()
    assert answer["response_action"] == "update"
    assert "Building the grid" in block_texts(answer["view"]["blocks"])  # acked before the search
    summary = block_texts(bot.fake.wait_for("views.update")[-1].args["view"]["blocks"])
    assert "4 sessions, 1 topic did not fit. Nobody who voted has two of their sessions at the same time." in summary

    # The outbox posts the grid and the leads' messages in no set order.
    [grid] = wait_until(lambda: [c.args for c in bot.fake.calls_to("chat.postMessage") if "sessions" in c.args["text"]])
    text = block_texts(grid["blocks"])
    first, second = text.split("*3pm to 3:45pm*")
    assert "*2pm to 2:45pm*" in first
    # The most-voted topics share the first slot (their voters do not
    # overlap); the biggest room goes to the most-voted topic in each slot.
    assert f"• *Thames* (40 places): <{a.permalink}|{a.title}>, led by Ada Lovelace" in first
    assert f"• *Severn* (12 places): <{b.permalink}|{b.title}>, led by Bob Brown" in first
    assert f"• *Thames* (40 places): <{c.permalink}|{c.title}>, needs someone to lead it" in second
    assert f"• *Severn* (12 places): <{d.permalink}|{d.title}>, led by Ada Lovelace" in second
    assert "*Did not fit*" in second and e.title in second

    # Each lead hears their room and time; Cat hears her topic needs a lead.
    wait_until(lambda: len(dms_to(bot.fake, ADA)) == 2 and dms_to(bot.fake, CAT) and dms_to(bot.fake, BOB))
    ada = "\n".join(block_texts(m["blocks"]) for m in dms_to(bot.fake, ADA))
    assert f"You are leading *{a.title}*" in ada and "*Where:* Thames" in ada and "2pm to 2:45pm" in ada
    assert f"You are leading *{d.title}*" in ada and "*Where:* Severn" in ada and "3pm to 3:45pm" in ada
    assert "Nobody has said they will lead it yet" in block_texts(dms_to(bot.fake, CAT)[0]["blocks"])
    assert "*Where:* Severn" in block_texts(dms_to(bot.fake, BOB)[0]["blocks"])


def test_with_no_topics_there_is_no_grid_to_build(bot):
    make_meetup(bot.db, now=bot.clock())
    view = open_schedule_modal(bot)
    answer = bot.slack.submit_view(view, {"rooms": "Thames, 40", "slots": "2pm to 3pm"}, user_id=ORGANISER).json()
    assert "Nobody has proposed a topic for Cross-government open source meetup yet" in block_texts(
        answer["view"]["blocks"]
    )
    assert bot.fake.calls_to("chat.postMessage") == []


def test_rerunning_the_schedule_keeps_placements_and_tells_only_people_whose_session_changed(bot):
    meetup, (a, b, c, d, e) = setup_vote(bot)
    view = open_schedule_modal(bot)
    bot.slack.submit_view(
        view, {"rooms": "Thames, 40\nSevern, 12", "slots": "2pm to 2:45pm\n3pm to 3:45pm"}, user_id=ORGANISER
    )
    wait_until(lambda: len(dms_to(bot.fake, ADA)) == 2 and dms_to(bot.fake, CAT) and dms_to(bot.fake, BOB))

    # D gains votes, and C is withdrawn; E takes its place.
    for user in VOTERS[5:10]:
        react(bot, user, d)
    bot.slack.block_action(
        user_id=CAT, action_id="topic_withdraw", value=str(c.id), response_url=bot.fake.response_url()
    )
    wait_until(lambda: get_topic(bot.db, c.id).status == TOPIC_WITHDRAWN)

    again = open_schedule_modal(bot)
    prefilled = {b["block_id"]: b["element"].get("initial_value") for b in again["blocks"] if b["type"] == "input"}
    assert prefilled == {"rooms": "Thames, 40\nSevern, 12", "slots": "2pm to 2:45pm\n3pm to 3:45pm"}
    bot.slack.submit_view(again, {"rooms": prefilled["rooms"], "slots": prefilled["slots"]}, user_id=ORGANISER)
    grids = wait_until(
        lambda: [c.args for c in bot.fake.calls_to("chat.postMessage") if "sessions" in c.args["text"]][1:]
    )
    text = block_texts(grids[0]["blocks"])
    assert text.startswith("*Updated discussion sessions")
    assert f"• *Severn* (12 places): <{d.permalink}|{d.title}>, led by Ada Lovelace" in text  # stays put
    assert f"• *Thames* (40 places): <{e.permalink}|{e.title}>, led by Bob Brown" in text  # C's old place

    wait_until(lambda: len(dms_to(bot.fake, BOB)) == 2)
    assert f"You are leading *{e.title}*" in block_texts(dms_to(bot.fake, BOB)[-1]["blocks"])
    assert len(dms_to(bot.fake, ADA)) == 2  # nothing changed for Ada: no new message


def test_one_event_delivered_three_times_at_once_and_retried_later_counts_once(bot):
    people(bot)
    meetup = make_meetup(bot.db, now=bot.clock())
    topic = propose(bot, ADA, "Retried")
    body = event_body(bot, user=BOB, ts=topic.ts)
    first_sent = int(time.time())
    with ThreadPoolExecutor(max_workers=3) as pool:
        replies = list(pool.map(lambda retry: deliver(bot, body, retry=retry, first_sent=first_sent), (0, 1, 2)))
    assert [r.status for r in replies] == [200, 200, 200]
    deliver(bot, body, retry=3, first_sent=first_sent)
    assert counts(bot, meetup.id) == {"Retried": 1}
    with bot.db.read() as session:
        assert session.get(ProcessedEvent, body["event_id"]) is not None
        assert session.query(ProcessedEvent).count() == 1


# Withdrawing and hiding -----------------------------------------------------------------------------------------------


def test_the_proposer_withdraws_and_a_forged_click_by_someone_else_changes_nothing(bot):
    people(bot)
    meetup = make_meetup(bot.db, now=bot.clock())
    topic = propose(bot, ADA, "Withdraw me")
    container = {"type": "message", "message_ts": topic.ts, "channel_id": CHANNEL, "is_ephemeral": False}

    bot.slack.block_action(
        user_id=BOB,
        action_id="topic_withdraw",
        value=str(topic.id),
        response_url=bot.fake.response_url(),
        container=container,
    )
    [refusal] = bot.fake.wait_for_response()
    assert refusal["body"]["text"] == "Only the person who proposed this topic can withdraw it."
    assert get_topic(bot.db, topic.id).status == TOPIC_OPEN
    assert bot.fake.calls_to("chat.update") == []

    bot.slack.block_action(
        user_id=ADA,
        action_id="topic_withdraw",
        value=str(topic.id),
        response_url=bot.fake.response_url(),
        container=container,
    )
    [update] = bot.fake.wait_for("chat.update")
    assert update.args["ts"] == topic.ts
    assert "Withdrawn by the person who proposed it" in block_texts(update.args["blocks"])
    assert "actions" not in [b["type"] for b in update.args["blocks"]]
    assert get_topic(bot.db, topic.id).status == TOPIC_WITHDRAWN
    assert bot.fake.wait_for_response(2)[-1]["body"]["text"].startswith("You have withdrawn your topic")
    # Votes on a withdrawn topic no longer show in the list.
    react(bot, BOB, topic)
    assert "Nobody has proposed a topic yet" in topics_reply(bot, BOB)[1]
    assert counts(bot, meetup.id) == {}


def test_organisers_hide_topics_and_nobody_else_can(bot):
    people(bot)
    make_meetup(bot.db, now=bot.clock())
    topic = propose(bot, ADA, "Something unkind")

    bot.slack.block_action(
        user_id=BOB, action_id="topic_hide", value=str(topic.id), response_url=bot.fake.response_url()
    )
    assert bot.fake.wait_for_response()[0]["body"]["text"] == "Only organisers can hide topics."
    assert get_topic(bot.db, topic.id).status == TOPIC_OPEN

    bot.slack.block_action(
        user_id=ORGANISER, action_id="topic_hide", value=str(topic.id), response_url=bot.fake.response_url()
    )
    [update] = bot.fake.wait_for("chat.update")
    assert block_texts(update.args["blocks"]) == "An organiser has hidden this topic. Votes on it no longer count."
    assert "Something unkind" not in json.dumps(update.args)
    assert get_topic(bot.db, topic.id).status == TOPIC_HIDDEN


# Carried over ---------------------------------------------------------------------------------------------------------


def test_topics_that_did_not_fit_are_offered_at_the_next_meetup_and_the_proposer_is_told(bot):
    meetup, (a, b, c, d, e) = setup_vote(bot)
    view = open_schedule_modal(bot)
    bot.slack.submit_view(
        view, {"rooms": "Thames, 40\nSevern, 12", "slots": "2pm to 2:45pm\n3pm to 3:45pm"}, user_id=ORGANISER
    )
    wait_until(lambda: dms_to(bot.fake, BOB))
    following = make_meetup(bot.db, now=bot.clock(), title="Spring meetup", starts_in=timedelta(days=90))
    bot.clock.advance(days=50)  # the first meetup is over

    reply, text = topics_reply(bot, CAT)
    assert "*Topics for Spring meetup*" in text
    assert "*1.* *Funding maintainers*\nNo votes yet." in text
    assert "Carried over from *Cross-government open source meetup*." in text

    new = wait_until(lambda: next((t.topic for t in ranking(bot.db, following.id).topics if t.topic.permalink), None))
    assert (new.carried_from_topic_id, new.proposer_user_id) == (e.id, BOB)
    assert get_topic(bot.db, e.id).status == TOPIC_CARRIED_OVER
    # A new card to vote on, the old card pointing at it, and Bob told.
    card = [
        c.args for c in bot.fake.calls_to("chat.postMessage") if c.args["text"] == "Topic proposed: Funding maintainers"
    ][-1]
    assert "Carried over from *Cross-government open source meetup*." in block_texts(card["blocks"])
    update = wait_until(lambda: [c.args for c in bot.fake.calls_to("chat.update") if c.args["ts"] == e.ts])
    assert "It is on the list for *Spring meetup*" in block_texts(update[0]["blocks"])
    told = wait_until(lambda: [m for m in dms_to(bot.fake, BOB) if "did not fit" in block_texts(m["blocks"])])
    assert "its votes start again from zero" in block_texts(told[0]["blocks"])
    # Votes on the old card no longer count anywhere.
    react(bot, VOTERS[0], e)
    assert counts(bot, following.id) == {"Funding maintainers": 0}
    react(bot, VOTERS[0], new)
    assert counts(bot, following.id) == {"Funding maintainers": 1}


# Requests not from Slack ----------------------------------------------------------------------------------------------


def test_unsigned_events_are_refused_and_count_nothing(bot):
    people(bot)
    meetup = make_meetup(bot.db, now=bot.clock())
    topic = propose(bot, ADA, "Signed only")
    body = json.dumps(event_body(bot, user=BOB, ts=topic.ts)).encode()
    assert bot.slack.post(body, "application/json", secret="wrong").status == 401
    assert counts(bot, meetup.id) == {"Signed only": 0}
