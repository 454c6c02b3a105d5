"""Sign-up closing on time: when a meetup's closing time passes, the worker
changes its announcement card to say "Sign-up closed", with nobody touching
the bot. Through the outbox, so Slack being down delays it, and once per
closing time (meetups.closed_card_for), however many workers run."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.common.outbox import cancel_updates, enqueue_update
from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage.db import Database
from storage.models import Meetup


class CardRenderer(Protocol):
    """Draws the card as (blocks, fallback text); handlers/announcement.py
    implements it: bot/ decides, handlers/ draws."""

    def __call__(self, meetup: Meetup, confirmed: int, now: datetime) -> tuple[list[dict], str]: ...


def _card_message(meetup_id: int) -> str:
    return f"card:{meetup_id}"


def queue_closed_cards(db: Database, *, now: datetime, render: CardRenderer) -> list[int]:
    """Queue the card update of every meetup whose sign-up has just closed,
    and record that it was queued, in one transaction; returns the ids."""
    with db.read() as session:  # most polls find none: no write lock
        if not meetup_store.list_closed_cards(session, now, limit=1):
            return []
    queued = []
    with db.transaction() as session:
        for meetup in meetup_store.list_closed_cards(session, now, lock=True):
            # list_closed_cards returns announced meetups only.
            assert meetup.announcement_channel and meetup.announcement_ts
            blocks, text = render(meetup, registration_store.count_confirmed(session, meetup.id), now)
            queued.append(
                enqueue_update(
                    session,
                    blocks,
                    text,
                    message=_card_message(meetup.id),
                    version=f"closed:{meetup.signup_closes_at:%Y%m%dT%H%M%S}",
                    kind="card_closed",
                    posted_at=(meetup.announcement_channel, meetup.announcement_ts),
                    meetup_id=meetup.id,
                    now=now,
                )
            )
            meetup.closed_card_for = meetup.signup_closes_at
    return queued


def cancel_card_updates(db: Database, meetup: Meetup) -> None:
    """The card was just brought up to date directly: a closing update still
    waiting (Slack was down) must not put an older state back later."""
    if meetup.closed_card_for is None:
        return  # the worker never queued one: no write needed
    with db.transaction() as session:
        cancel_updates(session, message=_card_message(meetup.id), note="the card was updated since")
