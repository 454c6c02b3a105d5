"""Inserts on a session's driver connection (storage/driver_sql.py) store
what SQLAlchemy's insert would, and go with the session's transaction."""

from typing import cast

import pytest
from sqlalchemy import Table

from storage.driver_sql import insert_row
from storage.models import DELIVERY_PENDING, Delivery
from tests.support.reminders import deliveries

TABLE = cast(Table, Delivery.__table__)


def test_an_insert_stores_the_values_and_the_python_defaults_as_the_orm_reads_them(db, clock):
    payload = {"text": "Hello", "blocks": [{"type": "section"}]}
    with db.transaction() as session:
        new_id, stored = insert_row(
            session, TABLE, {"kind": "signup", "slack_user_id": "U1", "payload": payload, "idempotency_key": "k1"}
        )
    [row] = deliveries(db)
    assert row.id == new_id
    assert (row.payload, row.state, row.attempts, row.unsure) == (payload, DELIVERY_PENDING, 0, False)
    assert row.last_error == ""
    assert row.created_at == stored["created_at"] and row.created_at.tzinfo is not None


def test_a_taken_key_inserts_nothing_and_a_rollback_keeps_nothing(db):
    values = {"kind": "signup", "slack_user_id": "U1", "payload": {}, "idempotency_key": "k1"}
    with db.transaction() as session:
        insert_row(session, TABLE, values, unless_taken="idempotency_key")
        assert insert_row(session, TABLE, values, unless_taken="idempotency_key")[0] is None
    with pytest.raises(RuntimeError), db.transaction() as session:
        insert_row(session, TABLE, {**values, "idempotency_key": "k2"})
        raise RuntimeError("the change failed")
    assert [row.idempotency_key for row in deliveries(db)] == ["k1"]


def test_a_name_that_is_not_a_column_is_refused(db):
    with db.transaction() as session, pytest.raises(ValueError, match="stat"):
        insert_row(session, TABLE, {"kind": "signup", "idempotency_key": "k1", "stat": "sent"})


def test_a_new_sign_up_marks_the_persons_home_tab_out_of_date_as_the_flush_would(db, clock):
    # add_registration marks it with driver SQL, as storage/stale_homes.py's
    # hook does for every other change of status: only for someone who has
    # opened their Home tab.
    from datetime import timedelta

    from bot.meetups.home import home_opened
    from bot.signups.signups import sign_up
    from storage.models import StaleHome
    from tests.support.factories import make_form, make_meetup

    first, second, third = (make_meetup(db, now=clock()) for _ in range(3))
    sign_up(db, make_form(meetup_id=third.id), user_id="U1", now=clock(), contact="x")
    with db.read() as session:
        assert session.get(StaleHome, "U1") is None  # never opened it: nothing to draw
    home_opened(db, "U1", now=clock())
    sign_up(db, make_form(meetup_id=first.id), user_id="U1", now=clock(), contact="x")
    with db.transaction() as session:
        row = session.get(StaleHome, "U1")
        assert (row.version, row.attempts, row.claimed_until) == (1, 0, None)
        row.claimed_until, row.attempts = clock() + timedelta(minutes=1), 2  # a worker failed once and holds it
    sign_up(db, make_form(meetup_id=second.id), user_id="U1", now=clock(), contact="x")
    with db.read() as session:
        row = session.get(StaleHome, "U1")
        assert (row.version, row.attempts, row.claimed_until) == (2, 0, None)
