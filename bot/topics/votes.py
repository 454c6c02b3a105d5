"""Votes on topics: reactions on a topic card, kept as a set.

One vote per person per topic, whatever voting emoji they react with and
however often Slack delivers the event. Votes are kept in the database as
events arrive (never rebuilt from message history, which Slack rate-limits
hard); an organiser can rebuild them from `reactions.get` after an outage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.common.pseudonyms import Pseudonyms
from storage import erasure as erasure_store
from storage import topics as topic_store
from storage import votes as vote_store
from storage.db import Database

# Slack names some emoji two ways; events use the first spelling.
ALIASES = {"thumbsup": "+1", "thumbsdown": "-1"}


class VoteOutcome(StrEnum):
    """What became of one reaction event (logged)."""

    RECORDED = "recorded"
    DUPLICATE = "duplicate"
    STALE = "stale"
    IGNORED = "ignored"


def base_emoji(name: str) -> str:
    """ "+1::skin-tone-2" -> "+1": a skin tone is the same vote."""
    base = name.strip().strip(":").split("::", 1)[0]
    return ALIASES.get(base, base)


def is_vote(reaction: str, vote_emoji: Iterable[str]) -> bool:
    return base_emoji(reaction) in {base_emoji(e) for e in vote_emoji}


@dataclass(frozen=True)
class ReactionEvent:
    """A reaction_added or reaction_removed event on a message."""

    event_id: str
    added: bool
    user_id: str
    reaction: str
    channel: str
    ts: str
    happened_at: datetime  # the event's event_ts


def record_reaction(
    db: Database, event: ReactionEvent, *, bot_user_id: str | None, vote_emoji: Iterable[str], now: datetime
) -> VoteOutcome:
    """Apply one reaction event to the votes, once.

    The reaction itself is stored (not just "this person votes"), so someone
    who reacted with :+1: and :+1::skin-tone-2: and takes one away still
    votes. A late delivery older than what is stored (say a retried
    reaction_added arriving after the reaction_removed that followed it)
    changes nothing.
    """
    if not event.user_id or event.user_id == bot_user_id:
        return VoteOutcome.IGNORED  # the bot's own seed reaction is there to click, not a vote
    if not is_vote(event.reaction, vote_emoji):
        return VoteOutcome.IGNORED
    with db.transaction() as session:
        topic = vote_store.find_topic_by_card(session, event.channel, event.ts)
        if topic is None:
            return VoteOutcome.IGNORED  # a reaction on some other message
        if not vote_store.claim_event(session, event.event_id, now):
            return VoteOutcome.DUPLICATE
        stored = vote_store.set_reaction(
            session,
            topic_id=topic.id,
            user_id=event.user_id,
            reaction=event.reaction,
            present=event.added,
            changed_at=event.happened_at,
        )
        return VoteOutcome.RECORDED if stored else VoteOutcome.STALE


@dataclass(frozen=True)
class RecountResult:
    added: int
    removed: int


def replace_votes(
    db: Database,
    topic_id: int,
    reactions: list[dict],
    *,
    read_at: datetime,
    bot_user_id: str | None,
    vote_emoji: Iterable[str],
    pseudonyms: Pseudonyms | None = None,
) -> RecountResult:
    """Make a topic's votes what Slack showed at `read_at`.

    `reactions` is reactions.get's message.reactions: [{"name", "users"}].
    A change recorded from an event after `read_at` is newer than what Slack
    showed, so it stays. Slack still shows the reactions of someone who has
    since used `/meetup forget`: with `pseudonyms`, those on a topic older
    than their forgetting are left out. Returns how many people's votes
    appeared and went.
    """
    emoji = tuple(vote_emoji)
    shown = {
        (user, r["name"])
        for r in reactions
        if is_vote(r.get("name", ""), emoji)
        for user in r.get("users", [])
        if user != bot_user_id
    }
    with db.transaction() as session:
        if pseudonyms is not None:
            shown -= _forgotten_reactions(session, topic_id, shown, pseudonyms)
        before = vote_store.voters_by_topic(session, [topic_id])[topic_id]
        stored = {
            (row.slack_user_id, row.reaction): row.present for row in vote_store.list_reactions(session, topic_id)
        }
        for (user, name), present in stored.items():
            if present and (user, name) not in shown:
                vote_store.set_reaction(
                    session, topic_id=topic_id, user_id=user, reaction=name, present=False, changed_at=read_at
                )
        for user, name in shown:
            if not stored.get((user, name)):
                vote_store.set_reaction(
                    session, topic_id=topic_id, user_id=user, reaction=name, present=True, changed_at=read_at
                )
        after = vote_store.voters_by_topic(session, [topic_id])[topic_id]
    return RecountResult(added=len(after - before), removed=len(before - after))


def _forgotten_reactions(session, topic_id: int, shown: set[tuple[str, str]], pseudonyms: Pseudonyms) -> set:
    topic = topic_store.get_topic(session, topic_id)
    by_hash = {pseudonyms.of(user): user for user, _ in shown}
    forgotten = {
        by_hash[person]
        for person, when in erasure_store.forgotten_at(session, by_hash).items()
        if topic is None or when >= topic.created_at
    }
    return {(user, name) for user, name in shown if user in forgotten}


def forget_old_events(db: Database, now: datetime) -> int:
    """Slack retries an event for about an hour at most; a day is plenty."""
    with db.transaction() as session:
        return vote_store.purge_processed_events(session, now - timedelta(days=1))
