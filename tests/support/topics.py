"""Proposing topics through the modal and voting on them with reactions, as people would."""

from __future__ import annotations

import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from bot.signups.signups import sign_up
from storage.models import Topic
from tests.support.app import CHANNEL, ORGANISER
from tests.support.factories import make_form, make_meetup
from tests.support.organising import eventually

ADA, BOB, CAT = "U0ADA", "U0BOB", "U0CAT"
VOTERS = [f"U0V{n:02d}" for n in range(1, 13)]  # a dozen people who vote


def open_propose_modal(bot, user_id):
    before = len(bot.fake.calls_to("views.open"))
    reply = bot.slack.command("propose", user_id=user_id)
    assert reply.status == 200 and reply.body == ""
    return bot.fake.wait_for("views.open", count=before + 1)[-1].args["view"]


def propose(bot, user_id, title, *, description="", lead="yes", meetup_id=None) -> Topic:
    """Propose through the modal; returns the stored topic once its card is up."""
    view = open_propose_modal(bot, user_id)
    answers = {"title": title, "description": description, "would_lead": lead}
    if meetup_id:
        answers["meetup"] = str(meetup_id)
    reply = bot.slack.submit_view(view, answers, user_id=user_id)
    assert reply.status == 200 and reply.body == "", reply.body  # the modal closes
    bot.clock.advance(seconds=1)
    return eventually(lambda: _topic_with_card(bot, title))


def _topic_with_card(bot, title):
    with bot.db.read() as session:
        from sqlalchemy import select

        topic = session.scalars(select(Topic).where(Topic.title == title).order_by(Topic.id.desc())).first()
        return topic if topic is not None and topic.permalink else None


def open_schedule_modal(bot, user_id=ORGANISER):
    before = len(bot.fake.calls_to("views.open"))
    reply = bot.slack.command("schedule", user_id=user_id)
    assert reply.status == 200 and reply.body == ""
    view = bot.fake.wait_for("views.open", count=before + 1)[-1].args["view"]
    assert view["callback_id"] == "build_schedule"
    return view


def wait_until(predicate, timeout=5.0):
    """For work the app does after it has acknowledged (cards, DMs)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("the app did not finish in time")
        time.sleep(0.02)


def people(bot):
    for user, name in ((ADA, "Ada Lovelace"), (BOB, "Bob Brown"), (CAT, "Cat Jones")):
        bot.fake.add_user(user, real_name=name, email=f"{user.lower()}@justice.gov.uk")
    for user in VOTERS:
        bot.fake.add_user(user, real_name=f"Voter {user[-2:]}", email=f"{user.lower()}@justice.gov.uk")


def event_body(bot, *, user, ts, name="+1", added=True, event_id=None, channel=CHANNEL):
    bot.clock.advance(seconds=1)
    now = bot.clock().timestamp()
    return bot.slack.reaction_payload(
        added=added,
        user_id=user,
        reaction=name,
        channel=channel,
        ts=ts,
        event_id=event_id or f"Ev{uuid.uuid4().hex[:12].upper()}",
        event_ts=f"{now:.6f}",
    )


def deliver(bot, body, *, retry=0, first_sent=None):
    headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else None
    # Slack signs every delivery when it sends it, so a retry carries its own
    # timestamp and signature (an identical one is refused as a replay).
    # Deliveries of one event made at once share `first_sent`, so a second
    # ticking over between them cannot give two the same timestamp.
    timestamp = (first_sent or int(time.time())) - retry
    reply = bot.slack.post(json.dumps(body).encode(), "application/json", headers=headers, timestamp=timestamp)
    assert reply.status == 200, reply.body
    return reply


def react(bot, user, topic, name="+1", *, added=True):
    """A person reacts in Slack: the reaction is on the message, and Slack sends the event."""
    if added:
        bot.fake.add_reaction(topic.channel, topic.ts, name, user)
    else:
        bot.fake.remove_reaction(topic.channel, topic.ts, name, user)
    body = event_body(bot, user=user, ts=topic.ts, name=name, added=added)
    deliver(bot, body)
    return body


def setup_vote(bot):
    """Three people propose five topics; a dozen vote, some twice, some take
    a vote back; one event is delivered three times at once. The three who
    propose have a place, as have two of the voters."""
    people(bot)
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=5)
    for user in (VOTERS[0], VOTERS[1], ADA, BOB, CAT):
        sign_up(bot.db, make_form(meetup_id=meetup.id), user_id=user, now=bot.clock(), contact="x")
    a = propose(bot, ADA, "Publishing code in the open")
    b = propose(bot, BOB, "Open source licences")
    c = propose(bot, CAT, "Inner source", lead="no")
    d = propose(bot, ADA, "Security of dependencies")
    e = propose(bot, BOB, "Funding maintainers")
    v = dict(enumerate(VOTERS, start=1))
    for topic, numbers in ((a, [1, 2, 5, 6, 9]), (b, [3, 4, 7, 10, 11]), (c, [1, 3, 12]), (d, [2, 4]), (e, [12])):
        for n in numbers:
            react(bot, v[n], topic)
    # Someone reacts with a second voting emoji: still one vote.
    react(bot, v[5], a, "+1::skin-tone-2")
    # Two people take their vote back.
    react(bot, v[6], a, added=False)
    react(bot, v[11], b, added=False)
    # Reactions that are not votes, and a reaction on a message that is no topic.
    react(bot, v[7], a, "tada")
    other = bot.fake.add_message(CHANNEL, text="Lunch is at midday", user=ADA)
    deliver(bot, event_body(bot, user=v[8], ts=other["ts"]))
    # One event, delivered three times at once (Slack retrying a slow answer).
    bot.fake.add_reaction(a.channel, a.ts, "+1", v[8])
    body = event_body(bot, user=v[8], ts=a.ts)
    first_sent = int(time.time())
    with ThreadPoolExecutor(max_workers=3) as pool:
        list(pool.map(lambda retry: deliver(bot, body, retry=retry, first_sent=first_sent), (0, 1, 2)))
    return meetup, (a, b, c, d, e)
