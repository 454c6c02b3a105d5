"""Keyword-only factories with sensible defaults."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.organising.organising import create_meetup
from bot.signups.signups import SignupForm
from storage.db import Database

LONDON = ZoneInfo("Europe/London")


def make_meetup(
    db: Database,
    *,
    now: datetime,
    title: str = "Cross-government open source meetup",
    capacity: int = 10,
    audience: str = "government",
    extra_sectors=frozenset(),
    starts_in: timedelta = timedelta(days=45),
    hours: int = 4,
    venue: str = "102 Petty France, London",
    **fields,
):
    starts = (now + starts_in).astimezone(LONDON).replace(hour=13, minute=0, second=0, microsecond=0)
    return create_meetup(
        db,
        title=title,
        starts=starts,
        ends=starts + timedelta(hours=hours),
        venue=venue,
        capacity=capacity,
        audience=audience,
        extra_sectors=frozenset(extra_sectors),
        host_organisation="Ministry of Justice",
        tz=LONDON,
        now=now,
        **fields,
    )


def make_form(
    *,
    meetup_id: int,
    full_name: str = "Ada Lovelace",
    email: str = "ada@digital.cabinet-office.gov.uk",
    organisation: str = "Cabinet Office",
    role: str = "civil_servant",
    **fields,
) -> SignupForm:
    return SignupForm(
        meetup_id=meetup_id, full_name=full_name, email=email, organisation=organisation, role=role, **fields
    )
