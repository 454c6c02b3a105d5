"""CPU per request of one server process, the bot's or its fair floor's,
serving in this process while the load comes from another: the figure to
profile with, as nothing else runs in the process.

    python -m bench.single bot command [COUNT]
    py-spy record --gil -o docs/perf/command-after.svg -- python -m bench.single bot command 400

`--gil` samples only the thread running Python, so the flame graph shows
CPU, not waiting. A submission needs the bot's sign-up modal: run `bot
submission` before `fair submission` (it is kept in the working directory).
Prints one line of JSON: the process's CPU per request (milliseconds), the
Web API calls per request.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from bench import payloads
from bench.load import _Client
from bench.procs import FakeSlackProcess, free_port, run_load_process
from bench.scenarios import SIGNUP_ANSWERS
from bot.runtime.server import make_http_server
from storage.db import Database

SECRET = "bench-single-secret"
TOKEN = "xoxb-test-token"
CHANNEL = "C0MEETUP"
VIEW_FILE = Path("bench-single-view.json")
SELF = resource.RUSAGE_SELF


def _bot(fake: FakeSlackProcess, url: str):
    from bot.runtime import logs
    from bot.runtime.app import create_app, make_outbox
    from bot.settings import load_settings
    from storage.migrate import upgrade
    from storage.models import utcnow
    from tests.support.factories import make_meetup

    env = {"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url}
    env |= {"DATABASE_URL": url, "MEETUP_CHANNEL_ID": CHANNEL, "ORGANISER_USER_IDS": "U0ORGANISER"}
    settings = load_settings(env)
    # Its log lines as in production (one per request and per Slack call), written nowhere.
    logs.configure("text", stream=open(os.environ.get("BENCH_LOG", os.devnull), "w"))  # noqa: SIM115 (for the life of the process)
    db = Database(url)
    upgrade(db.engine)
    app, _ = create_app(settings, db, outbox=make_outbox(settings, db))
    make_meetup(db, now=utcnow(), capacity=1_000_000, title="Benchmark: one process")
    return app, db


def _fair(fake: FakeSlackProcess, url: str):
    from bench.floor import FLOOR_TABLE, create_floor_app

    db = Database(url)
    FLOOR_TABLE.metadata.create_all(db.engine)
    return create_floor_app(token=TOKEN, signing_secret=SECRET, api_url=fake.api_url, database=db), db


def _signup_view(fake: FakeSlackProcess, port: int) -> dict:
    trigger = f"bench-{uuid.uuid4().hex}"
    client = _Client("127.0.0.1", port, SECRET, 10)
    client.send(
        payloads.command(
            "signup", user_id="UVIEW0001", channel_id=CHANNEL, response_url=fake.response_url, trigger_id=trigger
        )
    )
    client.close()
    for _ in range(200):
        answer = fake.control("view", trigger_id=trigger)
        if answer:
            return answer["view"]
        time.sleep(0.05)
    raise RuntimeError("the sign-up modal did not open")


def _calls_when_quiet(fake: FakeSlackProcess) -> int:
    last, quiet_since = None, time.monotonic()
    while True:
        total = sum(fake.control("stats")["calls"].values())
        if total != last:
            last, quiet_since = total, time.monotonic()
        elif time.monotonic() - quiet_since > 0.7:
            return total
        time.sleep(0.1)


def main(which: str, scenario: str, count: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="meetup-single-"))
    fake = FakeSlackProcess(CHANNEL, workdir / "fake.log")
    try:
        url = f"sqlite:///{workdir / 'single.db'}"
        app, db = (_bot if which == "bot" else _fair)(fake, url)
        port = free_port()
        threading.Thread(target=make_http_server(app, db, host="127.0.0.1", port=port).run, daemon=True).start()
        time.sleep(0.5)
        if scenario == "command":
            source = {"type": "command", "text": "signup", "channel_id": CHANNEL, "response_url": fake.response_url}
        else:
            if which == "bot":
                VIEW_FILE.write_text(json.dumps(_signup_view(fake, port)))
            source = {"type": "submission", "view": json.loads(VIEW_FILE.read_text()), "values": SIGNUP_ANSWERS}
        spec = {"url": f"http://127.0.0.1:{port}", "secret": SECRET, "timeout": 10, "mode": "closed", "clients": 4}
        run_load_process(
            {**spec, "max_count": 60, "duration": 60, "source": {**source, "user_prefix": "UWARM"}}, timeout=120
        )
        calls_before, cpu_before, usage_before = _calls_when_quiet(fake), time.process_time(), resource.getrusage(SELF)
        done = run_load_process(
            {**spec, "max_count": count, "duration": 300, "source": {**source, "user_prefix": "UMEASURE"}}, timeout=400
        )
        calls = _calls_when_quiet(fake) - calls_before
        cpu = time.process_time() - cpu_before
        usage = resource.getrusage(SELF)
        return {
            "which": which,
            "scenario": scenario,
            "count": done["count"],
            "statuses": done["statuses"],
            "cpu_ms_per_request": round(cpu / done["count"] * 1000, 2),
            # The kernel's share (system calls: sockets, file locks, SQLite's writes) of that CPU.
            "system_ms_per_request": round((usage.ru_stime - usage_before.ru_stime) / done["count"] * 1000, 2),
            "calls_per_request": round(calls / done["count"], 2),
        }
    finally:
        fake.stop()


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) not in (2, 3) or args[0] not in ("bot", "fair") or args[1] not in ("command", "submission"):
        sys.exit(__doc__)
    print(json.dumps(main(args[0], args[1], int(args[2]) if len(args) == 3 else 400)))
