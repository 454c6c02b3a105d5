"""Changing your own details after signing up, without losing your place.

Only what does not decide whether someone may come can change here: their
name, government team, and dietary and access needs. Their email address,
organisation and role stay as matched at sign-up, so a change never needs
the eligibility rules again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

from bot.signups.signups import SignupForm, validate
from storage import meetups as meetup_store
from storage import registrations as registration_store
from storage.db import Database
from storage.models import ACTIVE_STATUSES, Meetup, Registration

# Why someone cannot change their details.
NOT_REGISTERED = "not_registered"
STARTED = "started"


@dataclass(frozen=True)
class DetailsResult:
    """A change made, refused (`refused` says why) or wrong (`errors` map
    each field to how to put it right, as at sign-up)."""

    meetup: Meetup | None
    registration: Registration | None = None
    refused: str | None = None
    errors: dict[str, str] = field(default_factory=dict)


def can_change(meetup: Meetup | None, registration: Registration | None, now: datetime) -> str | None:
    """Why this person cannot change their details for this meetup, or None
    if they can: they need a place, a waitlist spot or a request, and the
    meetup must not have started (the door list is in use from then)."""
    if meetup is None or registration is None or registration.status not in ACTIVE_STATUSES:
        return NOT_REGISTERED
    if meetup.starts_at <= now:
        return STARTED
    return None


def find_changeable(db: Database, meetup_id: int, user_id: str, now: datetime) -> DetailsResult:
    """The meetup and registration whose details the form would change."""
    with db.read() as session:
        meetup = meetup_store.get_meetup(session, meetup_id)
        registration = registration_store.get_registration(session, meetup_id, user_id) if meetup else None
    return DetailsResult(meetup, registration, can_change(meetup, registration, now))


def _as_signup_form(form: SignupForm, registration: Registration) -> SignupForm:
    """The form sign-up would have seen, so it is checked by the same rules:
    what decided eligibility comes from the sign-up, never from this form.
    Unticking the consent box withdraws consent: the needs go with it."""
    matched = replace(form, email=registration.email, organisation=registration.organisation, role=registration.role)
    if registration.needs_consent_at is not None and not form.needs_consent:
        return replace(matched, dietary_needs="", access_needs="")
    return matched


def change_details(
    db: Database,
    change: SignupForm,
    *,
    user_id: str,
    now: datetime,
    then: Callable[[object, DetailsResult], None] | None = None,
) -> DetailsResult:
    """Check and store the new details in one transaction (the email
    address, organisation and role in `change` are ignored), keeping the
    person's status, waitlist number and timestamps. Nothing changes when a
    field is wrong (the result's `errors` say how to put it right).
    `then(session, result)` runs inside the transaction after a change, to
    queue the messages about it (bot.common.outbox)."""
    if change.meetup_id is None:
        return DetailsResult(None, refused=NOT_REGISTERED)
    with db.transaction() as session:
        # Under the meetup's lock, like every other change to a sign-up: an
        # organiser deciding a request at the same moment sees one or the other.
        meetup = meetup_store.lock_meetup(session, change.meetup_id)
        registration = registration_store.get_registration(session, meetup.id, user_id) if meetup else None
        refused = can_change(meetup, registration, now)
        if refused is not None:
            return DetailsResult(meetup, registration, refused)
        assert registration is not None  # can_change refuses a missing one
        form = _as_signup_form(change, registration)
        errors = validate(form)
        if errors:
            return DetailsResult(meetup, registration, errors=errors)
        registration.full_name = form.full_name
        registration.government_team = form.government_team
        registration.dietary_needs = form.dietary_needs
        registration.access_needs = form.access_needs
        has_needs = bool(form.dietary_needs or form.access_needs)
        # Consent given earlier still stands; its date is when it was given.
        registration.needs_consent_at = (registration.needs_consent_at or now) if has_needs else None
        session.flush()
        result = DetailsResult(meetup, registration)
        if then is not None:
            then(session, result)
        return result
