"""Who counts as an organiser: listed user IDs, or members of a user group."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


class Organisers:
    """The user group's members are read from Slack in the background and
    kept: `is_organiser` answers from the last good list at once, whatever
    Slack is doing. No lock is held across a call to Slack, so a slow or
    rate-limited Slack never stalls `/meetup help`, the Home tab or any
    other request; while Slack fails, the last good list stands."""

    # usergroups.users.list is Tier 2 (about 20 calls a minute): cache the
    # membership briefly rather than asking on every command.
    CACHE_SECONDS = 60
    # After a failure, wait this long before asking again, so a rate-limited
    # Slack is not asked on every command.
    RETRY_SECONDS = 10
    # Before the first answer there is no list to fall back on: requests
    # wait for it until this long after the first call to Slack started (the
    # ack must come within 3 seconds), then are answered as if the group were
    # empty. The app asks at start (`start`), so this is rarely felt.
    FIRST_ANSWER_SECONDS = 1.0

    def __init__(self, user_ids: frozenset[str], usergroup_id: str | None, client: WebClient, *, clock=time.monotonic):
        self.user_ids = user_ids
        self.usergroup_id = usergroup_id
        self.client = client
        self._clock = clock
        self._members: frozenset[str] = frozenset()
        self._next_refresh_at = float("-inf")
        self._refreshing = False
        self._first_answer = threading.Event()
        self._first_answer_by = float("inf")
        # Guards the fields above only, for a few instructions at a time.
        self._lock = threading.Lock()

    def start(self) -> None:
        """Ask Slack for the group now, in the background, so the list is
        there before the first request needs it."""
        if self.usergroup_id:
            self._refresh_if_due()

    def is_organiser(self, user_id: str) -> bool:
        return user_id in self.user_ids or user_id in self._usergroup_members()

    def all(self) -> frozenset[str]:
        return self.user_ids | self._usergroup_members()

    def _usergroup_members(self) -> frozenset[str]:
        if not self.usergroup_id:
            return frozenset()
        self._refresh_if_due()
        if not self._first_answer.is_set():
            self._first_answer.wait(max(0.0, self._first_answer_by - time.monotonic()))
        return self._members

    def _refresh_if_due(self) -> None:
        with self._lock:
            if self._refreshing or self._clock() < self._next_refresh_at:
                return
            self._refreshing = True
            if self._first_answer_by == float("inf"):
                self._first_answer_by = time.monotonic() + self.FIRST_ANSWER_SECONDS
        try:
            threading.Thread(target=self._refresh, name="organiser-group", daemon=True).start()
        except RuntimeError:  # no thread to be had (interpreter shutting down): try again later
            with self._lock:
                self._refreshing = False

    def _refresh(self) -> None:
        members: frozenset[str] | None = None
        try:
            assert self.usergroup_id is not None  # only a group is ever refreshed
            response = self.client.usergroups_users_list(usergroup=self.usergroup_id)
            members = frozenset(response.get("users", []))
        except SlackApiError as error:
            # Keep the last known members: refusing every organiser because
            # Slack hiccupped would be worse.
            log.warning(
                "Could not read the organiser user group, keeping the last list: %s", error.response.get("error")
            )
        except Exception as error:  # a timeout, a dropped connection: the same
            log.warning("Could not read the organiser user group, keeping the last list: %s", type(error).__name__)
        with self._lock:
            if members is not None:
                self._members = members
                self._next_refresh_at = self._clock() + self.CACHE_SECONDS
            else:
                self._next_refresh_at = self._clock() + self.RETRY_SECONDS
            self._refreshing = False
        # Also after a failure: a request waiting for the first answer gets
        # "not in the group" now rather than after its wait.
        self._first_answer.set()
