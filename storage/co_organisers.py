"""Data access for each meetup's co-organisers."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from storage.models import Meetup, MeetupCoOrganiser


def list_co_organisers(session: Session, meetup_id: int) -> list[str]:
    query = select(MeetupCoOrganiser.slack_user_id).where(MeetupCoOrganiser.meetup_id == meetup_id)
    return list(session.scalars(query.order_by(MeetupCoOrganiser.id)))


def is_co_organiser(session: Session, meetup_id: int, slack_user_id: str) -> bool:
    query = select(MeetupCoOrganiser.id).where(
        MeetupCoOrganiser.meetup_id == meetup_id, MeetupCoOrganiser.slack_user_id == slack_user_id
    )
    return session.scalar(query.limit(1)) is not None


def co_organised_meetups(session: Session, slack_user_id: str) -> list[Meetup]:
    query = (
        select(Meetup)
        .join(MeetupCoOrganiser, MeetupCoOrganiser.meetup_id == Meetup.id)
        .where(MeetupCoOrganiser.slack_user_id == slack_user_id)
    )
    return list(session.scalars(query.order_by(Meetup.starts_at, Meetup.id)))


def replace_co_organisers(session: Session, meetup_id: int, slack_user_ids: Iterable[str], *, now: datetime) -> None:
    """Make the meetup's co-organisers exactly these, keeping the rows of
    those who stay."""
    wanted = list(dict.fromkeys(slack_user_ids))
    current = set(list_co_organisers(session, meetup_id))
    session.execute(
        delete(MeetupCoOrganiser).where(
            MeetupCoOrganiser.meetup_id == meetup_id, MeetupCoOrganiser.slack_user_id.not_in(wanted)
        )
    )
    session.add_all(
        MeetupCoOrganiser(meetup_id=meetup_id, slack_user_id=user_id, added_at=now)
        for user_id in wanted
        if user_id not in current
    )
    session.flush()
