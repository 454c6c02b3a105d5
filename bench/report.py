"""One markdown table: each figure for SQLite and PostgreSQL beside the
floor's, with the issue's target and whether it was met; and the machine it
ran on."""

from __future__ import annotations

import os
import platform
import re
import sqlite3
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from bench.scenarios import FANOUT_TIME_SCALE, OPEN_RATE, PAGE_RATE, TIER_4_PER_MINUTE, Sizes

COLUMNS = {
    "sqlite": "SQLite",
    "fair_sqlite": "fair floor (SQLite)",
    "postgres": "PostgreSQL",
    "fair_postgres": "fair floor (PostgreSQL)",
    "floor": "ack-only floor",
}
P99_TARGET = {"sqlite": 0.050, "postgres": 0.075}  # seconds, open loop
# Against the fair floor of the same database (bench/floor.py): a bare Bolt
# app making the same Slack calls and the same single transaction.
THROUGHPUT_TARGET = {"commands_closed": 0.60, "submissions_closed": 0.60}  # share of the fair floor's
CPU_TARGET = 2.0  # at most this many times the fair floor's CPU per request
RSS_TARGET = 150 * 1024 * 1024

DOCS_START = "<!-- bench:results -->"
DOCS_END = "<!-- /bench:results -->"


def _ms(value) -> str:
    return "—" if value is None else f"{value * 1000:.1f} ms"


def _seconds(value) -> str:
    return "—" if value is None else f"{value:.1f} s"


def _rate(value) -> str:
    return "—" if value is None else f"{value:.0f}"


def _percent(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def _count(value) -> str:
    return "—" if value is None else f"{value:,}"


def _yes(value) -> str:
    return "—" if value is None else ("yes" if value else "no")


def _mb(value) -> str:
    return "—" if value is None else f"{value / 1024 / 1024:.0f} MB"


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else (" (met)" if ok else " (MISSED)")


def _equals(expected):
    """The check that a figure is `expected` (None, not judged, when there is no figure)."""
    return lambda db, v, f: None if v is None else v == expected


def _get(figures: dict, key: str):
    return figures.get(key) if isinstance(figures, dict) else None


def _rows(name: str, sizes: Sizes) -> tuple[str, list[tuple]]:
    """(scenario label, [(figure label, key, formatter, target text, check(db, value, floor_value))])."""
    seconds = sizes.open_count / OPEN_RATE
    late = ("late (over 3 s) or failed", "late_or_failed", _count, "0", lambda db, v, f: v == 0)
    p99_open = (
        "p99 ack",
        "p99",
        _ms,
        "under 50 ms (SQLite), 75 ms (PostgreSQL)",
        lambda db, v, f: None if v is None else v < P99_TARGET[db],
    )

    cpu = (
        "server CPU per request (work after the ack included)",
        "cpu_per_request",
        _ms,
        f"at most {CPU_TARGET:g}× the fair floor's",
        lambda db, v, f: None if not v or not f else v <= CPU_TARGET * f,
    )

    def share(scenario):
        def check(db, value, floor):
            return None if not value or not floor else value >= THROUGHPUT_TARGET[scenario] * floor

        return check

    steal = ("CPU the host took for others (steal), during the load", "steal", _percent, "", None)

    def closed_rows(scenario):
        return [
            ("p50 ack", "p50", _ms, "", None),
            ("p95 ack", "p95", _ms, "", None),
            ("p99 ack", "p99", _ms, "", None),
            (
                "requests/s",
                "rps",
                _rate,
                f"at least {THROUGHPUT_TARGET[scenario]:.0%} of the fair floor's",
                share(scenario),
            ),
            late,
            cpu,
            steal,
        ]

    open_rows = [("p50 ack", "p50", _ms, "", None), ("p95 ack", "p95", _ms, "", None), p99_open]
    open_rows += [("requests/s", "rps", _rate, "", None), late, cpu, steal]
    table = {
        "commands_open": (f"`/meetup signup` commands, open loop: {OPEN_RATE} a second for {seconds:.0f} s", open_rows),
        "commands_closed": (
            f"`/meetup signup` commands, closed loop: 50 clients for {sizes.closed_seconds:.0f} s",
            closed_rows("commands_closed"),
        ),
        "submissions_open": (
            f"sign-up modal submissions, open loop: {OPEN_RATE} a second for {seconds:.0f} s",
            open_rows,
        ),
        "submissions_closed": (
            f"sign-up modal submissions, closed loop: 50 clients for {sizes.closed_seconds:.0f} s",
            closed_rows("submissions_closed"),
        ),
        "burst": (
            f"burst: {sizes.burst:,} submissions for {sizes.burst_places:,} places, 80 clients",
            [
                ("wall time", "elapsed", _seconds, "", None),
                ("p99 ack", "p99", _ms, "", None),
                ("confirmed", "confirmed", _count, f"exactly {sizes.burst_places:,}", _equals(sizes.burst_places)),
                ("waitlist numbered 1, 2, 3… in order", "waitlist_in_order", _yes, "yes", lambda db, v, f: v),
                late,
            ],
        ),
        "burst_with_pages": (
            f"burst with the public pages: the burst alone, then with {PAGE_RATE} page views a second beside it",
            [
                ("p99 ack, burst alone", "p99_alone", _ms, "", None),
                ("p99 ack, with the page views", "p99", _ms, "", None),
                ("confirmed exactly the places, both times", "confirmed_both", _yes, "yes", lambda db, v, f: v),
                ("page views served a second", "pages_per_s", _rate, f"{PAGE_RATE}", None),
                ("p99 page view (from when it was due)", "page_p99", _ms, "", None),
                ("page views failed", "pages_failed", _count, "0", _equals(0)),
                late,
            ],
        ),
        "votes": (
            f"reaction votes: {sizes.votes:,} events over {sizes.topics} topics, 50 clients",
            [
                ("events/s acknowledged", "events_per_s", _rate, "", None),
                ("events/s applied (until the tallies were exact)", "applied_per_s", _rate, "", None),
                ("tallies exact", "tallies_exact", _yes, "yes", lambda db, v, f: v),
                late,
            ],
        ),
        "grid": (
            "session grid: 240 topics, 20 rooms, 12 slots (`/meetup schedule`, after its ack)",
            [
                ("CPU to build the grid", "cpu", _seconds, "under 2 s", lambda db, v, f: None if v is None else v < 2),
                ("grid valid", "valid", _yes, "yes", lambda db, v, f: v),
            ],
        ),
        "reminders": (
            f"reminders: {sizes.reminders:,} DMs, fake Slack allowing 1 post a second per channel",
            [
                ("wall time", "wall", _seconds, "", None),
                ("sent", "sent", _count, f"{sizes.reminders:,}", _equals(sizes.reminders)),
                ("duplicated", "duplicated", _count, "0", _equals(0)),
                ("lost", "lost", _count, "0", _equals(0)),
                ("all sent within the time limit", "finished", _yes, "yes", lambda db, v, f: v),
                ("answered 429", "rate_limited", _count, "", None),
            ],
        ),
        "fanout": (
            f"fan-out: {sizes.fanout:,} confirmations (a DM and its calendar file), fake Slack allowing 1 post a "
            f"second per conversation and the file's Tier 4 methods {TIER_4_PER_MINUTE} a minute, "
            f"{FANOUT_TIME_SCALE}× faster",
            [
                ("wall time", "wall", _seconds, "", None),
                (
                    f"at Slack's real Tier 4 rate, at least ({TIER_4_PER_MINUTE} file calls a minute)",
                    "real_wall",
                    _seconds,
                    "",
                    None,
                ),
                ("sent", "sent", _count, f"{sizes.fanout:,}", _equals(sizes.fanout)),
                ("duplicated", "duplicated", _count, "0", _equals(0)),
                ("lost", "lost", _count, "0", _equals(0)),
                ("answered 429", "rate_limited", _count, "", None),
            ],
        ),
        "memory": (
            "memory",
            [
                (
                    "peak RSS of the server process (the largest, with several)",
                    "peak_rss",
                    _mb,
                    "under 150 MB",
                    lambda db, v, f: None if v is None else v < RSS_TARGET,
                ),
                ("peak RSS of all the server's processes, added up", "total_peak_rss", _mb, "", None),
            ],
        ),
    }
    return table[name]


_FLOOR_ONLY_EMPTY = ("confirmed", "waitlist_in_order", "applied_per_s", "tallies_exact")


def _cell(name: str, column: str, figures, index: int, row: tuple, outcome: dict) -> str:
    _figure, key, show, _target, check = row
    if figures is None or (column == "floor" and name in ("reminders", "grid", "fanout", "burst_with_pages")):
        return "—"
    if "error" in figures:
        return "failed: " + figures["error"].splitlines()[0][:80].replace("|", "/") if index == 0 else "—"
    value = (
        (_get(figures, "late") or 0) + (_get(figures, "failed") or 0) if key == "late_or_failed" else _get(figures, key)
    )
    is_floor = column == "floor" or column.startswith("fair_")
    if is_floor and key in _FLOOR_ONLY_EMPTY:
        return "—"
    text = show(value)
    ack_only = _get(outcome.get("floor", {}), key)
    if is_floor:
        if column != "floor" and key == "rps" and value and ack_only:
            text += f" ({value / ack_only:.0%} of ack-only)"
        return text
    fair = _get(outcome.get(f"fair_{column}", {}), key)
    notes = []
    if key == "rps" and value and fair:
        notes.append(f"{value / fair:.0%} of fair floor")
    if key == "cpu_per_request" and value and fair:
        notes.append(f"{value / fair:.1f}× fair floor")
    if key == "rps" and value and ack_only and name in THROUGHPUT_TARGET:
        notes.append(f"{value / ack_only:.0%} of ack-only")
    if notes:
        text += " (" + ", ".join(notes) + ")"
    if check is not None:
        text += _verdict(check(column, value, fair))
    return text


def render_table(results: dict, sizes: Sizes, targets: list[str]) -> str:
    columns = [t for t in COLUMNS if t in targets]
    header = "| scenario | figure | " + " | ".join(COLUMNS[c] for c in columns) + " | target |"
    lines = [header, "|" + "---|" * (len(columns) + 3)]
    for name, outcome in results.items():
        label, rows = _rows(name, sizes)
        for index, row in enumerate(rows):
            cells = [_cell(name, column, outcome.get(column), index, row, outcome) for column in columns]
            lines.append(f"| {label if index == 0 else ''} | {row[0]} | " + " | ".join(cells) + f" | {row[3]} |")
    return "\n".join(lines)


# ---------------------------------------------------------------- the machine


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def _postgres_version(bin_dir) -> str:
    if bin_dir is None:
        return "not installed"
    postgres = Path(bin_dir) / "postgres"
    try:
        out = subprocess.run([str(postgres), "--version"], capture_output=True, text=True, timeout=10).stdout
        return out.strip().replace("postgres (PostgreSQL) ", "")
    except OSError:
        return "unknown"


def cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def machine(pg_bin=None, load_before=None) -> dict[str, str]:
    versions = {name: metadata.version(name) for name in ("slack_bolt", "waitress", "SQLAlchemy", "psycopg")}
    info = {
        "cores (nproc)": str(cores()),
        "CPU": _cpu_model(),
        "RAM": _ram(),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": _postgres_version(pg_bin),
        "packages": ", ".join(f"{k} {v}" for k, v in versions.items()),
    }
    if load_before is not None:
        info["load average (1 min) before and after"] = f"{load_before:.2f}, {os.getloadavg()[0]:.2f}"
    return info


def render_machine(info: dict[str, str]) -> str:
    return "\n".join(f"- {key}: {value}" for key, value in info.items())


def render_results(table: str, info: dict[str, str], sizes: Sizes, command: str) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    scale = "the issue's full figures" if sizes.scale == 1 else f"scale {sizes.scale:g} of the issue's figures"
    note = (
        ""
        if sizes.scale == 1
        else (
            " A short run: its figures only show that the benchmark works and roughly "
            "where the bot stands; record a full `make bench` on a quiet machine."
        )
    )
    return f"Measured {when} with `{command}` ({scale}).{note}\n\n{table}\n\nThe machine:\n\n{render_machine(info)}\n"


def write_docs(path: Path, results_text: str) -> None:
    """Replace the results between the markers, keeping the prose around them."""
    text = path.read_text() if path.exists() else f"# Performance\n\n{DOCS_START}\n{DOCS_END}\n"
    if DOCS_START not in text:
        text += f"\n{DOCS_START}\n{DOCS_END}\n"
    pattern = re.compile(re.escape(DOCS_START) + ".*?" + re.escape(DOCS_END), re.S)
    text = pattern.sub(lambda _: f"{DOCS_START}\n{results_text}{DOCS_END}", text)
    path.write_text(text)
