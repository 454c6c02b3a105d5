"""The reminder worker: every REMINDER_POLL_SECONDS, queue the reminders that
are due and send what the outbox holds. `meetup-bot serve` runs it in a
background thread; `meetup-bot reminders run-due` runs it once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.common.formatting import plural
from bot.common.outbox import describe_due
from bot.organising.closing import CardRenderer, queue_closed_cards
from bot.reminders.reminders import (
    ReminderMessages,
    ReminderPlan,
    describe_due_reminders,
    plan_missing,
    queue_due_reminders,
)
from bot.runtime.sender import Outbox, Summary
from storage.db import Database
from storage.models import utcnow

log = logging.getLogger(__name__)


@dataclass
class RunSummary:
    reminders_queued: int
    reminders_skipped: int
    deliveries: Summary
    topics_carried: int = 0
    homes_published: int = 0
    feedback_asked: int = 0
    lists_queued: int = 0
    introductions_queued: int = 0

    def __str__(self) -> str:
        d = self.deliveries
        others = [
            (d.retrying, "message to try again later", "messages to try again later"),
            (d.failed, "message could not be sent (see /meetup list)", "messages could not be sent (see /meetup list)"),
            (d.cancelled, "message no longer needed", "messages no longer needed"),
            (
                self.reminders_skipped,
                "reminder skipped as too late (see the log)",
                "reminders skipped as too late (see the log)",
            ),
            (self.topics_carried, "topic moved to the next meetup", "topics moved to the next meetup"),
            (self.homes_published, "Home tab brought up to date", "Home tabs brought up to date"),
            (self.feedback_asked, "person asked for feedback", "people asked for feedback"),
            (self.lists_queued, "visitor list queued for the organisers", "visitor lists queued for the organisers"),
            (self.introductions_queued, "introduction queued", "introductions queued"),
        ]
        done = [plural(d.sent, "message sent", "messages sent")]
        return ", ".join(done + [plural(count, one, many) for count, one, many in others if count]) + "."


@dataclass(kw_only=True, eq=False)
class ReminderWorker:
    db: Database
    outbox: Outbox
    messages: ReminderMessages
    plan: ReminderPlan
    channel: str
    poll_seconds: int = 30
    clock: Callable[[], datetime] = utcnow
    # Draws the announcement card, so it says "Sign-up closed" when sign-up closes.
    cards: CardRenderer | None = None
    # Moves the topics of meetups that have ended to the next meetup; returns how many.
    topics: Callable[[], int] | None = None
    # Publishes up to `home_batch` Home tabs of people whose status changed; returns how many.
    homes: Callable[[int], int] | None = None
    home_batch: int = 25
    # Queues the feedback requests due the morning after a meetup, given the
    # time (as feedback(now=...)); returns how many people it asked.
    feedback: Callable[..., int] | None = None
    # Says whose feedback would be asked for, given the time (as feedback(now=...)), for the dry run.
    describe_feedback: Callable[..., list[str]] | None = None
    # Queues the final visitor lists now due and the change lists after them; returns how many.
    venue_lists: Callable[[], int] | None = None
    # Says which visitor lists are due, given the time (as describe_lists(now=...)), for the dry run.
    describe_lists: Callable[..., list[str]] | None = None
    # Plans and queues the introductions of meetups now due (bot/introductions); returns the queued ids.
    introductions: Callable[[datetime], list[int]] | None = None
    _stop: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _thread: threading.Thread | None = field(default=None, init=False, repr=False)

    def run_due(self) -> RunSummary:
        """Queue due reminders, then send everything due, once."""
        now = self.clock()
        plan_missing(self.db, self.plan, now)
        queued = queue_due_reminders(self.db, now=now, plan=self.plan, channel=self.channel, messages=self.messages)
        if self.cards is not None:
            queue_closed_cards(self.db, now=now, render=self.cards)
        # Before sending: the proposers' messages about moved topics go this round.
        carried = self._timer("moving topics", self.topics) if self.topics else 0
        feedback = self.feedback
        asked = self._timer("asking for feedback", lambda: feedback(now=now)) if feedback else 0
        lists = self._timer("queueing venue lists", self.venue_lists) if self.venue_lists else 0
        introduce = self.introductions
        introduced = self._timer("planning introductions", lambda: len(introduce(now))) if introduce else 0
        sent = self.outbox.deliver_due(stop=self._stop)
        homes = self.homes
        published = self._timer("publishing Home tabs", lambda: homes(self.home_batch)) if homes else 0
        return RunSummary(queued.queued, queued.skipped, sent, carried, published, asked, lists, introduced)

    def _timer(self, what: str, run: Callable[[], int]) -> int:
        # One of these failing (Slack or the database away) must not stop the
        # reminders and the outbox: it is tried again next round.
        try:
            return run()
        except Exception:
            log.exception("Reminder worker: %s failed; trying again next round", what)
            return 0

    def dry_run(self) -> list[str]:
        """What run_due would do now. Reads only."""
        now = self.clock()
        lines = describe_due_reminders(self.db, now=now, plan=self.plan, channel=self.channel)
        if self.describe_feedback is not None:
            lines += self.describe_feedback(now=now)
        if self.describe_lists is not None:
            lines += self.describe_lists(now=now)
        lines += describe_due(self.db, now)
        return lines

    # ------------------------------------------------------------ in the background

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="reminder-worker", daemon=True)
        self._thread.start()
        log.info("Reminder worker started: looking for due work every %d seconds", self.poll_seconds)

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                summary = self.run_due()
                if summary.deliveries.total or summary.reminders_skipped or summary.topics_carried:
                    log.info("Reminder worker: %s", summary)
            except Exception:
                # The database or Slack being away must not end the worker:
                # nothing is lost, it tries again at the next poll.
                log.exception("Reminder worker: this round failed; trying again in %d seconds", self.poll_seconds)
            self._stop.wait(self.poll_seconds)
