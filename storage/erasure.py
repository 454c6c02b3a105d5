"""Removing one person's data, or one meetup's, from the tables beyond
registrations: topics, votes, the outbox, exports."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from storage import stale_homes
from storage.db import rowcount
from storage.models import (
    TOPIC_OPEN,
    AttendeeMessage,
    Delivery,
    Export,
    ForgottenPerson,
    MeetupCoOrganiser,
    Topic,
    VoteReaction,
)

# What a topic shows as its proposer once their name is gone.
NO_NAME = "someone who has since left"


def forget_person(session: Session, slack_user_id: str) -> dict[str, int]:
    """Votes and queued messages go; topics stay (others voted on them) but
    lose the proposer's name and ID."""
    votes = rowcount(session.execute(delete(VoteReaction).where(VoteReaction.slack_user_id == slack_user_id)))
    messages = rowcount(session.execute(delete(Delivery).where(Delivery.slack_user_id == slack_user_id)))
    # Named to help run a meetup: their Slack user ID goes, and with it the role.
    co_organising = rowcount(
        session.execute(delete(MeetupCoOrganiser).where(MeetupCoOrganiser.slack_user_id == slack_user_id))
    )
    topics = rowcount(
        session.execute(
            update(Topic)
            .where(Topic.proposer_user_id == slack_user_id)
            .values(proposer_user_id="forgotten", proposer_name=NO_NAME)
        )
    )
    home_tab = stale_homes.forget(session, slack_user_id)
    return {
        "votes": votes,
        "messages": messages,
        "topics": topics,
        "co_organising": co_organising,
        "home_tab": home_tab,
    }


def cards_naming(session: Session, slack_user_id: str | None = None, *, meetup_id: int | None = None) -> list[Topic]:
    """The open topics with a card, of this person or of this meetup: the
    only cards that show the proposer's name (withdrawn, hidden and moved
    cards do not)."""
    whose = Topic.proposer_user_id == slack_user_id if meetup_id is None else Topic.meetup_id == meetup_id
    query = select(Topic).where(whose, Topic.status == TOPIC_OPEN, Topic.channel.is_not(None), Topic.ts.is_not(None))
    return list(session.scalars(query.order_by(Topic.id)))


def remember_forgotten(session: Session, person: str, now: datetime) -> None:
    """Record a forgotten person's keyed hash; forgetting again moves the moment on."""
    row = session.get(ForgottenPerson, person)
    if row is None:
        session.add(ForgottenPerson(person=person, forgotten_at=now))
    else:
        row.forgotten_at = now
    session.flush()


def forgotten_at(session: Session, people: Iterable[str]) -> dict[str, datetime]:
    """When each of these hashes was forgotten, for those that were."""
    rows = session.scalars(select(ForgottenPerson).where(ForgottenPerson.person.in_(list(people))))
    return {row.person: row.forgotten_at for row in rows}


def has_person(session: Session, slack_user_id: str) -> dict[str, int]:
    count = lambda query: len(session.scalars(query).all())  # noqa: E731 (small, local)
    return {
        "votes": count(
            select(VoteReaction.topic_id)
            .distinct()
            .where(VoteReaction.slack_user_id == slack_user_id, VoteReaction.present.is_(True))
        ),
        "topics": count(select(Topic.id).where(Topic.proposer_user_id == slack_user_id)),
    }


def anonymise_meetup(session: Session, meetup_id: int) -> None:
    """After the meetup: who voted for what and who proposed what is no
    longer needed; the counts stay. Sent messages' recipients go too."""
    topic_ids = select(Topic.id).where(Topic.meetup_id == meetup_id)
    for vote in session.scalars(select(VoteReaction).where(VoteReaction.topic_id.in_(topic_ids))):
        vote.slack_user_id = f"purged-{vote.id}"
    session.execute(
        update(Topic).where(Topic.meetup_id == meetup_id).values(proposer_user_id="purged", proposer_name=NO_NAME)
    )
    session.execute(delete(Delivery).where(Delivery.meetup_id == meetup_id))
    session.execute(update(Export).where(Export.meetup_id == meetup_id).values(exported_by=None))
    session.execute(update(AttendeeMessage).where(AttendeeMessage.meetup_id == meetup_id).values(sent_by=None))
    # Its host team's roles end with it.
    session.execute(delete(MeetupCoOrganiser).where(MeetupCoOrganiser.meetup_id == meetup_id))
    session.flush()
