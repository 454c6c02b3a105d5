"""Keyed hashes of Slack user IDs, for what must outlive `/meetup forget`
(a decline that stands, votes a recount must not bring back) without
keeping the ID itself.

HMAC-SHA256 with a key from the app's settings (create_app builds one
Pseudonyms): without the key, the hash cannot be reversed by hashing every
user ID in the workspace.
"""

from __future__ import annotations

import hashlib
import hmac

from bot.settings import Settings


class Pseudonyms:
    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def of(self, *parts: object) -> str:
        """The hash of these parts, joined with ':' (a user ID, or a meetup id and a user ID)."""
        return hmac.new(self._key, ":".join(map(str, parts)).encode(), hashlib.sha256).hexdigest()


class PersonKeys:
    """The person key kept on each sign-up, and after the purge, so the series
    figures count one person once however many meetups they come to
    (bot/meetups/stats.py). Keyed with PSEUDONYM_KEY, or the signing secret
    when it is not set (`meetup-bot check` warns): changing the key later
    makes everyone signing up after the change a new person to the figures.

    The parts are prefixed, so a person key never equals the hash kept for
    `/meetup forget` with the same secret: the two cannot be matched up."""

    def __init__(self, secret: str) -> None:
        self._pseudonyms = Pseudonyms(secret)

    @classmethod
    def from_settings(cls, settings: Settings) -> PersonKeys | None:
        """None when there is no secret at all (a command line run without the
        Slack settings): a key made with an empty secret could be reversed."""
        secret = settings.pseudonym_key or settings.signing_secret or settings.bot_token
        return cls(secret) if secret else None

    def of(self, user_id: str) -> str:
        return self._pseudonyms.of("person", user_id)
