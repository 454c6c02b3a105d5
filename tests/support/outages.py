"""Slack down while the outbox holds messages: waiting them out, then delivering once it is back."""

from __future__ import annotations

import time

from storage.models import DELIVERY_CLAIMED, DELIVERY_PENDING, DELIVERY_SENT
from tests.support.organising import eventually
from tests.support.reminders import deliveries


def tried_once_and_waiting(bot, kind):
    """The attempt straight after the ack met the outage; the delivery waits to be retried."""
    eventually(
        lambda: (
            (queued := deliveries(bot.db, kind=kind))
            and all(d.state == DELIVERY_PENDING and d.attempts == 1 for d in queued)
        )
    )


def after_the_outage(bot):
    # Every attempt that met the outage has recorded its failure first: one
    # still in flight (its client pausing before a retry) would otherwise
    # record it after the clock moves on, and wait past the new time.
    eventually(lambda: all(d.state != DELIVERY_CLAIMED for d in deliveries(bot.db)))
    bot.fake.end_outage()
    bot.clock.advance(hours=1)  # past every backoff
    bot.deps.outbox.deliver_due()
    time.sleep(0.2)
    bot.deps.outbox.deliver_due()  # nothing left: a second round sends nothing again


def through_an_outage(bot, kind: str, count: int) -> None:
    """Slack is down when the messages are queued and for a while after: they
    wait, and go once Slack is back, whatever else tries them again."""
    eventually(lambda: [d for d in deliveries(bot.db, kind=kind) if d.state == DELIVERY_PENDING and d.attempts >= 1])
    assert len(deliveries(bot.db, kind=kind)) == count
    # Still down a minute later: the retry fails too, and nothing is lost.
    bot.clock.advance(minutes=1)
    bot.deps.outbox.deliver_due()
    assert {d.state for d in deliveries(bot.db, kind=kind)} == {DELIVERY_PENDING}
    bot.fake.end_outage()
    bot.clock.advance(minutes=10)
    bot.deps.outbox.deliver_due()
    assert {d.state for d in deliveries(bot.db, kind=kind)} == {DELIVERY_SENT}
    # Trying again later sends nothing twice.
    bot.clock.advance(hours=1)
    assert bot.deps.outbox.deliver_due().total == 0
