"""Signing up, cancelling and the waitlist.

Every change to who holds a place happens inside one transaction that holds
the meetup's lock (storage.meetups.lock_meetup), so confirmed places never
exceed capacity however many people press the button at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.common.pseudonyms import PersonKeys
from bot.domains.lookup import SHIPPED, DomainMatch, DomainTable
from bot.meetups.meetups import is_taking_signups
from bot.signups.eligibility import CONTRACTOR, ROLES, Eligibility, decide
from bot.signups.limits import UNKEYED, SignupLimits
from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage.db import Database
from storage.meetups import MeetupCopies
from storage.models import (
    ACTIVE_STATUSES,
    CANCELLED,
    CONFIRMED,
    DECLINED,
    PENDING,
    WAITLISTED,
    Meetup,
    Registration,
)

LIMITS = {"full_name": 200, "organisation": 200, "government_team": 200, "dietary_needs": 500, "access_needs": 500}


@dataclass(frozen=True)
class SignupForm:
    meetup_id: int | None
    full_name: str
    email: str
    organisation: str
    role: str | None
    government_team: str = ""
    dietary_needs: str = ""
    access_needs: str = ""
    needs_consent: bool = False


def clean_text(value: str | None, *, multiline: bool = False) -> str:
    """Trim and drop control characters (keeping newlines where allowed), so
    what we store and echo back is what the person meant to type."""
    if not value:
        return ""
    kept = []
    for char in value:
        if char == "\n" and multiline or unicodedata.category(char) not in ("Cc", "Cf"):
            kept.append(char)
    return re.sub(r"[ \t]+", " ", "".join(kept)).strip()


def meetup_chosen(meetup_id: int | None) -> dict[str, str]:
    """The error when a form's "Which meetup" was left empty: the same words on every form."""
    return {} if meetup_id is not None else {"meetup": "Select a meetup"}


def validate(form: SignupForm) -> dict[str, str]:
    """Field name -> message saying how to put it right. Empty means valid."""
    errors = meetup_chosen(form.meetup_id)
    if not form.full_name:
        errors["full_name"] = "Enter your full name"
    if not form.organisation:
        errors["organisation"] = "Enter your organisation"
    if form.role not in ROLES:
        errors["role"] = "Select how you work in government"
    if form.role == CONTRACTOR and not form.government_team:
        errors["government_team"] = "Enter the government team you work in"
    if (form.dietary_needs or form.access_needs) and not form.needs_consent:
        errors["needs_consent"] = "Tick the box to let us keep your dietary and access needs, or leave them empty"
    for name, limit in LIMITS.items():
        if name not in errors and len(getattr(form, name)) > limit:
            errors[name] = f"{name.replace('_', ' ').capitalize()} must be {limit} characters or fewer"
    return errors


class SignupOutcome(StrEnum):
    # A new or renewed sign-up's outcome is the registration's status.
    CONFIRMED = CONFIRMED
    WAITLISTED = WAITLISTED
    PENDING_APPROVAL = PENDING
    NOT_ELIGIBLE = "not_eligible"
    ALREADY = "already"
    CLOSED = "closed"


@dataclass(frozen=True)
class SignupResult:
    """What happened, for the handler to tell the person."""

    outcome: SignupOutcome
    meetup: Meetup | None
    registration: Registration | None = None
    reason: str = ""
    waitlist_position: int | None = None


def sign_up(
    db: Database,
    form: SignupForm,
    *,
    user_id: str,
    now: datetime,
    contact: str,
    then: Callable[[object, SignupResult], None] | None = None,
    domains: DomainTable = SHIPPED,
    limits: SignupLimits = UNKEYED,
    people: PersonKeys | None = None,
    copies: MeetupCopies | None = None,
) -> SignupResult:
    """Decide and store a sign-up in one transaction.

    The form must already be valid (see `validate`). Someone not eligible is
    told why and nothing about them is kept. `then(session, result)` runs
    inside the transaction once the outcome is decided, so a message about it
    can be queued (bot.common.outbox) and is stored if and only if the sign-up is.
    `domains` is the table in use (the app passes one that sees imports).
    `copies` keeps the meetup between sign-ups (MeetupCopies.locked).
    """
    if form.role is None:
        raise ValueError("sign_up needs a valid form: validate() asks for a role")
    if form.meetup_id is None:  # as for a meetup that no longer exists
        return SignupResult(SignupOutcome.CLOSED, None)
    match = domains.lookup(form.email) if form.email else None
    with db.transaction() as session:
        meetup = (copies or MeetupCopies()).locked(session, form.meetup_id)
        if meetup is None or not is_taking_signups(meetup, now):
            return SignupResult(SignupOutcome.CLOSED, meetup)
        person = limits.person_key(meetup.id, user_id)  # a keyed hash: made once
        existing, confirmed, guard = registration_store.registration_and_confirmed(session, meetup.id, user_id, person)
        # Declined: an organiser has already decided; signing up again cannot undo that.
        if existing is not None and (existing.status in ACTIVE_STATUSES or existing.status == DECLINED):
            return SignupResult(SignupOutcome.ALREADY, meetup, existing)
        # A decline that outlived `/meetup forget`, or too many sign-ups today.
        refused = limits.refusal(guard, now, contact)
        if refused:
            return SignupResult(SignupOutcome.NOT_ELIGIBLE, meetup, reason=refused)
        decision = decide(
            audience=meetup.audience, extra_sectors=meetup.sectors, match=match, role=form.role, contact=contact
        )
        if decision.outcome == Eligibility.NOT_ELIGIBLE:
            return SignupResult(SignupOutcome.NOT_ELIGIBLE, meetup, reason=decision.reason)
        registration = existing or Registration(meetup_id=meetup.id, slack_user_id=user_id, created_at=now)
        _fill_in(registration, form, match, role=form.role, reason=decision.reason, now=now, people=people)
        position = None
        if decision.outcome == Eligibility.NEEDS_APPROVAL:
            registration.set_status(PENDING, now)
            registration_store.add_registration(session, registration)
        else:
            position = assign_place(session, meetup, registration, now, confirmed=confirmed)
        limits.count_signup(session, meetup.id, person, now)
        result = SignupResult(SignupOutcome(registration.status), meetup, registration, decision.reason, position)
        if then is not None:
            then(session, result)
        return result


def _fill_in(
    registration: Registration,
    form: SignupForm,
    match: DomainMatch | None,
    *,
    role: str,
    reason: str,
    now: datetime,
    people: PersonKeys | None = None,
) -> None:
    """What the person gave, over anything kept from an earlier sign-up.
    With `people`, a person key, which outlives the purge for the series
    figures (bot/meetups/stats.py)."""
    if people is not None:
        registration.person_key = people.of(registration.slack_user_id)
    registration.full_name = form.full_name
    registration.email = form.email
    registration.organisation = form.organisation
    registration.domain_organisation = match.organisation if match else None
    registration.sector = match.sector if match else None
    registration.role = role
    registration.government_team = form.government_team
    registration.dietary_needs = form.dietary_needs
    registration.access_needs = form.access_needs
    registration.needs_consent_at = now if (form.dietary_needs or form.access_needs) else None
    registration.reason = reason
    registration.decided_by = None


def _waitlist_number(registration: Registration) -> int:
    # assign_place, the only place that waitlists anyone, numbers them too.
    assert registration.waitlist_number is not None, f"registration {registration.id} is waitlisted with no number"
    return registration.waitlist_number


def assign_place(
    session, meetup: Meetup, registration: Registration, now: datetime, *, confirmed: int | None = None
) -> int | None:
    """Give a place if one is free, otherwise the next number on the waitlist.
    Call with the meetup locked; `confirmed` is its count of places taken, if
    read under that lock already. Returns the waitlist position, if waitlisted."""
    if confirmed is None:
        confirmed = registration_store.count_confirmed(session, meetup.id)
    if confirmed < meetup.capacity:
        registration.set_status(CONFIRMED, now)
        registration_store.add_registration(session, registration)
        return None
    registration.set_status(WAITLISTED, now)
    registration.waitlist_number = registration_store.next_waitlist_number(session, meetup.id)
    registration_store.add_registration(session, registration)
    return registration_store.count_waitlisted_before(session, registration) + 1


def fill_places(session, meetup: Meetup, now: datetime) -> list[Registration]:
    """Move people up from the waitlist, longest-waiting first, while there is
    room. Call with the meetup locked."""
    promoted = []
    free = meetup.capacity - registration_store.count_confirmed(session, meetup.id)
    while free > 0:
        next_person = registration_store.first_on_waitlist(session, meetup.id)
        if next_person is None:
            break
        next_person.set_status(CONFIRMED, now)
        session.flush()
        promoted.append(next_person)
        free -= 1
    return promoted


class CancelOutcome(StrEnum):
    CANCELLED = "cancelled"
    NOT_REGISTERED = "not_registered"


@dataclass(frozen=True)
class CancelResult:
    """What a cancellation did: the person's reply, and whoever moved up into
    the place (`promoted`), whose messages the caller queued."""

    outcome: CancelOutcome
    meetup: Meetup | None
    registration: Registration | None = None
    promoted: list[Registration] = field(default_factory=list)
    previous_status: str = ""


def cancel(
    db: Database,
    *,
    meetup_id: int,
    user_id: str,
    now: datetime,
    then: Callable[[object, CancelResult], None] | None = None,
) -> CancelResult:
    """Give up a place (or a waitlist spot, or a pending request) and pass a
    freed place to the longest-waiting person, in the same transaction.
    `then(session, result)` runs inside it after a cancellation, to queue the
    messages telling the promoted people (bot.common.outbox)."""
    with db.transaction() as session:
        meetup = meetup_store.lock_meetup(session, meetup_id)
        if meetup is None:
            return CancelResult(CancelOutcome.NOT_REGISTERED, None)
        registration = registration_store.get_registration(session, meetup.id, user_id)
        if registration is None or registration.status not in ACTIVE_STATUSES:
            return CancelResult(CancelOutcome.NOT_REGISTERED, meetup, registration)
        previous_status = registration.status
        registration.set_status(CANCELLED, now)
        session.flush()
        promoted = fill_places(session, meetup, now) if meetup.starts_at > now else []
        result = CancelResult(CancelOutcome.CANCELLED, meetup, registration, promoted, previous_status)
        if then is not None:
            then(session, result)
        return result


def current_registrations(db: Database, user_id: str) -> list[tuple[Meetup, Registration]]:
    """A person's active registrations, soonest meetup first."""
    with db.read() as session:
        return [(r.meetup, r) for r in registration_store.list_active_registrations_for_user(session, user_id)]


def signup_choices(
    db: Database, user_id: str, now: datetime, copies: MeetupCopies
) -> tuple[list[Meetup], dict[int, Registration]]:
    """The meetups taking sign-ups, and this person's active registrations
    for them by meetup id: what `/meetup signup` needs before its modal. A
    trigger_id lives 3 seconds and every request pays for each read, so in
    the usual case this is one light statement, the meetups coming from
    `copies` (storage.meetups.MeetupCopies)."""
    with db.single_read() as connection:
        rows = registration_store.upcoming_with_own_registration(connection, db.engine.dialect.name, user_id, now)
    meetups = [m for m in copies.current(db, ((m_id, at) for m_id, at, _ in rows)) if is_taking_signups(m, now)]
    mine: dict[int, Registration] = {}
    registration_ids = [r_id for _, _, r_id in rows if r_id is not None]
    if registration_ids:  # already signed up: the message says for what
        with db.read() as session:
            registrations = registration_store.get_registrations(session, registration_ids)
        mine = {r.meetup_id: r for r in registrations if r.status in ACTIVE_STATUSES}
    return meetups, mine


def find_registration(db: Database, meetup_id: int, user_id: str) -> Registration | None:
    with db.read() as session:
        return registration_store.get_registration(session, meetup_id, user_id)


@dataclass(frozen=True)
class Overview:
    """What an organiser sees in `/meetup list`."""

    meetup: Meetup
    counts: dict[str, int]
    by_organisation: list[tuple[str, int]]
    confirmed: list[Registration]
    waitlisted: list[Registration]
    pending: list[Registration]


def overview(db: Database, meetup_id: int) -> Overview | None:
    with db.read() as session:
        meetup = meetup_store.get_meetup(session, meetup_id)
        if meetup is None:
            return None
        counts = registration_store.count_by_status(session, meetup_id)
        everyone = registration_store.list_registrations(session, meetup_id)
    by_status = {status: [r for r in everyone if r.status == status] for status in (CONFIRMED, WAITLISTED, PENDING)}
    organisations = Counter(r.organisation for r in everyone if r.status in ACTIVE_STATUSES)
    return Overview(
        meetup=meetup,
        counts=counts,
        by_organisation=sorted(organisations.items(), key=lambda item: (-item[1], item[0].lower())),
        confirmed=by_status[CONFIRMED],
        waitlisted=sorted(by_status[WAITLISTED], key=_waitlist_number),
        pending=by_status[PENDING],
    )
