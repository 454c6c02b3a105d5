"""Data access for deliveries: the outbox of messages the bot must post."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, and_, bindparam, or_, select, update
from sqlalchemy.orm import Session

from storage.db import rowcount
from storage.driver_sql import first_row, from_driver_time, insert_row, per_driver, to_driver, to_driver_time
from storage.models import (
    DELIVERY_CANCELLED,
    DELIVERY_CLAIMED,
    DELIVERY_FAILED,
    DELIVERY_PENDING,
    DELIVERY_SENT,
    Delivery,
)

# Declarative types __table__ as any FromClause; Delivery's is a Table.
_TABLE = cast(Table, Delivery.__table__)
_ID_BY_KEY = select(_TABLE.c.id).where(_TABLE.c.idempotency_key == bindparam("key"))


def insert_delivery(session: Session, **fields) -> int:
    """Add a delivery unless one with the same idempotency_key exists; return
    the id of whichever is stored. Runs in the caller's transaction, so the
    message is stored if and only if the change it tells about is."""
    # One statement in the usual case (RETURNING gives the new id), a second
    # only when the key was taken; on the session's driver connection, as
    # sign-ups run it under the meetup's lock (storage/driver_sql.py).
    added, _ = insert_row(session, _TABLE, fields, unless_taken="idempotency_key")
    if added is not None:
        return added
    existing = session.scalar(_ID_BY_KEY, {"key": fields["idempotency_key"]})
    if existing is None:  # the row that took the key was deleted in the meantime
        raise LookupError(f"No delivery holds the key {fields['idempotency_key']!r}, yet it was taken")
    return existing


@dataclass(frozen=True)
class SendingState:
    """What decides whether a queued message should still go: None where
    the row does not exist (or the delivery does not refer to one)."""

    meetup_status: str | None
    meetup_starts_at: datetime | None
    reminder_state: str | None
    registration_status: str | None


def sending_state(
    driver_connection, dialect: str, *, meetup_id: int | None, reminder_id: int | None, registration_id: int | None
) -> SendingState:
    """One statement, looked up just before each message is sent, on a
    driver connection (Database.single_read): SQLAlchemy's execution cost
    more than the statement (docs/performance.md)."""
    meetup_status, starts_at, reminder_state, registration_status = first_row(
        driver_connection, _SENDING_STATE[dialect], (meetup_id, meetup_id, reminder_id, registration_id)
    )
    starts = None if starts_at is None else from_driver_time(starts_at)
    return SendingState(meetup_status, starts, reminder_state, registration_status)


_SENDING_STATE_SQL = (
    "SELECT (SELECT status FROM meetups WHERE id = {0}), (SELECT starts_at FROM meetups WHERE id = {0}),"
    " (SELECT state FROM reminders WHERE id = {0}), (SELECT status FROM registrations WHERE id = {0})"
)
_SENDING_STATE = per_driver(_SENDING_STATE_SQL)


@dataclass(frozen=True)
class Claimed:
    delivery: Delivery
    # The previous attempt may have reached Slack: look before posting again.
    unsure: bool


def _due(now: datetime):
    # Pending and due, or claimed by a worker whose lease ran out (it died or
    # hung): both are work nobody is doing.
    columns = _TABLE.c
    return or_(
        and_(columns.state == DELIVERY_PENDING, columns.next_attempt_at <= now),
        and_(columns.state == DELIVERY_CLAIMED, columns.claimed_until < now),
    )


_CLAIM = (
    update(_TABLE)
    .where(_TABLE.c.id.in_(bindparam("ids", expanding=True)))
    .values(
        state=DELIVERY_CLAIMED,
        claimed_by=bindparam("worker"),
        claimed_until=bindparam("until"),
        attempts=_TABLE.c.attempts + 1,
        unsure=True,
    )
)


def claim_deliveries(
    session: Session, *, now: datetime, worker: str, lease_until: datetime, limit: int, ids: Iterable[int] | None = None
) -> list[Claimed]:
    """Take up to `limit` due deliveries (or just `ids`, if they are due) for
    this worker until `lease_until`. Each comes back as a Delivery that
    belongs to no session: read it, never change it.

    FOR UPDATE SKIP LOCKED lets several workers on PostgreSQL each take
    different rows without waiting for one another; on SQLite the transaction
    holds the database's write lock (BEGIN IMMEDIATE), which serialises them.
    Commit straight after, so the claim is visible to the others.
    """
    # On the table, not the ORM entity: every message sent is claimed, and
    # the ORM's loading and flush cost more CPU than the two statements.
    query = select(_TABLE).where(_due(now))
    if ids is not None:
        query = query.where(_TABLE.c.id.in_(list(ids)))
    rows = session.execute(
        query.order_by(_TABLE.c.next_attempt_at, _TABLE.c.id).limit(limit).with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return []
    session.execute(_CLAIM, {"ids": [row.id for row in rows], "worker": worker, "until": lease_until})
    claimed = []
    for row in rows:
        fields = row._asdict()
        # A row still "claimed" here was left mid-attempt by a worker that
        # stopped: that attempt may have posted.
        unsure = fields["unsure"] or fields["state"] == DELIVERY_CLAIMED
        # As _CLAIM left it. Until this attempt records its outcome, a crash leaves it unsure.
        fields.update(state=DELIVERY_CLAIMED, claimed_by=worker, claimed_until=lease_until, unsure=True)
        fields["attempts"] += 1
        claimed.append(Claimed(Delivery(**fields), unsure))
    return claimed


def update_if_claimed(connection: Connection, delivery_id: int, worker: str, **values) -> bool:
    """Change a delivery only while this worker still holds it. False means
    the lease ran out and another worker took it over."""
    # On the table, not the ORM entity: this runs for every message sent, and
    # the ORM's bulk-update bookkeeping cost more than the statement. The
    # values become the SET clause, where a name that is not a column would
    # be dropped without a word: refuse it.
    if not values.keys() <= _COLUMNS:
        raise ValueError(f"Not delivery columns: {sorted(values.keys() - _COLUMNS)}")
    return connection.execute(_UPDATE_IF_CLAIMED, {"_id": delivery_id, "_worker": worker, **values}).rowcount == 1


def record_if_claimed(driver_connection, dialect: str, delivery_id: int, worker: str, **values) -> bool:
    """update_if_claimed on a driver connection (Database.single_write), for
    the record of each message sent: SQLAlchemy's connection and execution
    cost more CPU than the statement (docs/performance.md)."""
    if not values.keys() <= _COLUMNS:
        raise ValueError(f"Not delivery columns: {sorted(values.keys() - _COLUMNS)}")
    names = tuple(sorted(values))
    statement = _RECORDS.get((dialect, names))
    if statement is None:
        mark = "?" if dialect == "sqlite" else "%s"
        assignments = ", ".join(f"{name} = {mark}" for name in names)
        where = f"id = {mark} AND claimed_by = {mark} AND state = '{DELIVERY_CLAIMED}'"
        statement = _RECORDS[(dialect, names)] = f"UPDATE deliveries SET {assignments} WHERE {where}"
    parameters = [to_driver(dialect, _TABLE, name, values[name]) for name in names] + [delivery_id, worker]
    cursor = driver_connection.execute(statement, parameters)
    try:
        return cursor.rowcount == 1
    finally:
        cursor.close()


# Each set of names that is recorded, as SQL: a handful, made once.
_RECORDS: dict[tuple[str, tuple[str, ...]], str] = {}
# Built once (for the same reason); its bound names are not column names.
_COLUMNS = frozenset(_TABLE.c.keys())
_UPDATE_IF_CLAIMED = update(_TABLE).where(
    _TABLE.c.id == bindparam("_id"),
    _TABLE.c.claimed_by == bindparam("_worker"),
    _TABLE.c.state == DELIVERY_CLAIMED,
)


def renew_claims(session: Session, claims: Iterable[str], until: datetime) -> int:
    """Extend the leases of these claims (Delivery.claimed_by) that still hold."""
    result = session.execute(
        update(Delivery)
        .where(Delivery.claimed_by.in_(list(claims)), Delivery.state == DELIVERY_CLAIMED)
        .values(claimed_until=until)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


def cancel_pending_for_reminders(session: Session, reminder_ids: list[int], note: str) -> int:
    if not reminder_ids:
        return 0
    result = session.execute(
        update(Delivery)
        .where(Delivery.reminder_id.in_(reminder_ids), Delivery.state == DELIVERY_PENDING)
        .values(state=DELIVERY_CANCELLED, last_error=note, payload={})
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)


def has_due_deliveries(driver_connection, dialect: str, now: datetime) -> bool:
    """Whether _due finds anything, on a driver connection (Database.single_read):
    the worker asks before every claim, and through SQLAlchemy asking cost a
    sixth of its CPU under a rush (docs/performance.md)."""
    at = to_driver_time(dialect, now)
    return first_row(driver_connection, _HAS_DUE[dialect], (DELIVERY_PENDING, at, DELIVERY_CLAIMED, at)) is not None


# _due, written out: the same two arms, so the same indexes serve it.
_HAS_DUE = per_driver(
    "SELECT 1 FROM deliveries WHERE (state = {0} AND next_attempt_at <= {0})"
    " OR (state = {0} AND claimed_until < {0}) LIMIT 1"
)


def list_due_deliveries(session: Session, now: datetime) -> list[Delivery]:
    return list(session.scalars(select(Delivery).where(_due(now)).order_by(Delivery.next_attempt_at, Delivery.id)))


def list_failed_deliveries(session: Session, meetup_id: int) -> list[Delivery]:
    return list(
        session.scalars(
            select(Delivery)
            .where(Delivery.meetup_id == meetup_id, Delivery.state == DELIVERY_FAILED)
            .order_by(Delivery.updated_at, Delivery.id)
        )
    )


def list_deliveries_about(
    session: Session, *, meetup_id: int, registration_id: int, kind: str, states: Iterable[str]
) -> list[Delivery]:
    """The deliveries of one kind about one registration, oldest first
    (by meetup too, which the index on meetup_id and state serves)."""
    return list(
        session.scalars(
            select(Delivery)
            .where(
                Delivery.meetup_id == meetup_id,
                Delivery.registration_id == registration_id,
                Delivery.kind == kind,
                Delivery.state.in_(list(states)),
            )
            .order_by(Delivery.id)
        )
    )


def list_sent_deliveries(
    session: Session, *, meetup_id: int, kind: str, registration_id: int | None = None
) -> list[Delivery]:
    """The deliveries of one kind about a meetup (and one registration, if
    given) that Slack took, oldest first."""
    query = select(Delivery).where(
        Delivery.meetup_id == meetup_id, Delivery.kind == kind, Delivery.state == DELIVERY_SENT
    )
    if registration_id is not None:
        query = query.where(Delivery.registration_id == registration_id)
    return list(session.scalars(query.order_by(Delivery.id)))


@dataclass(frozen=True)
class Posted:
    """Where a delivery stands: its state, and where it went once sent."""

    state: str
    channel: str | None
    message_ts: str | None


def where_posted(session: Session, delivery_id: int) -> Posted | None:
    row = session.execute(
        select(Delivery.state, Delivery.channel, Delivery.message_ts).where(Delivery.id == delivery_id)
    ).one_or_none()
    return Posted(*row) if row is not None else None


def cancel_pending_with_key_prefix(session: Session, prefix: str, *, keep_key: str, note: str) -> int:
    """Cancel the deliveries still waiting whose key starts with `prefix`,
    but the one keyed `keep_key`: a newer message makes them out of date."""
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.idempotency_key.like(f"{escaped}%", escape="\\"),
            Delivery.idempotency_key != keep_key,
            Delivery.state == DELIVERY_PENDING,
        )
        .values(state=DELIVERY_CANCELLED, last_error=note, payload={})
        .execution_options(synchronize_session=False)
    )
    return rowcount(result)
