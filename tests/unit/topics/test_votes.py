"""The rules for votes, topics and carrying over, on SQLite and PostgreSQL."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from bot.topics.grid import Room, Slot
from bot.topics.sessions import build_schedule
from bot.topics.topics import (
    carry_over_finished,
    hide_topic,
    open_cards,
    ranking,
    read_form,
    validate_topic,
    withdraw_topic,
)
from bot.topics.votes import VoteOutcome, base_emoji, is_vote, record_reaction, replace_votes
from storage.models import TOPIC_CARRIED_OVER, TOPIC_HIDDEN, TOPIC_OPEN, TOPIC_WITHDRAWN, Base
from tests.support.factories import make_form, make_meetup
from tests.support.manifest import load_manifest
from tests.support.topic_factories import make_topic, reaction

BOT = "U0BOT"
VOTE = ("+1",)


def record(db, event, clock, vote_emoji=VOTE):
    return record_reaction(db, event, bot_user_id=BOT, vote_emoji=vote_emoji, now=clock())


def votes(db, meetup_id):
    return {r.topic.title: r.votes for r in ranking(db, meetup_id).topics}


# Which reactions are votes ---------------------------------------------------------------


def test_skin_tones_and_aliases_are_the_same_vote():
    assert base_emoji("+1::skin-tone-2") == "+1"
    assert base_emoji(":thumbsup:") == "+1"
    assert is_vote("+1::skin-tone-6", ("+1",))
    assert is_vote("+1", ("thumbsup",))
    assert is_vote("heart", ("+1", "heart"))
    assert not is_vote("-1", ("+1",))
    assert not is_vote("tada", ("+1",))


# Votes are a set ---------------------------------------------------------------------------


def test_one_vote_per_person_whatever_they_react_with(db, clock):
    meetup = make_meetup(db, now=clock())
    topic = make_topic(db, meetup_id=meetup.id, now=clock())
    at = clock()
    assert record(db, reaction(topic, "U1", at=at), clock, ("+1", "heart")) == VoteOutcome.RECORDED
    assert record(db, reaction(topic, "U1", at=at, name="heart"), clock, ("+1", "heart")) == VoteOutcome.RECORDED
    assert (
        record(db, reaction(topic, "U1", at=at, name="+1::skin-tone-3"), clock, ("+1", "heart")) == VoteOutcome.RECORDED
    )
    assert votes(db, meetup.id) == {topic.title: 1}

    # Taking one of three away leaves the vote; taking all away removes it.
    later = at + timedelta(seconds=1)
    record(db, reaction(topic, "U1", at=later, added=False, name="heart"), clock, ("+1", "heart"))
    record(db, reaction(topic, "U1", at=later, added=False), clock, ("+1", "heart"))
    assert votes(db, meetup.id) == {topic.title: 1}
    record(db, reaction(topic, "U1", at=later, added=False, name="+1::skin-tone-3"), clock, ("+1", "heart"))
    assert votes(db, meetup.id) == {topic.title: 0}


def test_the_bot_other_emoji_and_other_messages_do_not_count(db, clock):
    meetup = make_meetup(db, now=clock())
    topic = make_topic(db, meetup_id=meetup.id, now=clock())
    assert record(db, reaction(topic, BOT, at=clock()), clock) == VoteOutcome.IGNORED
    assert record(db, reaction(topic, "U1", at=clock(), name="tada"), clock) == VoteOutcome.IGNORED
    elsewhere = reaction(topic, "U1", at=clock())
    elsewhere = elsewhere.__class__(**{**elsewhere.__dict__, "ts": "1.000001"})
    assert record(db, elsewhere, clock) == VoteOutcome.IGNORED
    assert votes(db, meetup.id) == {topic.title: 0}


def test_a_retried_event_counts_once(db, clock):
    meetup = make_meetup(db, now=clock())
    topic = make_topic(db, meetup_id=meetup.id, now=clock())
    event = reaction(topic, "U1", at=clock(), event_id="Ev-retried")
    assert record(db, event, clock) == VoteOutcome.RECORDED
    # The person takes the vote back; then Slack retries the old delivery.
    record(db, reaction(topic, "U1", at=clock() + timedelta(seconds=5), added=False), clock)
    assert record(db, event, clock) == VoteOutcome.DUPLICATE
    assert votes(db, meetup.id) == {topic.title: 0}


def test_an_event_overtaken_by_a_newer_one_changes_nothing(db, clock):
    """A reaction_added whose first delivery failed can arrive after the
    reaction_removed that followed it: the vote stays removed."""
    meetup = make_meetup(db, now=clock())
    topic = make_topic(db, meetup_id=meetup.id, now=clock())
    removed = reaction(topic, "U1", at=clock() + timedelta(seconds=2), added=False)
    added = reaction(topic, "U1", at=clock())
    assert record(db, removed, clock) == VoteOutcome.RECORDED
    assert record(db, added, clock) == VoteOutcome.STALE
    assert votes(db, meetup.id) == {topic.title: 0}


def test_the_same_event_delivered_at_once_many_times_counts_once(db, clock):
    meetup = make_meetup(db, now=clock())
    topic = make_topic(db, meetup_id=meetup.id, now=clock())
    event = reaction(topic, "U1", at=clock(), event_id="Ev-burst")
    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(lambda _: record(db, event, clock), range(8)))
    assert sorted(outcomes) == [VoteOutcome.DUPLICATE] * 7 + [VoteOutcome.RECORDED]
    assert votes(db, meetup.id) == {topic.title: 1}


def test_many_people_voting_at_once_are_all_counted(db, clock):
    meetup = make_meetup(db, now=clock())
    topic = make_topic(db, meetup_id=meetup.id, now=clock())
    events = [reaction(topic, f"U{n:03d}", at=clock()) for n in range(40)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        assert set(pool.map(lambda e: record(db, e, clock), events)) == {VoteOutcome.RECORDED}
    assert votes(db, meetup.id) == {topic.title: 40}


# Recount --------------------------------------------------------------------------------------


def test_recount_makes_the_votes_what_slack_shows(db, clock):
    meetup = make_meetup(db, now=clock())
    topic = make_topic(db, meetup_id=meetup.id, now=clock())
    for user in ("U1", "U2", "U3"):
        record(db, reaction(topic, user, at=clock()), clock)
    clock.advance(minutes=5)
    shown = [
        {"name": "+1", "users": [BOT, "U1", "U4"]},
        {"name": "+1::skin-tone-2", "users": ["U5", "U1"]},
        {"name": "tada", "users": ["U6"]},
    ]
    result = replace_votes(db, topic.id, shown, read_at=clock(), bot_user_id=BOT, vote_emoji=VOTE)
    assert (result.added, result.removed) == (2, 2)  # U4 and U5 in; U2 and U3 out
    assert votes(db, meetup.id) == {topic.title: 3}
    again = replace_votes(db, topic.id, shown, read_at=clock(), bot_user_id=BOT, vote_emoji=VOTE)
    assert (again.added, again.removed) == (0, 0)

    # U1 takes back one of their two reactions: still one vote.
    record(db, reaction(topic, "U1", at=clock() + timedelta(seconds=1), added=False), clock)
    assert votes(db, meetup.id) == {topic.title: 3}


def test_recount_keeps_changes_newer_than_what_it_read(db, clock):
    meetup = make_meetup(db, now=clock())
    topic = make_topic(db, meetup_id=meetup.id, now=clock())
    read_at = clock()
    # U7 votes just after reactions.get answered, and the event is applied first.
    record(db, reaction(topic, "U7", at=read_at + timedelta(seconds=1)), clock)
    result = replace_votes(db, topic.id, [], read_at=read_at, bot_user_id=BOT, vote_emoji=VOTE)
    assert (result.added, result.removed) == (0, 0)
    assert votes(db, meetup.id) == {topic.title: 1}


# Proposing, the ranking, withdrawing and hiding ------------------------------------------------------


def test_a_topic_needs_a_title_of_150_characters_or_fewer_and_a_lead_answer():
    assert validate_topic(read_form(meetup_id=1, title=" ", description="", would_lead=None)) == {
        "title": "Enter a title for your topic",
        "would_lead": "Select whether you would lead the session",
    }
    errors = validate_topic(read_form(meetup_id=None, title="x" * 151, description="y" * 1001, would_lead="no"))
    assert errors == {
        "meetup": "Select a meetup",
        "title": "Title must be 150 characters or fewer",
        "description": "Description must be 1,000 characters or fewer",
    }
    assert validate_topic(read_form(meetup_id=1, title="x" * 150, description="", would_lead="yes")) == {}


def test_ranking_most_votes_first_ties_to_the_earlier_proposal_with_confirmed_voters(db, clock):
    from bot.signups.signups import sign_up

    meetup = make_meetup(db, now=clock(), capacity=1)
    for user in ("U1", "U2"):
        sign_up(db, make_form(meetup_id=meetup.id), user_id=user, now=clock(), contact="x")
        clock.advance(seconds=1)
    first = make_topic(db, meetup_id=meetup.id, now=clock(), title="First")
    clock.advance(seconds=1)
    second = make_topic(db, meetup_id=meetup.id, now=clock(), title="Second")
    clock.advance(seconds=1)
    third = make_topic(db, meetup_id=meetup.id, now=clock(), title="Third")
    for topic, users in ((first, "U2 U3"), (second, "U1 U2"), (third, "U1 U2 U3")):
        for user in users.split():
            record(db, reaction(topic, user, at=clock()), clock)
    ranked = ranking(db, meetup.id).topics
    assert [(r.topic.title, r.votes, len(r.confirmed_voters)) for r in ranked] == [
        ("Third", 3, 1),
        ("First", 2, 0),
        ("Second", 2, 1),
    ]


def test_only_the_proposer_withdraws_and_hidden_topics_leave_the_list(db, clock):
    meetup = make_meetup(db, now=clock())
    mine = make_topic(db, meetup_id=meetup.id, now=clock(), title="Mine", user_id="U1")
    other = make_topic(db, meetup_id=meetup.id, now=clock(), title="Other", user_id="U2")
    assert withdraw_topic(db, mine.id, user_id="U2", now=clock()).outcome == "not_yours"
    assert withdraw_topic(db, mine.id, user_id="U1", now=clock()).outcome == "done"
    assert withdraw_topic(db, mine.id, user_id="U1", now=clock()).outcome == "not_open"
    assert hide_topic(db, other.id, now=clock()).outcome == "done"
    assert hide_topic(db, 999_999, now=clock()).outcome == "missing"
    assert ranking(db, meetup.id).topics == []
    assert open_cards(db, clock()) == []
    from bot.topics.topics import get_topic

    assert (get_topic(db, mine.id).status, get_topic(db, other.id).status) == (TOPIC_WITHDRAWN, TOPIC_HIDDEN)


# Carrying over ---------------------------------------------------------------------------------------------


def _grid_then_finish(db, clock, *, with_next=True):
    meetup = make_meetup(db, now=clock(), title="First meetup")
    following = make_meetup(db, now=clock(), title="Second meetup", starts_in=timedelta(days=90)) if with_next else None
    fits = make_topic(db, meetup_id=meetup.id, now=clock(), title="Fits", user_id="U1")
    clock.advance(seconds=1)
    left = make_topic(db, meetup_id=meetup.id, now=clock(), title="Left over", user_id="U2")
    for user in ("U5", "U6"):
        record(db, reaction(fits, user, at=clock()), clock)
    record(db, reaction(left, "U5", at=clock()), clock)
    slot = Slot(meetup.starts_at, meetup.starts_at + timedelta(minutes=45))
    outcome = build_schedule(
        db, meetup_id=meetup.id, rooms=[Room("Thames", 30)], slots=[slot], organiser="U0ORGANISER", now=clock()
    )
    assert [s.topic.topic.title for s in outcome.sessions] == ["Fits"]
    assert [r.topic.title for r in outcome.unplaced] == ["Left over"]
    clock.advance(days=46)  # the first meetup is over
    return meetup, following, fits, left


def test_topics_that_did_not_fit_move_to_the_next_meetup_with_no_votes(db, clock):
    meetup, following, fits, left = _grid_then_finish(db, clock)
    carried = carry_over_finished(db, clock())
    assert [(c.old.id, c.new.title, c.to_meetup.id) for c in carried] == [(left.id, "Left over", following.id)]
    new = carried[0].new
    assert (new.proposer_user_id, new.carried_from_topic_id, new.ts) == ("U2", left.id, None)
    assert [(r.topic.title, r.votes, r.carried_from) for r in ranking(db, following.id).topics] == [
        ("Left over", 0, "First meetup")
    ]
    from bot.topics.topics import get_topic

    assert get_topic(db, left.id).status == TOPIC_CARRIED_OVER
    assert get_topic(db, fits.id).status == TOPIC_OPEN
    assert carry_over_finished(db, clock()) == []  # once only


def test_carrying_over_waits_for_a_next_meetup_and_happens_once_when_run_at_once(db, clock):
    meetup, _, _, left = _grid_then_finish(db, clock, with_next=False)
    assert carry_over_finished(db, clock()) == []
    later = make_meetup(db, now=clock(), title="Later meetup")
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: carry_over_finished(db, clock()), range(4)))
    assert sorted(len(r) for r in results) == [0, 0, 0, 1]
    assert [r.topic.title for r in ranking(db, later.id).topics] == ["Left over"]


def test_nothing_is_carried_from_a_meetup_without_a_grid(db, clock):
    meetup = make_meetup(db, now=clock())
    make_meetup(db, now=clock(), starts_in=timedelta(days=90))
    make_topic(db, meetup_id=meetup.id, now=clock())
    clock.advance(days=46)
    assert carry_over_finished(db, clock()) == []


# Schema and manifest ---------------------------------------------------------------------------------------------


def test_the_migration_builds_what_the_models_describe(db):
    with db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_the_manifest_subscribes_to_reaction_events_and_asks_for_their_scopes():
    manifest = load_manifest()
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) >= {"reaction_added", "reaction_removed"}
    assert {"reactions:read", "reactions:write"} <= set(manifest["oauth_config"]["scopes"]["bot"])
