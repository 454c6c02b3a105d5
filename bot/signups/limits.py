"""Limits that keep organisers from being flooded with approval requests.

- Repeat sign-ups: at most MAX_SIGNUPS_PER_DAY sign-ups a day per person per
  meetup, so signing up and cancelling in a loop stops after a few rounds.
- A decline stands: once an organiser declines someone, they cannot sign up
  for that meetup again, even after `/meetup forget` has erased their
  registration.

To do that without keeping the Slack user ID of someone who asked to be
forgotten, a guard row holds only a keyed hash (HMAC-SHA256) of the user ID
with the meetup id, a "declined" flag and the day's count. The key comes
from the app's settings (create_app builds one SignupLimits with it), so the
hash cannot be reversed by hashing every user ID without it. The rows go with the meetup's personal
data (bot/privacy/privacy.py `purge_due`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.common.pseudonyms import Pseudonyms
from storage import signup_guards as guard_store
from storage.models import SignupGuard
from storage.signup_guards import GuardState

MAX_SIGNUPS_PER_DAY = 3
WINDOW = timedelta(days=1)


class SignupLimits:
    """The limits, with the key of their hashes."""

    def __init__(self, secret: str) -> None:
        self._pseudonyms = Pseudonyms(secret)

    def person_key(self, meetup_id: int, user_id: str) -> str:
        return self._pseudonyms.of(meetup_id, user_id)

    @staticmethod
    def refusal(guard: GuardState | None, now: datetime, contact: str) -> str:
        """Why this person cannot sign up for this meetup now, or "", by their
        guard (storage/registrations.py reads it under the meetup's lock)."""
        if guard is None:
            return ""
        if guard.declined:
            return (
                f"An organiser has already decided that they cannot confirm you can come to this meetup. "
                f"If you think this is wrong, contact {contact}."
            )
        if guard.window_started_at > now - WINDOW and guard.signups >= MAX_SIGNUPS_PER_DAY:
            return (
                f"You have signed up for this meetup {guard.signups} times today. Try again tomorrow, "
                f"or contact {contact}."
            )
        return ""

    @staticmethod
    def count_signup(session, meetup_id: int, person: str, now: datetime) -> None:
        """Count a stored sign-up towards the day's limit (`person` is the person's key)."""
        guard_store.count_signup(session, meetup_id, person, now=now, window_start=now - WINDOW)

    def record_decline(self, session, meetup_id: int, user_id: str, now: datetime) -> None:
        _guard(session, meetup_id, self.person_key(meetup_id, user_id), now).declined = True


# For callers that do not keep hashes across restarts (tests, scripts): the
# app always passes its own, keyed from its settings.
UNKEYED = SignupLimits("meetup-bot")


def _guard(session, meetup_id: int, person: str, now: datetime) -> SignupGuard:
    guard = guard_store.get_guard(session, meetup_id, person)
    if guard is None:
        guard = guard_store.add_guard(
            session, SignupGuard(meetup_id=meetup_id, person=person, declined=False, window_started_at=now, signups=0)
        )
    return guard
