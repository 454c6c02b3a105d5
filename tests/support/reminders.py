"""People with a place, the reminder plan and the outbox's deliveries, read
and made through the real rules."""

from __future__ import annotations

from bot.runtime.app import make_worker
from bot.signups.signups import sign_up
from storage import reminders as reminder_store
from storage.models import Delivery
from tests.support.factories import make_form


def register(db, fake, meetup, user_id, now, *, role="civil_servant", email=None):
    """Sign someone up through the real rules, as the modal would."""
    email = email or f"{user_id.lower()}@justice.gov.uk"
    fake.add_user(user_id, real_name=f"Person {user_id}", email=email)
    result = sign_up(
        db,
        make_form(
            meetup_id=meetup.id,
            full_name=f"Person {user_id}",
            email=email,
            organisation="Ministry of Justice",
            role=role,
        ),
        user_id=user_id,
        now=now,
        contact="the organisers",
    )
    return result.registration


def reminders_of(db, meetup_id):
    with db.read() as session:
        return {r.kind: r for r in reminder_store.list_reminders(session, meetup_id)}


def deliveries(db, **where):
    with db.read() as session:
        query = session.query(Delivery)
        for name, value in where.items():
            query = query.filter(getattr(Delivery, name) == value)
        return query.order_by(Delivery.id).all()


def worker_for(bot):
    return make_worker(bot.deps.settings, bot.db, outbox=bot.deps.outbox, clock=bot.clock)
