"""The door list at a 300-person meetup (issue 17): how long `/meetup door`'s
search takes to answer, through signed HTTP requests to the real app (its
real HTTP server) against the fake Slack, on SQLite and, when it is
installed, PostgreSQL.

    python -m bench.door [--people 300] [--searches 200] [--databases sqlite,postgres]

The figure is the time from sending the search (the modal's Search button,
a view submission) to the app's answer with the updated list: p50 and p99,
target p99 under 200 ms. Progress goes to standard error, the table to
standard output. Tests run it tiny and never judge its timings.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.scenarios import percentile
from bot.runtime.check import manifest_scopes
from bot.signups.signups import sign_up
from storage.db import Database
from storage.migrate import upgrade
from tests.support.app import CHANNEL, ORGANISER, Clock, start_bot, stop_bot
from tests.support.factories import make_form, make_meetup
from tests.support.fakeslack import FakeSlack
from tests.support.pg import PostgresCluster, find_pg_bin

TARGET_P99 = 0.200
ORGANISATIONS = ("Cabinet Office", "Home Office", "HM Revenue and Customs", "Department for Education", "GCHQ")
SURNAMES = ("Lovelace", "Hopper", "Turing", "Berners-Lee", "Hamilton", "Johnson", "Babbage", "Shirley")
LABELS = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:.1f} ms"


def _meetup_of(bot, people: int) -> None:
    """A meetup at 1pm today by the bot's clock, with `people` signed up."""
    meetup = make_meetup(bot.db, now=bot.clock(), capacity=people, starts_in=timedelta(days=3))
    for n in range(people):
        name = f"Person{n:03d} {SURNAMES[n % len(SURNAMES)]}"
        form = make_form(meetup_id=meetup.id, full_name=name, organisation=ORGANISATIONS[n % len(ORGANISATIONS)])
        sign_up(bot.db, form, user_id=f"U0P{n:05d}", now=bot.clock(), contact="x")
    bot.clock.now = meetup.starts_at - timedelta(hours=3)


def _searches(bot, count: int, seed: int = 17) -> list[float]:
    """Open the door list, then search it `count` times: seconds each."""
    before = len(bot.fake.calls_to("views.open"))
    assert bot.slack.command("door", user_id=ORGANISER).status == 200
    view = bot.fake.wait_for("views.open", count=before + 1)[before].response["view"]
    rng = random.Random(seed)
    words = [*SURNAMES, *ORGANISATIONS, "person01", "nobody"]
    timings = []
    for _ in range(count):
        reply = bot.slack.submit_view(view, {"search": rng.choice(words)}, user_id=ORGANISER)
        assert reply.status == 200 and reply.json()["response_action"] == "update", reply.body
        timings.append(reply.elapsed)
    return timings


def measure(database_url: str, *, people: int, searches: int) -> dict:
    fake = FakeSlack()
    fake.scopes = list(manifest_scopes())
    fake.start()
    fake.add_channel(CHANNEL, name="open-source-meetups")
    fake.add_user(ORGANISER, real_name="Olu Organiser", email="olu.organiser@justice.gov.uk")
    bot, server, thread = start_bot(fake, database_url, Clock(datetime(2027, 1, 10, 9, 0, tzinfo=UTC)))
    try:
        _meetup_of(bot, people)
        timings = _searches(bot, searches)
    finally:
        stop_bot(bot, server, thread)
        fake.stop()
    return {"count": len(timings), "p50": percentile(timings, 50), "p99": percentile(timings, 99)}


def _migrated(url: str) -> str:
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    return url


def run(*, people: int, searches: int, databases: list[str], say=lambda message: None) -> dict:
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-door-") as workdir:
        for name in databases:
            cluster = None
            if name == "postgres":
                bin_dir = find_pg_bin()
                if bin_dir is None:
                    say("PostgreSQL is not installed: skipping it")
                    continue
                cluster = PostgresCluster(bin_dir).start()
                cluster.execute("CREATE DATABASE bench_door")
                url = cluster.url("bench_door")
            else:
                url = f"sqlite:///{Path(workdir) / 'door.db'}"
            say(f"{LABELS[name]}: {people} people, {searches} searches")
            try:
                results[name] = measure(_migrated(url), people=people, searches=searches)
            finally:
                if cluster is not None:
                    cluster.stop()
    return results


def table(results: dict, *, people: int) -> str:
    names = list(results)
    rows = [
        "| scenario | figure | " + " | ".join(LABELS[n] for n in names) + " | target |",
        "|---|---|" + "---|" * len(names) + "---|",
    ]
    scenario = f"`/meetup door` search, {people} people"
    for figure, target in (("p50", ""), ("p99", f"under {_ms(TARGET_P99)}")):
        cells = []
        for n in names:
            value = results[n][figure]
            verdict = "" if figure != "p99" or value is None else (" (met)" if value < TARGET_P99 else " (MISSED)")
            cells.append(_ms(value) + verdict)
        count = results[names[0]]["count"]
        rows.append(f"| {scenario} | {figure} of {count} | " + " | ".join(cells) + f" | {target} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--databases", default="sqlite,postgres")
    args = parser.parse_args()
    databases = [d for d in args.databases.split(",") if d in LABELS]
    results = run(
        people=args.people,
        searches=args.searches,
        databases=databases,
        say=lambda message: print(message, file=sys.stderr, flush=True),
    )
    print(table(results, people=args.people) if results else "No database to measure.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
