"""`make bench`: run the scenarios of issue 7 and print one table.

    python -m bench.run [--scale 0.1] [--databases sqlite,postgres]
                        [--scenarios commands_open,burst,...] [--docs docs/performance.md]

Starts, all on 127.0.0.1: the fake Slack (its own process), the real server
once per database (`meetup-bot serve`, HTTP mode, as in production), beside
it the fair floor on the same kind of database (a bare Bolt app making the
same Slack calls and the same transaction, served the same way), the
ack-only floor, and a throwaway PostgreSQL cluster. The load comes from separate processes (bench/load.py).
Everything is stopped at the end. Progress goes to standard error, the table
to standard output.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from bench import report
from bench.load import SLOW
from bench.procs import (
    DurablePostgres,
    FakeSlackProcess,
    Profiler,
    server_env,
    start_floor,
    start_real_server,
)
from bench.scenarios import COMPARED, SCENARIOS, Bench, Sizes, Target, median_figures
from storage.db import Database
from tests.support.pg import find_pg_bin

SECRET = "bench-signing-secret"
TOKEN = "xoxb-test-token"  # the fake Slack's bot token
CHANNEL = "C0MEETUP"
ORGANISER = "U0ORGANISER"
# The label, then one letter for the bot's people and one for its fair floor's.
LABELS = {"sqlite": ("SQLite", "S", "T"), "postgres": ("PostgreSQL", "P", "Q")}


@dataclass
class Options:
    scale: float = 1.0
    databases: list[str] = field(default_factory=lambda: ["sqlite", "postgres"])
    scenarios: list[str] = field(default_factory=lambda: list(SCENARIOS))
    # slack.com answers a Web API call in tens of milliseconds; loopback in
    # microseconds. The delay shows what waits on Slack after an ack.
    slack_latency: float = 0.05
    in_process_load: bool = False
    quiet: bool = False
    quiet_period: float = 1.0  # see Bench.quiet_period
    profile_dir: Path | None = None  # py-spy flame graphs of each server, written here
    profile_format: str = "svg"  # or "txt": collapsed stacks, to add up
    # Server processes (WEB_CONCURRENCY) for the bot and the floor alike: one
    # per core, as docs/deploying.md advises.
    web_concurrency: int = field(default_factory=report.cores)
    # Rounds of each comparison with the floors (COMPARED): the machine's
    # other work moves one round's figures; the median of three less so.
    repeat: int = 1


@dataclass
class Outcome:
    results: dict
    table: str
    machine: dict
    violations: list


def _say(options: Options):
    def say(message: str) -> None:
        if not options.quiet:
            print(message, file=sys.stderr, flush=True)

    return say


def run_bench(options: Options) -> Outcome:
    say = _say(options)
    sizes = Sizes(options.scale)
    load_before = os.getloadavg()[0]
    pg_bin = find_pg_bin()
    with contextlib.ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="meetup-bench-")))
        fake = FakeSlackProcess(CHANNEL, workdir / "fake.log")
        stack.callback(fake.stop)
        fake.control("config", {"latency": options.slack_latency})
        targets: list[Target] = []
        floor_env = {
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake.api_url,
            "WEB_CONCURRENCY": str(options.web_concurrency),
        }
        for name in options.databases:
            urls = _database_urls(name, pg_bin, workdir, stack, say)
            if urls is None:
                continue
            env = server_env(
                fake=fake,
                database_url=urls[0],
                secret=SECRET,
                token=TOKEN,
                channel=CHANNEL,
                organiser=ORGANISER,
                web_concurrency=options.web_concurrency,
            )
            say(f"Starting the server on {LABELS[name][0]}")
            server = start_real_server(name, env, workdir / name)
            stack.callback(server.stop)
            database = Database(urls[0])
            stack.callback(database.dispose)
            targets.append(Target(name, LABELS[name][0], LABELS[name][1], server, database, env))
            say(f"Starting the fair floor on {LABELS[name][0]}")
            fair = start_floor({**floor_env, "FLOOR_KIND": "fair", "DATABASE_URL": urls[1]}, workdir / f"fair_{name}")
            stack.callback(fair.stop)
            # Beside its bot in the list, so each comparison runs back to back.
            targets.append(Target(f"fair_{name}", f"fair floor ({LABELS[name][0]})", LABELS[name][2], fair))
        say("Starting the ack-only floor")
        floor = start_floor(floor_env, workdir / "floor")
        stack.callback(floor.stop)
        targets.append(Target("floor", "ack-only floor", "F", floor))

        if options.profile_dir is not None:
            for target in targets:
                profiler = Profiler(
                    target.server.process.pid, options.profile_dir / f"{target.key}.{options.profile_format}"
                )
                stack.callback(profiler.stop)  # before the servers stop: callbacks run last-in, first-out
            say(f"Profiling each server into {options.profile_dir}")

        bench = Bench(
            fake=fake,
            secret=SECRET,
            channel=CHANNEL,
            sizes=sizes,
            in_process_load=options.in_process_load,
            say=say,
            quiet_period=options.quiet_period,
        )
        results: dict = {}
        for name in options.scenarios:
            results[name] = {}
            rounds = options.repeat if name in COMPARED else 1
            for round_number in range(rounds):
                for target in targets:
                    if target.key.startswith("fair_") and name not in COMPARED:
                        continue
                    say(f"{name} on {target.label}" + (f", round {round_number + 1} of {rounds}" if rounds > 1 else ""))
                    figures = _run_scenario(name, bench, target, say)
                    if figures.get("p99") is not None:
                        say(_round_summary(figures))
                    results[name].setdefault(target.key, []).append(figures)
            results[name] = {key: median_figures(runs) for key, runs in results[name].items()}
        results["memory"] = {
            t.key: dict(zip(("peak_rss", "total_peak_rss"), t.server.peak_rss(), strict=False)) for t in targets
        }
        violations = (fake.control("stats") or {}).get("violations", [])
        table = report.render_table(results, sizes, [t.key for t in targets])
        info = report.machine(pg_bin, load_before)
    return Outcome(results, table, info, violations)


def _round_summary(figures: dict) -> str:
    """One round's p99, and what to look for in its slow answers."""
    steal = figures.get("steal")
    return (
        f"  p99 {figures['p99'] * 1000:.1f} ms; {figures.get('slow', 0)} answers over {SLOW * 1000:.0f} ms"
        + ("" if steal is None else f"; the host took {steal:.1%} of the CPU")
        + (f"; slowest (seconds, due at, sent late by): {figures['slowest'][:3]}" if figures.get("slowest") else "")
    )


def _database_urls(name: str, pg_bin, workdir: Path, stack: contextlib.ExitStack, say) -> tuple[str, str] | None:
    """The bot's database and the fair floor's, of the same kind (None: skip it)."""
    if name == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}", f"sqlite:///{workdir / 'floor.db'}"
    if pg_bin is None:
        say("PostgreSQL is not installed (no initdb): skipping it. Install the postgresql package.")
        return None
    cluster = DurablePostgres(pg_bin).start()
    stack.callback(cluster.stop)
    cluster.execute("CREATE DATABASE bench")
    cluster.execute("CREATE DATABASE floor")
    return cluster.url("bench"), cluster.url("floor")


def _run_scenario(name: str, bench: Bench, target: Target, say) -> dict:
    try:
        return SCENARIOS[name](bench, target)
    except Exception as error:  # report it in the table, carry on with the rest
        say(traceback.format_exc())
        if target.server.process.poll() is not None:
            say(f"{target.label} has stopped: {target.server.log_tail()}")
        return {"error": f"{type(error).__name__}: {error}"}


def parse_args(argv: list[str] | None) -> tuple[Options, argparse.Namespace]:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("BENCH_SCALE") or 1.0),
        help="share of the issue's counts and durations (default 1, or BENCH_SCALE)",
    )
    parser.add_argument("--databases", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="comma-separated, from: " + ", ".join(SCENARIOS)
    )
    parser.add_argument(
        "--slack-latency",
        type=float,
        default=0.05,
        help="seconds the fake Slack takes to answer each Web API call (default 0.05)",
    )
    parser.add_argument(
        "--web-concurrency",
        type=int,
        default=report.cores(),
        metavar="N",
        help="server processes for the bot and the floor alike (WEB_CONCURRENCY; default: one per core)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="record a py-spy flame graph of each server into DIR (then do not record the figures)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="N",
        help="rounds of each comparison with the floors, bot and floor back to back; reports the median (default 3)",
    )
    parser.add_argument(
        "--profile-format",
        choices=("svg", "txt"),
        default="svg",
        help="svg: flame graphs; txt: py-spy's collapsed stacks, one a line, to add up (default svg)",
    )
    parser.add_argument("--docs", type=Path, help="also write the results into this file (docs/performance.md)")
    parser.add_argument("--json", type=Path, help="also write the raw figures here")
    args = parser.parse_args(argv)
    databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [d for d in databases if d not in LABELS] + [s for s in scenarios if s not in SCENARIOS]
    if unknown:
        parser.error("unknown: " + ", ".join(unknown))
    if not 0 < args.scale <= 10:
        parser.error("--scale must be more than 0 and at most 10")
    if not 1 <= args.web_concurrency <= 16:
        parser.error("--web-concurrency must be between 1 and 16")
    if not 1 <= args.repeat <= 9:
        parser.error("--repeat must be between 1 and 9")
    if not 0 <= args.slack_latency <= 2:
        parser.error("--slack-latency must be between 0 and 2 seconds")
    return Options(
        scale=args.scale,
        databases=databases,
        scenarios=scenarios,
        slack_latency=args.slack_latency,
        profile_dir=args.profile,
        profile_format=args.profile_format,
        web_concurrency=args.web_concurrency,
        repeat=args.repeat,
    ), args


def main(argv: list[str] | None = None) -> int:
    options, args = parse_args(argv)
    outcome = run_bench(options)
    print(outcome.table)
    print()
    print(report.render_machine(outcome.machine))
    if outcome.violations:
        print(f"\nThe fake Slack refused calls Slack would refuse: {outcome.violations}", file=sys.stderr)
    if args.json:
        latencies_dropped = {
            name: {
                k: {f: v for f, v in figs.items() if f != "latencies"} if isinstance(figs, dict) else figs
                for k, figs in outcome.results[name].items()
            }
            for name in outcome.results
        }
        args.json.write_text(json.dumps({"results": latencies_dropped, "machine": outcome.machine}, indent=2))
    if args.docs:
        command = "make bench" + (f" BENCH_SCALE={options.scale:g}" if options.scale != 1 else "")
        report.write_docs(
            args.docs, report.render_results(outcome.table, outcome.machine, Sizes(options.scale), command)
        )
        print(f"\nWrote the results into {args.docs}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
