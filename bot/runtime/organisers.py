"""Who counts as an organiser: listed user IDs, or members of a user group."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


class Organisers:
    # usergroups.users.list is Tier 2 (about 20 calls a minute): cache the
    # membership briefly rather than asking on every command.
    CACHE_SECONDS = 60

    def __init__(self, user_ids: frozenset[str], usergroup_id: str | None, client: WebClient):
        self.user_ids = user_ids
        self.usergroup_id = usergroup_id
        self.client = client
        self._members: frozenset[str] = frozenset()
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def is_organiser(self, user_id: str) -> bool:
        return user_id in self.user_ids or user_id in self._usergroup_members()

    def all(self) -> frozenset[str]:
        return self.user_ids | self._usergroup_members()

    def _usergroup_members(self) -> frozenset[str]:
        if not self.usergroup_id:
            return frozenset()
        with self._lock:
            if time.monotonic() - self._fetched_at > self.CACHE_SECONDS:
                try:
                    response = self.client.usergroups_users_list(usergroup=self.usergroup_id)
                    self._members = frozenset(response.get("users", []))
                    self._fetched_at = time.monotonic()
                except SlackApiError as error:
                    # Keep the last known members: refusing every organiser
                    # because Slack hiccupped would be worse.
                    log.warning("Could not read organiser user group: %s", error.response.get("error"))
            return self._members
