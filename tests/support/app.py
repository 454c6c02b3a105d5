"""The app under test: its settings, an injectable clock, and the real app
behind its real HTTP server with the fake Slack."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.settings import load_settings
from storage.db import Database
from tests.support.slack_requests import SlackSender

SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"
PSEUDONYM_KEY = "test-pseudonym-key"
CHANNEL = "C0MEETUP"
ORGANISER = "U0ORGANISER"


class Clock:
    """An injectable clock, so tests move time instead of sleeping."""

    def __init__(self, now: datetime | None = None):
        self.now = now or datetime(2027, 1, 10, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def settings_env(fake, database_url: str, **overrides) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": database_url,
        "MEETUP_CHANNEL_ID": CHANNEL,
        "ORGANISER_USER_IDS": ORGANISER,
        "PSEUDONYM_KEY": PSEUDONYM_KEY,
        # One process unless a test asks for more (the default follows the cores).
        "WEB_CONCURRENCY": "1",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


@dataclass
class RunningBot:
    url: str
    slack: SlackSender
    fake: object
    db: Database
    clock: Clock
    deps: object
    app: object = None


def _run_until_closed(server) -> None:
    # Closing waitress from another thread can make its select loop trip over
    # the closed socket; after close that is expected, not a failure.
    try:
        server.run()
    except (OSError, ValueError):
        if not getattr(server, "closing", False):
            raise


def stop_bot(running: RunningBot, server, thread) -> None:
    server.closing = True
    server.close()
    thread.join(timeout=5)
    # The threads each app started, so hundreds of tests do not leave
    # thousands of threads and sockets behind (select() fails past 1,024).
    server.task_dispatcher.shutdown(timeout=5)
    if running.app is not None:
        running.app.listener_runner.listener_executor.shutdown(wait=False, cancel_futures=True)
    running.deps.outbox.close()
    running.db.dispose()


def start_bot(fake, database_url: str, clock: Clock, **overrides):
    """The real app behind the real HTTP server, on a free loopback port."""
    from bot.runtime.app import create_app
    from bot.runtime.server import make_http_server
    from bot.runtime.web import make_pages

    settings = load_settings(settings_env(fake, database_url, **overrides))
    database = Database(settings.database_url)
    app, deps = create_app(settings, database, clock=clock)
    # Read afresh on every view, so a test sees its change at once.
    pages = make_pages(settings, database, app.client, clock=clock, fresh_for=0)
    server = make_http_server(app, database, host="127.0.0.1", port=0, threads=8, pages=pages)
    thread = threading.Thread(target=_run_until_closed, args=(server,), daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.effective_port}"
    running = RunningBot(url, SlackSender(url, SIGNING_SECRET), fake, database, clock, deps, app)
    return running, server, thread
