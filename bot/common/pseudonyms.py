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


class Pseudonyms:
    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def of(self, *parts: object) -> str:
        """The hash of these parts, joined with ':' (a user ID, or a meetup id and a user ID)."""
        return hmac.new(self._key, ":".join(map(str, parts)).encode(), hashlib.sha256).hexdigest()
