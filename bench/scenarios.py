"""The scenarios of issue 7, each run against one target: the real server on
SQLite, on PostgreSQL, or the floor (a bare Bolt app that only acks).

Each returns a dict of raw figures (seconds, counts); bench/report.py turns
them into the table. A scenario that cannot run is reported as an error, so
the smoke test (tests/test_bench_smoke.py) fails.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import MetaData, func, select, true, update

from bench import payloads
from bench.load import SLOW, _Client, run_load
from bench.pages import PageViews
from bench.procs import BIN, FakeSlackProcess, ServerProcess, _python_env, run_load_process
from storage.db import Database
from storage.models import CONFIRMED, MEETUP_CLOSED, MEETUP_OPEN, WAITLISTED, Meetup, Registration, utcnow
from tests.support.factories import make_meetup
from tests.support.slack_requests import BOT_USER_ID

SIGNUP_ANSWERS = {"organisation": "Home Office", "role": "civil_servant"}
OPEN_RATE = 100  # requests a second, as in the issue
CLOSED_CLIENTS = 50
# waitress serves at most 100 connections at once (its connection_limit);
# more keep-alive clients than that would wait for a free one, not for the app.
BURST_CLIENTS = 80
VOTE_CLIENTS = 50


@dataclass
class Target:
    key: str  # "sqlite", "postgres", "fair_sqlite", "fair_postgres" or "floor"
    label: str
    code: str  # one letter, so each target's people have their own ids
    server: ServerProcess
    database: Database | None = None
    env: dict = field(default_factory=dict)  # the server's settings, for `meetup-bot` commands

    @property
    def is_floor(self) -> bool:
        return self.database is None


@dataclass
class Sizes:
    """How much load, from the scale (1.0: the issue's figures)."""

    scale: float

    def _n(self, full: int, least: int) -> int:
        return max(least, round(full * self.scale))

    @property
    def open_count(self) -> int:
        return self._n(2000, 10)  # 100 a second for 20 s

    @property
    def closed_seconds(self) -> float:
        return max(1.0, 10 * self.scale)

    @property
    def burst(self) -> int:
        return self._n(2000, 20)

    @property
    def burst_places(self) -> int:
        return self.burst // 10  # 200 places for 2,000 people

    @property
    def votes(self) -> int:
        return self._n(10000, 50)

    @property
    def topics(self) -> int:
        return self._n(50, 2)

    @property
    def reminders(self) -> int:
        return self._n(1000, 10)

    @property
    def fanout(self) -> int:
        return self._n(5000, 10)  # confirmations after a rush


@dataclass
class Bench:
    fake: FakeSlackProcess
    secret: str
    channel: str
    sizes: Sizes
    in_process_load: bool = False
    say: Callable[[str], None] = print
    view_for_floor: dict | None = None
    # How long the fake Slack must be quiet before the server counts as done
    # with its work after the acks.
    quiet_period: float = 1.0

    # ------------------------------------------------------------ plumbing

    def load(self, target: Target, spec: dict) -> dict:
        spec = {"url": target.server.url, "secret": self.secret, "timeout": 10, **spec}
        if self.in_process_load:
            return run_load(spec)
        bound = spec.get("duration", 0) + spec.get("count", 0) / spec.get("rate", 1) + 120
        return run_load_process(spec, timeout=bound)

    def send_one(self, target: Target, request: dict) -> int:
        client = _Client("127.0.0.1", target.server.port, self.secret, 10)
        try:
            status, _ = client.send(request)
            return status
        finally:
            client.close()

    def wait_for_view(self, trigger_id: str, timeout: float = 15) -> dict:
        """The modal the app opened with this trigger_id (after its ack)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            answer = self.fake.control("view", trigger_id=trigger_id)
            if answer is not None:
                return answer["view"]
            time.sleep(0.05)
        raise RuntimeError(f"no modal was opened for {trigger_id} within {timeout:.0f} s")

    def settle(self, timeout: float = 60) -> None:
        """Wait until the server's work after its acks (Web API calls) is done,
        so it does not spill into the next measurement."""
        deadline = time.monotonic() + timeout
        last, quiet_since = None, time.monotonic()
        while time.monotonic() < deadline:
            stats = self.fake.control("stats")
            total = sum(stats["calls"].values()) + sum(stats["failures"].values())
            if total != last:
                last, quiet_since = total, time.monotonic()
            elif time.monotonic() - quiet_since >= self.quiet_period:
                return
            time.sleep(min(0.2, self.quiet_period / 2))

    def command_source(self, text: str, prefix: str) -> dict:
        return {
            "type": "command",
            "text": text,
            "user_prefix": prefix,
            "channel_id": self.channel,
            "response_url": self.fake.response_url,
        }

    def warm_up(self, target: Target, source: dict) -> None:
        """Some requests first, from several clients at once, so one-off costs
        (imports, opening the database pool's connections, auth.test) are not
        measured."""
        self.load(target, {"mode": "closed", "clients": 16, "max_count": 100, "duration": 30, "source": source})
        self.settle()

    # ------------------------------------------------------------ set-up on the database

    def open_meetup(self, target: Target, *, capacity: int, title: str) -> int:
        """A new meetup taking sign-ups, and the only one: as on announcement day."""
        with target.database.transaction() as session:
            session.execute(update(Meetup).where(Meetup.status == MEETUP_OPEN).values(status=MEETUP_CLOSED))
        return make_meetup(target.database, now=utcnow(), capacity=capacity, title=title).id

    def signup_view(self, target: Target) -> dict:
        """The sign-up modal as the server opens it for the current meetup."""
        if target.is_floor:
            return self.view_for_floor or {
                "type": "modal",
                "callback_id": "signup",
                "blocks": [],
                "private_metadata": "{}",
            }
        trigger = f"bench-{uuid.uuid4().hex}"
        request = payloads.command(
            "signup",
            user_id=f"UVIEW{target.code}{uuid.uuid4().hex[:8].upper()}",
            channel_id=self.channel,
            response_url=self.fake.response_url,
            trigger_id=trigger,
        )
        if self.send_one(target, request) != 200:
            raise RuntimeError("/meetup signup was not acknowledged")
        view = self.wait_for_view(trigger)
        self.view_for_floor = view
        return view


# ---------------------------------------------------------------- figures


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def latency_figures(result: dict) -> dict:
    latencies = result["latencies"]
    failed = sum(result["errors"].values()) + sum(n for status, n in result["statuses"].items() if status != "200")
    return {
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "rps": result["throughput"],
        "count": result["count"],
        "late": result["late"],
        "failed": failed,
        "elapsed": result["elapsed"],
        "statuses": result["statuses"],
        "errors": result["errors"],
        "slow": sum(1 for x in latencies if x > SLOW),
        # (seconds, when it was due, how late it was sent) of the slowest
        "slowest": [[round(x, 4) for x in slow] for slow in result.get("slowest", [])[:10]],
    }


def machine_cpu() -> list[int] | None:
    """The machine's CPU times so far (/proc/stat's first line), or None off Linux."""
    try:
        with open("/proc/stat") as stat:
            return [int(n) for n in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None


def stolen_share(before: list[int] | None, after: list[int] | None) -> float | None:
    """The share of the machine's CPU time that the host of this virtual
    machine ran something else (steal), between two machine_cpu() readings.
    Every core then stops for a while: the load's latencies show it, and
    the CPU per request does not."""
    if before is None or after is None:
        return None
    total = sum(after) - sum(before)
    return (after[7] - before[7]) / total if total > 0 else None


# ---------------------------------------------------------------- sign-up: commands and submissions


def measure(bench: Bench, target: Target, spec: dict) -> dict:
    """Run the load, wait for the work after the acks, and add the server's
    CPU time per request (all its processes, work after the ack included):
    the figure that says what each request costs, whatever the machine's load."""
    before, machine_before = target.server.cpu_seconds(), machine_cpu()
    result = bench.load(target, spec)
    figures = latency_figures(result)
    figures["steal"] = stolen_share(machine_before, machine_cpu())
    bench.settle()
    if result["count"]:
        figures["cpu_per_request"] = (target.server.cpu_seconds() - before) / result["count"]
    return figures


def _open_loop(bench: Bench, source: dict) -> dict:
    """The issue's open loop: requests at a steady rate, whether or not the answers keep up."""
    return {"mode": "open", "rate": OPEN_RATE, "count": bench.sizes.open_count, "source": source}


def _closed_loop(bench: Bench, source: dict) -> dict:
    """The closed loop: each client sends its next request when its last is answered."""
    return {
        "mode": "closed",
        "clients": CLOSED_CLIENTS,
        "duration": bench.sizes.closed_seconds,
        "max_count": 100_000,
        "source": source,
    }


def _open_signup(bench: Bench, target: Target, title: str) -> None:
    """A meetup with a place for everyone, so every request signs someone up (the floor has no meetups)."""
    if not target.is_floor:
        bench.open_meetup(target, capacity=1_000_000, title=f"Benchmark: {title}")


def commands_open(bench: Bench, target: Target) -> dict:
    _open_signup(bench, target, "slash commands, open loop")
    bench.warm_up(target, bench.command_source("signup", f"UWA{target.code}"))
    return measure(bench, target, _open_loop(bench, bench.command_source("signup", f"UCA{target.code}")))


def commands_closed(bench: Bench, target: Target) -> dict:
    _open_signup(bench, target, "slash commands, closed loop")
    bench.warm_up(target, bench.command_source("signup", f"UWB{target.code}"))
    return measure(bench, target, _closed_loop(bench, bench.command_source("signup", f"UCB{target.code}")))


def _submission_source(view: dict, prefix: str) -> dict:
    return {"type": "submission", "view": view, "values": SIGNUP_ANSWERS, "user_prefix": prefix}


def submissions_open(bench: Bench, target: Target) -> dict:
    _open_signup(bench, target, "submissions, open loop")
    view = bench.signup_view(target)
    bench.warm_up(target, _submission_source(view, f"UWC{target.code}"))
    return measure(bench, target, _open_loop(bench, _submission_source(view, f"USC{target.code}")))


def submissions_closed(bench: Bench, target: Target) -> dict:
    _open_signup(bench, target, "submissions, closed loop")
    view = bench.signup_view(target)
    bench.warm_up(target, _submission_source(view, f"UWD{target.code}"))
    return measure(bench, target, _closed_loop(bench, _submission_source(view, f"USD{target.code}")))


def burst(bench: Bench, target: Target) -> dict:
    """Everyone at once: `burst` sign-ups for a tenth as many places. The
    confirmed count, read from the database, must be exactly the capacity."""
    places = bench.sizes.burst_places
    meetup_id = None
    if not target.is_floor:
        meetup_id = bench.open_meetup(target, capacity=places, title="Benchmark: burst")
    view = bench.signup_view(target)
    result = bench.load(
        target,
        {
            "mode": "closed",
            "clients": BURST_CLIENTS,
            "max_count": bench.sizes.burst,
            "duration": 600,
            "source": _submission_source(view, f"USE{target.code}"),
        },
    )
    bench.settle()
    figures = latency_figures(result)
    if meetup_id is not None:
        with target.database.read() as session:
            rows = session.execute(
                select(Registration.status, Registration.waitlist_number).where(Registration.meetup_id == meetup_id)
            ).all()
        figures["confirmed"] = sum(1 for status, _ in rows if status == CONFIRMED)
        numbers = sorted(n for status, n in rows if status == WAITLISTED)
        figures["waitlisted"] = len(numbers)
        figures["waitlist_in_order"] = numbers == list(range(1, len(numbers) + 1))
        figures["places"] = places
    return figures


# The public pages (issue 18): page views a second beside the burst.
PAGE_RATE = 200


def burst_with_pages(bench: Bench, target: Target) -> dict:
    """The burst twice: on its own, then with PAGE_RATE views a second of
    the public pages (the list and the meetup's page) beside it. What the
    page views cost the sign-ups is the difference in their acks. The floor
    has no pages: not run there."""
    if target.is_floor:
        return {}
    alone = burst(bench, target)
    with target.database.read() as session:
        latest = session.scalar(select(func.max(Meetup.id)))
    views = PageViews(target.server.url, ["/", f"/meetups/{latest}"], rate=PAGE_RATE, seconds=600)
    started = time.perf_counter()
    beside = views.run_while(lambda: burst(bench, target))
    elapsed = time.perf_counter() - started
    return {
        "p99_alone": alone["p99"],
        "p99": beside["p99"],
        "late": (alone["late"] or 0) + (beside["late"] or 0),
        "failed": (alone["failed"] or 0) + (beside["failed"] or 0),
        "confirmed_both": alone.get("confirmed") == beside.get("confirmed") == bench.sizes.burst_places,
        "page_p99": percentile(views.latencies, 99),
        "pages_per_s": views.served / elapsed if elapsed else None,
        "pages_failed": views.failed,
    }


# ---------------------------------------------------------------- reaction votes (issue 4)


def read_tallies(database: Database) -> dict[str, int]:
    """Votes per topic card (by message ts), as stored: distinct people with
    a voting reaction present.

    Read by reflection so the benchmark needs none of the feature's code; it
    expects issue 4's tables `topics` (id, ts) and `vote_reactions`
    (topic_id, slack_user_id, present). Adapt here if they change.
    """
    metadata = MetaData()
    metadata.reflect(database.engine, only=["topics", "vote_reactions"])
    topics, votes = metadata.tables["topics"], metadata.tables["vote_reactions"]
    with database.read() as session:
        rows = session.execute(
            select(topics.c.ts, func.count(func.distinct(votes.c.slack_user_id)))
            .join(votes, votes.c.topic_id == topics.c.id)
            .where(votes.c.present == true())
            .group_by(topics.c.ts)
        ).all()
    return {ts: count for ts, count in rows}


def propose_topics(bench: Bench, target: Target, count: int) -> list[str]:
    """Propose topics as people do (`/meetup propose`, then the modal), and
    return their cards' timestamps in the meetup channel."""
    titles = {}
    for k in range(count):
        user = f"UTP{target.code}{k:04d}"
        title = f"Benchmark topic {target.code} {k}"
        trigger = f"bench-{uuid.uuid4().hex}"
        request = payloads.command(
            "propose", user_id=user, channel_id=bench.channel, response_url=bench.fake.response_url, trigger_id=trigger
        )
        if bench.send_one(target, request) != 200:
            raise RuntimeError("/meetup propose was not acknowledged")
        view = bench.wait_for_view(trigger)
        submitted = payloads.submission(view, payloads.fill_any_modal(view, title), user_id=user)
        if bench.send_one(target, submitted) != 200:
            raise RuntimeError("the topic form was not accepted")
        titles[title] = None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for message in bench.fake.control("messages", channel=bench.channel)["messages"]:
            text = str(message.get("text", "")) + str(message.get("blocks", ""))
            for title in titles:
                if titles[title] is None and title in text:
                    titles[title] = message["ts"]
        if all(titles.values()):
            return list(titles.values())
        time.sleep(0.2)
    missing = [t for t, ts in titles.items() if ts is None]
    raise RuntimeError(f"no topic card was posted for {len(missing)} of {count} topics")


def vote_events(
    cards: list[str], *, channel: str, count: int, seed: int = 7, clients: int = VOTE_CLIENTS
) -> tuple[list[list[dict]], dict[str, int]]:
    """`count` Events API deliveries about reactions on the cards, split over
    `clients` so that everything about one person's reaction on one card
    stays in order, and the tallies they must produce.

    Most toggle a :+1: (added if absent, removed if present); some are
    Slack's retries of an earlier delivery (same event_id); some are not
    votes (another emoji, the bot's own reaction, a message that is no card).
    """
    rng = random.Random(seed)
    voters = [f"UVO{n:05d}" for n in range(max(20, count // 25))]
    present: dict[tuple[str, str], bool] = {}
    sent: list[tuple[tuple[str, str], dict]] = []
    retries: dict[int, int] = {}
    lists: list[list[dict]] = [[] for _ in range(clients)]
    base = time.time() - 600

    def lane(pair: tuple[str, str]) -> list[dict]:
        return lists[zlib.crc32(f"{pair[0]}|{pair[1]}".encode()) % clients]

    for k in range(count):
        roll = rng.random()
        ts, user = rng.choice(cards), rng.choice(voters)
        event = {
            "channel": channel,
            "ts": ts,
            "user_id": user,
            "event_id": f"Ev{k:08d}{seed}",
            "event_ts": f"{base + k / 1000:.6f}",
        }
        if roll < 0.05 and sent:
            index = rng.randrange(max(0, len(sent) - 500), len(sent))
            pair, original = sent[index]
            # Slack numbers its retries 1, 2, 3 and then gives up; each is
            # signed afresh, so none is a replay of another.
            retry = retries[index] = retries.get(index, 0) + 1
            if retry <= 3:
                lane(pair).append(
                    {**original, "headers": {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}}
                )
                continue
        if roll < 0.09:
            lane((ts, user)).append(payloads.reaction_event(added=True, reaction="tada", **event))
            continue
        if roll < 0.10:
            if rng.random() < 0.5:
                event["user_id"] = BOT_USER_ID
            else:
                event["ts"] = f"1600000000.{k:06d}"
            lane((event["ts"], event["user_id"])).append(payloads.reaction_event(added=True, reaction="+1", **event))
            continue
        pair = (ts, user)
        added = not present.get(pair, False)
        present[pair] = added
        request = payloads.reaction_event(added=added, reaction="+1", **event)
        sent.append((pair, request))
        lane(pair).append(request)
    expected = Counter(ts for (ts, _), on in present.items() if on)
    return lists, {ts: expected.get(ts, 0) for ts in cards}


def votes(bench: Bench, target: Target) -> dict:
    n = bench.sizes.votes
    if target.is_floor:
        cards = [f"1700000000.{k:06d}" for k in range(bench.sizes.topics)]
    else:
        bench.open_meetup(target, capacity=1_000_000, title="Benchmark: topics")
        cards = propose_topics(bench, target, bench.sizes.topics)
        bench.settle()
    lists, expected = vote_events(cards, channel=bench.channel, count=n)
    result = bench.load(
        target,
        {"mode": "closed", "clients": VOTE_CLIENTS, "duration": 600, "source": {"type": "per_client", "lists": lists}},
    )
    figures = latency_figures(result)
    figures["events_per_s"] = result["throughput"]
    if target.is_floor:
        return figures
    # Bolt acks an event before its listener runs: the votes are applied
    # after the acks, so wait for the tallies to settle.
    deadline, last, quiet_since = time.monotonic() + 120, None, time.monotonic()
    tallies: dict[str, int] = {}
    while time.monotonic() < deadline:
        stored = read_tallies(target.database)
        tallies = {ts: stored.get(ts, 0) for ts in cards}
        if tallies == expected:
            break
        if tallies != last:
            last, quiet_since = tallies, time.monotonic()
        elif time.monotonic() - quiet_since > 5:
            break
        time.sleep(0.1)
    applied_at = time.time()
    figures["tallies_exact"] = tallies == expected
    figures["tallies_wrong"] = sum(1 for ts in cards if tallies[ts] != expected[ts])
    figures["applied_per_s"] = n / (applied_at - result["started_at"]) if figures["tallies_exact"] else None
    bench.settle()
    return figures


# ---------------------------------------------------------------- reminders (issue 5)


def _dm_outcome(dms: dict[str, list[str]], people: list[str]) -> tuple[int, int]:
    """(people with a direct message, people with the same message twice or more)."""
    reached = duplicated = 0
    for user in people:
        messages = dms.get("D" + user, [])
        if messages:
            reached += 1
            if max(Counter(messages).values()) > 1:
                duplicated += 1
    return reached, duplicated


def reminders(bench: Bench, target: Target) -> dict:
    """A meetup that starts tomorrow, so its day-before DMs are due now, with
    `reminders` people confirmed; the fake Slack takes one post a second per
    channel and answers 429 beyond that. `meetup-bot reminders run-due` (the
    cron entry point) runs beside the server's own worker: two instances, as
    the issue asks for no duplicates across them."""
    if target.is_floor:
        return {}
    return _day_before_dms(bench, target, bench.sizes.reminders, prefix="URM")


# Slack's Web API tiers for the calendar file's two calls: Tier 4, "100+ per
# minute" with generous bursts (api.slack.com/methods/files.getUploadURLExternal,
# files.completeUploadExternal). FANOUT_TIME_SCALE times faster in the fake,
# so 5,000 confirmations fit in a benchmark; docs/performance.md scales back.
TIER_4_PER_MINUTE = 100
TIER_4_BURST = 20
FANOUT_TIME_SCALE = 10


def fanout(bench: Bench, target: Target) -> dict:
    """The messages after a rush: `fanout` people each get a direct message
    and its calendar file (the calls a confirmation makes), from a fake Slack
    that takes one post a second into each conversation and the calendar
    file's Tier 4 methods at TIER_4_PER_MINUTE a minute (sped up
    FANOUT_TIME_SCALE times), answering 429 with Retry-After beyond that."""
    if target.is_floor:
        return {}
    rate = TIER_4_PER_MINUTE / 60 * FANOUT_TIME_SCALE
    limits = {m: [rate, TIER_4_BURST] for m in ("files.getUploadURLExternal", "files.completeUploadExternal")}
    figures = _day_before_dms(bench, target, bench.sizes.fanout, prefix="UFO", method_limits=limits)
    # Each confirmation calls each Tier 4 method once: at Slack's own rate,
    # after the first burst, that alone takes this long, however fast the bot.
    n = bench.sizes.fanout
    floor = max(0, n - TIER_4_BURST) * 60 / TIER_4_PER_MINUTE
    figures["real_wall"] = max(figures["wall"] or 0, floor) if figures["wall"] else None
    return figures


def _day_before_dms(bench: Bench, target: Target, n: int, *, prefix: str, method_limits: dict | None = None) -> dict:
    now = utcnow()
    people = [f"{prefix}{target.code}{k:05d}" for k in range(n)]
    with target.database.transaction() as session:
        session.execute(update(Meetup).where(Meetup.status == MEETUP_OPEN).values(status=MEETUP_CLOSED))
        # Starts a day (less ten minutes) from now: the day-before reminder fell due ten minutes ago.
        starts = (now + timedelta(days=1, minutes=-10)).replace(second=0, microsecond=0)
        meetup = Meetup(
            title="Benchmark: reminders",
            description="",
            venue="102 Petty France, London",
            host_organisation="Ministry of Justice",
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            capacity=n,
            audience="government",
            extra_sectors="",
            status=MEETUP_OPEN,
            created_at=now,
        )
        session.add(meetup)
        session.flush()
        for user in people:
            registration = Registration(
                meetup_id=meetup.id,
                slack_user_id=user,
                full_name=f"Person {user}",
                email=f"{user.lower()}@homeoffice.gov.uk",
                organisation="Home Office",
                role="civil_servant",
                created_at=now,
            )
            registration.set_status(CONFIRMED, now)
            session.add(registration)
    bench.fake.control("reset", {})
    bench.fake.control("config", {"rate_limit_interval": 1.0, "method_limits": method_limits})
    started = time.monotonic()
    run_due = subprocess.Popen(
        [str(BIN), "reminders", "run-due"],
        env=_python_env(target.env),
        cwd=target.server.log_path.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Bounded: stop when everyone has a DM, or nothing has moved for 45 s
    # (longer than the server worker's 30 s poll), or at the hard limit:
    # a minute, plus more than a second a person (a DM and its calendar
    # file into one channel can cost a Retry-After second each).
    deadline = started + 60 + 1.2 * n
    reached, last_change, finished_at, stalled = 0, time.monotonic(), None, False
    try:
        while time.monotonic() < deadline:
            count, _ = _dm_outcome(bench.fake.control("dms")["dms"], people)
            if count != reached:
                reached, last_change = count, time.monotonic()
            if reached == n:
                finished_at = time.monotonic()
                break
            if time.monotonic() - last_change > 45:
                stalled = True
                break
            time.sleep(0.25)
        time.sleep(2)  # anything sent twice arrives late
    finally:
        if run_due.poll() is None:
            run_due.terminate()
        try:
            run_due.wait(timeout=15)
        except subprocess.TimeoutExpired:
            run_due.kill()
            run_due.wait()
        bench.fake.control("config", {"rate_limit_interval": None, "method_limits": None})
    reached, duplicated = _dm_outcome(bench.fake.control("dms")["dms"], people)
    stats = bench.fake.control("stats")
    # Still sending at the time limit: the rest are late, not known to be lost.
    return {
        "wall": (finished_at - started) if finished_at else None,
        "sent": reached,
        "duplicated": duplicated,
        "lost": n - reached if finished_at or stalled else None,
        "expected": n,
        "finished": finished_at is not None,
        "rate_limited": stats["rate_limited"],
    }


def grid(bench: Bench, target: Target) -> dict:
    """`/meetup schedule` at its largest (bench/grid.py): CPU to build the
    grid in this process, the same whichever database serves."""
    from bench.grid import measure

    return {} if target.is_floor else measure()


def median_figures(runs: list[dict]) -> dict:
    """One round's figures as they are; of several, the median of each
    number (the first round's for anything else). A round that failed is
    reported as failed."""
    failed = [run for run in runs if "error" in run]
    if failed or len(runs) == 1:
        return (failed or runs)[0]
    merged = dict(runs[0])
    for key in runs[0]:
        numbers = [run.get(key) for run in runs]
        if all(isinstance(n, (int, float)) and not isinstance(n, bool) for n in numbers):
            merged[key] = statistics.median(numbers)
    merged["rounds"] = len(runs)
    merged["p99_rounds"] = [run.get("p99") for run in runs]
    return merged


SCENARIOS: dict[str, Callable[[Bench, Target], dict]] = {
    "commands_open": commands_open,
    "commands_closed": commands_closed,
    "submissions_open": submissions_open,
    "submissions_closed": submissions_closed,
    "burst": burst,
    "burst_with_pages": burst_with_pages,
    "votes": votes,
    "reminders": reminders,
    "fanout": fanout,
    "grid": grid,
}

# Run against the fair floors too, and repeated (bench.run --repeat).
COMPARED = ("commands_open", "commands_closed", "submissions_open", "submissions_closed")
