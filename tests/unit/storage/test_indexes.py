"""Each query the sign-up path runs on a request uses an index, on both
databases (issue 16, item 8): EXPLAIN on the statements actually sent."""

from __future__ import annotations

import re
from contextlib import contextmanager

from sqlalchemy import event

from storage.deliveries import _HAS_DUE
from storage.driver_sql import to_driver_time
from storage.meetups import _LOCK_VERSION
from storage.registrations import _MINE_AND_CONFIRMED, _UPCOMING_WITH_MINE
from tests.support.factories import make_meetup
from tests.support.messages import dm_saying
from tests.support.signup import ADA, GOOD_ANSWERS, open_modal

# Tables of one row by design (the imported domain list, the schema's
# version), and SQLite's name for a SELECT without a table.
SMALL_TABLES = {"alembic_version", "domain_lists", "CONSTANT"}


@contextmanager
def statements(db):
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _executemany):
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def full_scans(db, statement: str, parameters) -> list[str]:
    """The tables this statement reads in full (or through a whole index),
    by its plan: each table must be reached by an index lookup."""
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if db.is_postgres:
            # On tables this small the planner would rightly scan anyway;
            # with scans priced out it uses an index wherever there is one.
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
            found = list(_pg_scans(cursor.fetchone()[0][0]["Plan"]))
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
            # SEARCH is a lookup by index; SCAN reads the table or a whole index.
            found = re.findall(r"\bSCAN (\w+)", plan)
        raw.rollback()
        return [table for table in found if table not in SMALL_TABLES]
    finally:
        raw.close()


def _pg_scans(node: dict):
    if "Relation Name" in node:
        kind = node["Node Type"]
        if kind == "Seq Scan" or (kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node):
            yield node["Relation Name"]
    for child in node.get("Plans", []):
        yield from _pg_scans(child)


def test_every_query_of_a_sign_up_uses_an_index(bot):
    bot.fake.add_user(ADA, real_name="Ada Lovelace", email="ada@digital.cabinet-office.gov.uk")
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=10)
    with statements(bot.db) as seen:
        _, view = open_modal(bot)
        assert bot.slack.submit_view(view, GOOD_ANSWERS, user_id=ADA).status == 200
        dm_saying(bot.fake, ADA, "You have a place")
        assert bot.slack.command("cancel", user_id=ADA).status == 200
    reads = [(s, p) for s, p in seen if "registrations" in s]
    assert reads, "the sign-up read no registrations"
    # The statements run on a driver connection, which SQLAlchemy's events
    # do not see: `/meetup signup`'s, the sign-up's under the lock, and the
    # outbox's look for due messages.
    dialect = bot.db.engine.dialect.name
    now = to_driver_time(dialect, bot.clock())
    seen.append((_HAS_DUE[dialect], ("pending", now, "claimed", now)))
    seen.append((_UPCOMING_WITH_MINE[dialect], (ADA, to_driver_time(dialect, bot.clock()))))
    seen.append((_LOCK_VERSION[dialect], (meetup.id,)))
    seen.append((_MINE_AND_CONFIRMED[dialect], (meetup.id, "confirmed", ADA, "a person's key", meetup.id)))
    problems = {s: full_scans(bot.db, s, p) for s, p in seen}
    problems = {s: tables for s, tables in problems.items() if tables}
    assert not problems, "\n\n".join(f"{tables}: {s}" for s, tables in problems.items())
