"""The Bolt app factory."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.runtime.organisers import Organisers
from bot.runtime.request_log import LoggedApp, LoggingWebClient, log_slack_calls
from bot.runtime.sender import Outbox
from bot.settings import Settings
from storage.db import Database
from storage.models import utcnow

log = logging.getLogger(__name__)

# Bolt runs every listener on one thread pool, and a request is acknowledged
# only once its listener has started and called ack(). Listeners keep their
# thread while they call Slack after acking (open a modal, send a DM: a tenth
# of a second or more each), so with Bolt's default of 5 threads the sixth
# person to press Sign up waits for the first five's Slack calls; at 100 a
# second that passes Slack's 3-second deadline (docs/performance.md).
LISTENER_THREADS = 64


@dataclass(frozen=True)
class Deps:
    """What every listener needs, handed over once at registration."""

    settings: Settings
    db: Database
    organisers: Organisers
    clock: Callable[[], datetime] = utcnow
    # Messages go through the outbox (bot/runtime/sender.py): queued in the
    # transaction, then sent once.
    outbox: Outbox | None = None


def make_client(settings: Settings, *, retry_server_errors: bool = True) -> WebClient:
    """A Web API client that waits out HTTP 429 (Retry-After) and retries
    brief server and connection errors, so a busy Slack does not lose a DM.

    The outbox's client retries only 429s (Slack did nothing, so trying again
    is safe): after a server error or a timeout the message may have been
    posted, and the outbox checks before posting again."""
    handlers = [RateLimitErrorRetryHandler(max_retry_count=3)]
    if retry_server_errors:
        handlers += [ServerErrorRetryHandler(max_retry_count=2), ConnectionErrorRetryHandler(max_retry_count=2)]
    return LoggingWebClient(token=settings.bot_token, base_url=settings.api_url, timeout=10, retry_handlers=handlers)


def make_outbox(settings: Settings, db: Database, *, clock: Callable[[], datetime] = utcnow) -> Outbox:
    return Outbox(db, make_client(settings, retry_server_errors=False), clock=clock,
                  retry_seconds=settings.delivery_retry_seconds, max_attempts=settings.delivery_max_attempts)


def create_app(settings: Settings, db: Database, *, clock: Callable[[], datetime] = utcnow) -> tuple[App, Deps]:
    from bot.domains.imports import use_imported_from
    from bot.signups.limits import use_key
    from handlers import register

    # Eligibility follows a list imported with `meetup-bot domains import`.
    use_imported_from(db)
    # The key of the hashes that keep a decline after `/meetup forget`.
    use_key(settings.signing_secret or settings.bot_token)

    client = make_client(settings)
    app = LoggedApp(
        client=client,
        signing_secret=settings.signing_secret or "",
        # Socket Mode traffic arrives over the app's own authenticated
        # WebSocket, so there is no signature to check.
        request_verification_enabled=not settings.socket_mode,
        # Fail at start, with a clear line, when the token is wrong.
        token_verification_enabled=True,
        logger=logging.getLogger("slack_bolt"),
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
    )
    app.use(log_slack_calls)
    deps = Deps(
        settings=settings,
        db=db,
        organisers=Organisers(settings.organiser_user_ids, settings.organiser_usergroup_id, client),
        clock=clock,
        outbox=make_outbox(settings, db, clock=clock),
    )
    if not settings.socket_mode:
        _refuse_replays(app, db)
    register(app, deps)
    deps.organisers.start()
    return app, deps


def _refuse_replays(app: App, db: Database) -> None:
    from slack_bolt import BoltRequest, BoltResponse

    from bot.runtime.replay import ReplayGuard

    guard = ReplayGuard(db)

    @app.middleware
    def refuse_replays(req: BoltRequest, next: Callable[[], BoltResponse]):
        # Runs after Bolt has checked the signature and the timestamp.
        signature = req.headers.get("x-slack-signature", [""])[0]
        timestamp = req.headers.get("x-slack-request-timestamp", [""])[0]
        if not guard.is_first_delivery(signature, timestamp):
            log.warning("Refused a replayed request")
            return BoltResponse(status=401, body="")
        return next()


def make_worker(settings: Settings, db: Database, *, outbox: Outbox | None = None,
                clock: Callable[[], datetime] = utcnow):
    """The reminder worker for `meetup-bot serve` and `meetup-bot reminders run-due`."""
    from bot.reminders.reminders import ReminderPlan
    from bot.runtime.worker import ReminderWorker
    from handlers.reminder_messages import ReminderBlocks

    return ReminderWorker(db=db, outbox=outbox or make_outbox(settings, db, clock=clock), messages=ReminderBlocks(),
                          channel=settings.channel_id, plan=ReminderPlan.from_settings(settings),
                          poll_seconds=settings.reminder_poll_seconds, clock=clock)
