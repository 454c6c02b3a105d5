"""How long a sign-up holds its meetup's row lock on PostgreSQL: from its
SELECT … FOR UPDATE to the end of its COMMIT, one sign-up at a time, on a
throwaway durable cluster (as production commits). Sign-ups for one meetup
cannot go faster than one per hold, however many instances serve them.

    python -m bench.lockhold [COUNT]
"""

from __future__ import annotations

import statistics
import sys
import time
from zoneinfo import ZoneInfo

from bench.procs import DurablePostgres
from bot.signups.limits import SignupLimits
from bot.signups.signups import SignupForm, sign_up
from handlers.signup import queue_signup_message
from storage.db import Database
from storage.meetups import MeetupCopies
from storage.migrate import upgrade
from storage.models import utcnow
from tests.support.factories import make_meetup
from tests.support.pg import find_pg_bin

WARM_UP = 50


def measure(count: int, *, warm_up: int = WARM_UP) -> dict:
    pg_bin = find_pg_bin()
    if pg_bin is None:
        raise SystemExit("PostgreSQL is not installed (no initdb)")
    cluster = DurablePostgres(pg_bin).start()
    try:
        cluster.execute("CREATE DATABASE lockhold")
        db = Database(cluster.url("lockhold"))
        upgrade(db.engine)
        meetup = make_meetup(db, now=utcnow(), capacity=1_000_000, title="Benchmark: lock hold")
        started: dict[str, float] = {}

        class TimedCopies(MeetupCopies):
            def locked(self, session, meetup_id):  # where sign-up takes the meetup's lock
                started["wall"], started["cpu"] = time.perf_counter(), time.thread_time()
                return super().locked(session, meetup_id)

        copies = TimedCopies()
        tz, limits, holds, cpu = ZoneInfo("Europe/London"), SignupLimits("bench"), [], []

        def then(session, result):  # as the sign-up handler queues its message, under the lock
            position = result.waitlist_position
            queue_signup_message(
                session, result.meetup, result.registration, tz, position=position, now=utcnow(), organiser=None
            )

        try:
            for k in range(count + warm_up):
                email = f"person{k}@homeoffice.gov.uk"
                form = SignupForm(meetup.id, f"Person {k}", email, "Home Office", "civil_servant")
                sign_up(
                    db,
                    form,
                    user_id=f"ULOCK{k:06d}",
                    now=utcnow(),
                    contact="x",
                    then=then,
                    limits=limits,
                    copies=copies,
                )
                if k >= warm_up:
                    holds.append(time.perf_counter() - started["wall"])
                    cpu.append(time.thread_time() - started["cpu"])
        finally:
            db.dispose()
    finally:
        cluster.stop()
    return {
        "hold_ms_median": round(statistics.median(holds) * 1000, 2),
        "hold_ms_p90": round(statistics.quantiles(holds, n=10)[8] * 1000, 2),
        "cpu_ms_median": round(statistics.median(cpu) * 1000, 2),
        "sign_ups_per_second_per_meetup": round(1 / statistics.median(holds)),
    }


if __name__ == "__main__":
    print(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
