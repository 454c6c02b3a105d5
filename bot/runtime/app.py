"""The Bolt app factory."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import partial

from slack_bolt import App, BoltContext, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler

from bot.common.pseudonyms import PersonKeys, Pseudonyms
from bot.domains.imports import table_from
from bot.runtime.fitting import give_fitting_replies
from bot.runtime.organisers import Organisers
from bot.runtime.replay import ReplayGuard
from bot.runtime.request_log import LoggedApp, LoggingWebClient, give_logging_client
from bot.runtime.sender import Outbox
from bot.settings import Settings
from bot.signups.limits import SignupLimits
from handlers import (
    announcement,
    approvals,
    attendee_messages,
    commands,
    door,
    exporting,
    feedback,
    home,
    introductions,
    listing,
    organising,
    privacy,
    schedule,
    signup,
    stats,
    topics,
    votes,
)
from handlers.deps import Deps, RegistrationHooks, Subcommands
from handlers.throttle import Throttle
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

# Each feature adds its listeners, `/meetup` subcommands and hooks in its
# register(app, deps). The order is the help text's order, and the order the
# hooks run after a sign-up changes (the card, the approval messages, the Home).
FEATURES = (
    commands,
    listing,
    signup,
    privacy,
    announcement,
    approvals,
    exporting,
    home,
    introductions,
    organising,
    attendee_messages,
    door,
    stats,
    topics,
    votes,
    schedule,
    feedback,
)


def make_client(settings: Settings, *, retry_server_errors: bool = True) -> WebClient:
    """A Web API client that waits out HTTP 429 (Retry-After) and retries
    brief server and connection errors, so a busy Slack does not lose a DM.

    The outbox's client retries only 429s (Slack did nothing, so trying again
    is safe): after a server error or a timeout the message may have been
    posted, and the outbox checks before posting again."""
    handlers: list[RetryHandler] = [RateLimitErrorRetryHandler(max_retry_count=3)]
    if retry_server_errors:
        handlers += [ServerErrorRetryHandler(max_retry_count=2), ConnectionErrorRetryHandler(max_retry_count=2)]
    return LoggingWebClient(token=settings.bot_token, base_url=settings.api_url, timeout=10, retry_handlers=handlers)


def make_outbox(settings: Settings, db: Database, *, clock: Callable[[], datetime] = utcnow) -> Outbox:
    return Outbox(
        db,
        make_client(settings, retry_server_errors=False),
        clock=clock,
        retry_seconds=settings.delivery_retry_seconds,
        max_attempts=settings.delivery_max_attempts,
    )


def create_app(
    settings: Settings, db: Database, *, clock: Callable[[], datetime] = utcnow, outbox: Outbox | None = None
) -> tuple[App, Deps]:
    """The Bolt app with every feature's listeners, and what they share. The
    caller that also runs the sender passes its outbox in, to keep hold of it."""
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
    organisers = Organisers(settings.organiser_user_ids, settings.organiser_usergroup_id, client)
    deps = make_deps(settings, db, organisers, clock=clock, outbox=outbox or make_outbox(settings, db, clock=clock))
    _prepare_requests(app, None if settings.socket_mode else ReplayGuard(db))
    for feature in FEATURES:
        feature.register(app, deps)
    # Ask Slack for the organiser group now, so the first request rarely waits.
    organisers.start()
    return app, deps


def make_deps(
    settings: Settings, db: Database, organisers: Organisers, *, clock: Callable[[], datetime], outbox: Outbox
) -> Deps:
    """What the listeners share; the worker draws with the same."""
    hash_key = settings.signing_secret or settings.bot_token
    return Deps(
        settings=settings,
        db=db,
        organisers=organisers,
        clock=clock,
        outbox=outbox,
        # Eligibility follows a list imported with `meetup-bot domains import`.
        domains=table_from(db),
        # The key of the hashes kept after `/meetup forget`: a decline that
        # stands, and the votes a recount must leave out.
        limits=SignupLimits(hash_key),
        pseudonyms=Pseudonyms(hash_key),
        person_keys=PersonKeys.from_settings(settings),
        subcommands=Subcommands(),
        registration_hooks=RegistrationHooks(),
        card_throttle=Throttle(announcement.CARD_REFRESH_SECONDS),
    )


def _prepare_requests(app: App, guard: ReplayGuard | None) -> None:
    """The app's global middleware: one, not three, as Bolt works out each
    middleware's arguments again for every request."""

    @app.middleware
    def prepare(req: BoltRequest, context: BoltContext, next: Callable[[], BoltResponse]):  # noqa: A002 (Bolt's name)
        # Runs after Bolt has checked the signature and the timestamp. Socket
        # Mode has no signature, and its requests come over the app's own connection.
        if guard is not None:
            signature = req.headers.get("x-slack-signature", [""])[0]
            timestamp = req.headers.get("x-slack-request-timestamp", [""])[0]
            if not guard.is_first_delivery(signature, timestamp):
                log.warning("Refused a replayed request")
                return BoltResponse(status=401, body="")
        give_logging_client(context)
        give_fitting_replies(context)
        return next()


def make_worker(
    settings: Settings, db: Database, *, outbox: Outbox | None = None, clock: Callable[[], datetime] = utcnow
):
    """The reminder worker for `meetup-bot serve` and `meetup-bot reminders run-due`."""
    from bot.common.working_days import WorkingDays
    from bot.feedback.feedback import FeedbackPlan, ask_for_feedback, describe_due_feedback
    from bot.introductions.introductions import queue_due_introductions
    from bot.meetups.home import home_batch
    from bot.reminders.reminders import ReminderPlan
    from bot.runtime.worker import ReminderWorker
    from bot.signups.venue_lists import describe_due_lists
    from handlers.announcement import card_message
    from handlers.blocks.feedback import feedback_request
    from handlers.blocks.introductions import introduction_message
    from handlers.blocks.reminders import ReminderBlocks
    from handlers.venue_lists import queue_venue_lists

    outbox = outbox or make_outbox(settings, db, clock=clock)
    feedback_plan = FeedbackPlan.from_settings(settings)
    # The worker posts topic cards and draws Home tabs as the app does.
    client = make_client(settings)
    organisers = Organisers(settings.organiser_user_ids, settings.organiser_usergroup_id, client)
    deps = make_deps(settings, db, organisers, clock=clock, outbox=outbox)
    return ReminderWorker(
        db=db,
        outbox=outbox,
        messages=ReminderBlocks(),
        channel=settings.channel_id,
        plan=ReminderPlan.from_settings(settings),
        poll_seconds=settings.reminder_poll_seconds,
        clock=clock,
        cards=partial(card_message, tz=settings.tz),
        topics=partial(topics.carry_over_now, client, deps),
        homes=partial(home.publish_changed_homes, client, deps),
        home_batch=home_batch(settings.reminder_poll_seconds),
        feedback=partial(ask_for_feedback, db, plan=feedback_plan, render=feedback_request),
        describe_feedback=partial(describe_due_feedback, db, plan=feedback_plan),
        venue_lists=partial(queue_venue_lists, deps),
        describe_lists=partial(
            describe_due_lists,
            db,
            working_days=settings.final_list_working_days,
            tz=settings.tz,
            calendar=WorkingDays(settings.bank_holidays),
        ),
        introductions=lambda now: queue_due_introductions(
            db,
            now=now,
            days_before=settings.introductions_days_before,
            people=deps.person_keys,
            render=partial(introduction_message, tz=settings.tz),
        ),
    )
