"""Co-organisers: the host department's team for one meetup.

Organisers (ORGANISER_USER_IDS or the user group) run every meetup. An
organiser can name co-organisers for one meetup in its form; they can then
run that meetup's list, export, approvals, edit and messages, and nothing
else. `can_run` is the one rule every such action checks, on the server.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.common.formatting import escape, format_date
from bot.common.ids import parse_id
from storage import co_organisers as store
from storage.db import Database
from storage.models import MEETUP_CANCELLED, Meetup

# More than a host team needs; keeps the approval requests each sign-up sends small.
MAX_CO_ORGANISERS = 10
_USER_ID = re.compile(r"[UW][A-Z0-9]{2,29}")


def can_run(db: Database, user_id: str, meetup_id: int | None, *, is_organiser: Callable[[str], bool]) -> bool:
    """Whether this person may run organiser actions on this meetup: every
    organiser may, and its co-organisers for it alone."""
    if is_organiser(user_id):
        return True
    if meetup_id is None:
        return False
    with db.read() as session:
        return store.is_co_organiser(session, meetup_id, user_id)


def clean_co_organisers(user_ids: Iterable[object]) -> list[str]:
    """The user ids from the form, checked (a forged submission may hold
    anything), without repeats and at most MAX_CO_ORGANISERS."""
    cleaned = [u for u in user_ids if isinstance(u, str) and _USER_ID.fullmatch(u)]
    return list(dict.fromkeys(cleaned))[:MAX_CO_ORGANISERS]


def co_organisers_of(db: Database, meetup_id: int) -> list[str]:
    with db.read() as session:
        return store.list_co_organisers(session, meetup_id)


def co_organiser_ids(session, meetup_id: int) -> list[str]:
    """The meetup's co-organisers, read in the caller's transaction."""
    return store.list_co_organisers(session, meetup_id)


def set_co_organisers(session, meetup_id: int, user_ids: Iterable[str], *, now: datetime) -> None:
    """In the caller's transaction (the meetup's creation or edit)."""
    store.replace_co_organisers(session, meetup_id, clean_co_organisers(user_ids), now=now)


@dataclass(frozen=True)
class CoOrganiserCommand:
    """What a co-organiser's `/meetup NAME [ID]` runs with: the arguments,
    naming their meetup, or a refusal saying why not."""

    args: list[str]
    refusal: str = ""


def co_organiser_command(
    db: Database, user_id: str, name: str, args: list[str], *, now: datetime, tz, refusal: str
) -> CoOrganiserCommand:
    """Let a co-organiser run `/meetup NAME` for a meetup they co-organise:
    the one they name, or their only upcoming one. Someone who co-organises
    nothing gets `refusal`, as anyone who is not an organiser does."""
    with db.read() as session:
        hosted = store.co_organised_meetups(session, user_id)
        if args:
            wanted = parse_id(args[0])
            if any(m.id == wanted for m in hosted):
                return CoOrganiserCommand(args)
    if not hosted:
        return CoOrganiserCommand(args, refusal)
    upcoming = [m for m in hosted if m.ends_at > now and m.status != MEETUP_CANCELLED]
    if not args and len(upcoming) == 1:
        return CoOrganiserCommand([str(upcoming[0].id)])
    return CoOrganiserCommand(args, _which_meetup(name, upcoming or hosted, tz, named=bool(args)))


def upcoming_co_organised(db: Database, user_id: str, *, now: datetime) -> list[Meetup]:
    """The meetups this person helps run that have not ended, soonest first."""
    with db.read() as session:
        hosted = store.co_organised_meetups(session, user_id)
    return [m for m in hosted if m.ends_at > now and m.status != MEETUP_CANCELLED]


def _which_meetup(name: str, hosted: list[Meetup], tz, *, named: bool) -> str:
    first = (
        f"You can use `/meetup {name}` only for a meetup you co-organise."
        if named
        else f"You co-organise more than one meetup: use `/meetup {name} ID`."
    )
    lines = [f"{m.id}: {escape(m.title)}, {format_date(m.starts_at, tz)}" for m in hosted[:20]]
    return "\n".join([first, "Your meetups:", *lines])
