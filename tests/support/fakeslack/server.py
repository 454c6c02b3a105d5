"""A local fake of Slack's Web API (and, via socket_mode.py, Socket Mode) for end-to-end tests.

Point the app's WebClient at `FakeSlack.api_url` and it talks to this server instead of
slack.com. The fake is strict where a mock would be lenient, so mistakes surface in tests
rather than in production:

- method and argument names are checked against spec.json (Slack's own OpenAPI spec plus a
  few hand-added newer ones); anything Slack does not know is answered with
  `unknown_method` / `invalid_arguments` and listed in `violations`;
- Block Kit in messages and views is checked for the limits Slack enforces (blockkit.py);
- state behaves like Slack's: messages get increasing `ts` values and can be updated,
  reactions accumulate per message, a trigger_id is single use, a DM channel id is stable
  per user, a channel the bot is not in answers `not_in_channel`;
- faults can be injected: HTTP 429 with Retry-After, HTTP 5xx, or any Slack error.

Everything is in memory and thread-safe; one FakeSlack per test is cheap (two daemon threads).
"""

from __future__ import annotations

import copy
import email.parser
import email.policy
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from . import blockkit
from .socket_mode import SocketModeServer

_SCALARS = (str, int, float, bool, type(None))


def _copy(value: Any) -> Any:
    """A deep copy of JSON data (what the Web API takes and gives), a few
    times cheaper than copy.deepcopy, which the benchmark's fake Slack spent
    almost half its CPU in; anything else is copied by copy.deepcopy."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    if isinstance(value, _SCALARS):
        return value
    return copy.deepcopy(value)


log = logging.getLogger("fakeslack")

SPEC_PATH = Path(__file__).with_name("spec.json")

# Arguments that carry JSON. slack_sdk sends chat.* and views.* as JSON bodies (so these
# arrive as objects) but form-encodes most other methods, where such an argument is a
# JSON string; both are stored decoded so tests can inspect them the same way.
JSON_ARGS = {"blocks", "attachments", "view", "metadata", "files", "unfurls", "user_auth_blocks", "profile"}

# Methods in the 2021 spec that Slack has since switched off. Calling them is a bug in the
# app, so they are refused like unknown methods. files.upload stopped working for all
# apps on 2025-11-12 (use files_upload_v2, i.e. getUploadURLExternal + completeUploadExternal).
RETIRED_METHODS = {"files.upload": "method_deprecated"}

# Accepted by every method. Bolt gives each listener a WebClient built with
# team_id=<the request's team>, and slack_sdk then adds `team_id` to every call's
# arguments (WebClient default_params), whatever the method; Slack ignores it where it
# means nothing. It stays in Call.args.
GLOBAL_ARGS = {"team_id"}

# Methods an app-level token (xapp-) may call; every other method needs a bot or user token.
APP_TOKEN_METHODS = {"apps.connections.open", "auth.test"}

DEFAULT_BOT_SCOPES = [
    "commands",
    "chat:write",
    "im:write",
    "users:read",
    "users:read.email",
    "users.profile:read",
    "reactions:read",
    "reactions:write",
    "usergroups:read",
    "channels:read",
    "groups:read",
    "files:write",
]

_spec_cache: dict | None = None


def load_spec() -> dict:
    """spec.json's "methods": {name: {"args", "required", "required_one_of"?, "scopes", ...}}."""
    global _spec_cache
    if _spec_cache is None:
        _spec_cache = json.loads(SPEC_PATH.read_text(encoding="utf-8"))["methods"]
    return _spec_cache


@dataclass
class Call:
    """One Web API call the fake answered (after its method, token and arguments passed)."""

    method: str
    args: dict  # without `token`; JSON-string arguments decoded
    headers: dict  # request headers, names lower-cased
    token: str | None = None
    response: dict = field(default_factory=dict)  # the JSON body answered
    status: int = 200  # the HTTP status answered


class SlackError(Exception):
    """Raised by a method handler to answer {"ok": false, "error": ...}."""

    def __init__(self, error: str, *, messages: list[str] | None = None, violation: bool = False):
        super().__init__(error)
        self.error = error
        self.messages = messages
        self.violation = violation  # True: a malformed request, listed in FakeSlack.violations

    def body(self) -> dict:
        body: dict[str, Any] = {"ok": False, "error": self.error}
        if self.messages:
            body["response_metadata"] = {"messages": self.messages}
        return body


@dataclass
class _Fault:
    status: int
    retry_after: int | None
    error: str | None
    remaining: int


class FakeSlack:
    """A fake Slack workspace with one bot. Use as a context manager or start()/stop().

        with FakeSlack() as fake:
            fake.add_user("U1", real_name="Ada Lovelace", email="ada@example.gov.uk")
            client = WebClient(token="xoxb-test-token", base_url=fake.api_url)
            ...                                   # run the app against it
            fake.wait_for("chat.postMessage")     # work done after an ack
            assert fake.violations == []          # nothing Slack would refuse

    Start state: the bot user (bot_user_id, also in `users`) and channel C0GENERAL
    ("general", bot is a member). Add people, channels and user groups with add_*; the
    attributes below may also be changed directly between calls.
    """

    def __init__(
        self,
        *,
        bot_token: str = "xoxb-test-token",
        app_token: str = "xapp-test-token",
        team_id: str = "T0TEST",
        team_name: str = "Test workspace",
        team_domain: str = "test-workspace",
        bot_user_id: str = "U0BOT",
        bot_id: str = "B0BOT",
        bot_name: str = "meetupbot",
        app_id: str = "A123",
    ) -> None:
        self.spec = load_spec()
        self.bot_token = bot_token
        self.app_token = app_token
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.bot_name = bot_name
        self.app_id = app_id

        # --- configuration tests may change
        #: Tokens the API accepts. An xapp- token can only call apps.connections.open/auth.test.
        self.tokens: set[str] = {bot_token, app_token}
        #: Scopes reported in the x-oauth-scopes header (bot token).
        self.scopes: list[str] = list(DEFAULT_BOT_SCOPES)
        #: views.open/push: a trigger_id is valid if listed here or accept_any_trigger is
        #: True; listed in expired_triggers -> expired_trigger_id; used twice ->
        #: exchanged_trigger_id (Slack triggers are single use) unless single_use_triggers
        #: is False.
        self.valid_triggers: set[str] = set()
        self.expired_triggers: set[str] = set()
        self.accept_any_trigger = True
        self.single_use_triggers = True

        # --- workspace state
        self.users: dict[str, dict] = {}
        self.channels: dict[str, dict] = {}  # conversation objects by id (not DMs)
        self.not_in_channel: set[str] = set()  # channel ids where the bot is not a member
        self.usergroups: dict[str, list[str]] = {}  # usergroup id -> user ids
        self.views: dict[str, dict] = {}  # open modals by view id
        self.home_views: dict[str, dict] = {}  # published App Home by user id
        self.ephemeral: list[dict] = []  # chat.postEphemeral messages
        self.files: dict[str, dict] = {}  # file objects by id (upload v2)
        self.uploads: dict[str, bytes] = {}  # uploaded bytes by file id
        self.file_shares: list[dict] = []  # {"channel", "file_ids", "initial_comment", "thread_ts"}
        self.responses: list[dict] = []  # posts to response_url(): {"response_url", "body"}
        self._response_urls: dict[str, str] = {}
        self._messages: dict[str, list[dict]] = {}  # channel id -> messages in ts order
        self._used_triggers: set[str] = set()
        self._open_dms: set[str] = set()

        # --- recordings
        self.calls: list[Call] = []
        self.violations: list[str] = []
        self.failures: list[Call] = []  # calls answered by fail_next()
        self._faults: dict[str, list[_Fault]] = {}
        # outage(): every call to these methods (None: every method) fails until then.
        self._outage_until = 0.0
        self._outage_methods: frozenset[str] | None = None
        self._outage_status = 500

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._counter = 0
        self._ts_counter = 0
        self._http: ThreadingHTTPServer | None = None
        self._http_thread: threading.Thread | None = None
        self.socket_mode = SocketModeServer(app_id=app_id)

        self.add_user(bot_user_id, real_name=bot_name, is_bot=True, display_name=bot_name)
        self.add_channel("C0GENERAL", name="general")

    # ================================================================== lifecycle

    def start(self) -> FakeSlack:
        if self._http is not None:
            return self
        handler = type("_BoundHandler", (_Handler,), {"fake": self})
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._http.daemon_threads = True
        self._http_thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, name="fakeslack-http", daemon=True
        )
        self._http_thread.start()
        self.socket_mode.start()
        return self

    def stop(self) -> None:
        self.socket_mode.stop()
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None
        if self._http_thread is not None:
            self._http_thread.join(timeout=5)
            self._http_thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._http is None:
            raise RuntimeError("FakeSlack is not started")
        return self._http.server_address[1]

    @property
    def api_url(self) -> str:
        """WebClient base_url. It must end in a slash: slack_sdk urljoins the method name."""
        return f"http://127.0.0.1:{self.port}/api/"

    # ================================================================== recordings

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5) -> list[Call]:
        """Wait until `method` has been called `count` times; return those calls.

        For work the app does after acking (DMs, uploads) on another thread.
        """
        with self._cond:
            done = self._cond.wait_for(lambda: len(self.calls_to(method)) >= count, timeout=timeout)
            if not done:
                seen = [c.method for c in self.calls]
                raise AssertionError(
                    f"expected {count} call(s) to {method} within {timeout}s, got "
                    f"{len(self.calls_to(method))}; calls recorded: {seen}; violations: {self.violations}"
                )
            return self.calls_to(method)

    def reset(self) -> None:
        """Forget recorded calls, responses, violations, failures and pending faults
        (not workspace state)."""
        with self._lock:
            self.calls.clear()
            self.responses.clear()
            self.violations.clear()
            self.failures.clear()
            self._faults.clear()
            self._outage_until = 0.0

    def fail_next(
        self,
        method: str,
        *,
        status: int | None = None,
        retry_after: int = 1,
        times: int = 1,
        error: str | None = None,
    ) -> None:
        """Answer the next `times` calls to `method` with a failure.

        - default: HTTP 429 + `Retry-After: retry_after` + {"ok": false, "error": "ratelimited"}
        - status=500 (or any): that HTTP status
        - error="...": HTTP 200 with {"ok": false, "error": error} (or `status` if given too)
        The calls are recorded in `failures`, not `calls`. Argument checks still run first.
        """
        if status is None:
            status = 200 if error is not None else 429
        if error is None:
            error = "ratelimited" if status == 429 else "internal_error"
        with self._lock:
            self._faults.setdefault(method, []).append(
                _Fault(status=status, retry_after=retry_after if status == 429 else None, error=error, remaining=times)
            )

    # ================================================================== state helpers

    def add_user(
        self,
        user_id: str,
        *,
        real_name: str,
        email: str | None = None,
        display_name: str | None = None,
        is_bot: bool = False,
        tz: str = "Europe/London",
        title: str = "",
        deleted: bool = False,
        is_restricted: bool = False,
    ) -> dict:
        """Add (or replace) a workspace member; returns the users.info `user` object."""
        first, _, last = real_name.partition(" ")
        name = (email.split("@")[0] if email else real_name.lower().replace(" ", ".")) or user_id.lower()
        profile: dict[str, Any] = {
            "title": title,
            "phone": "",
            "skype": "",
            "real_name": real_name,
            "real_name_normalized": real_name,
            "display_name": display_name or "",
            "display_name_normalized": display_name or "",
            "fields": None,
            "status_text": "",
            "status_emoji": "",
            "status_expiration": 0,
            "avatar_hash": "g0000000000",
            "first_name": first,
            "last_name": last,
            "image_24": "https://a.slack-edge.com/default-avatar-24.png",
            "image_72": "https://a.slack-edge.com/default-avatar-72.png",
            "team": self.team_id,
        }
        if email is not None:
            # Slack omits `email` unless the token has users:read.email.
            profile["email"] = email
        if is_bot:
            profile.update(
                {
                    "bot_id": self.bot_id if user_id == self.bot_user_id else f"B{user_id[1:]}",
                    "api_app_id": self.app_id,
                    "always_active": True,
                }
            )
        user = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "deleted": deleted,
            "color": "9f69e7",
            "real_name": real_name,
            "tz": tz,
            "tz_label": tz,
            "tz_offset": _tz_offset(tz),
            "profile": profile,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": is_restricted,
            "is_ultra_restricted": False,
            "is_bot": is_bot,
            "is_app_user": False,
            "updated": 1700000000,
            "is_email_confirmed": email is not None,
            "who_can_share_contact_card": "EVERYONE",
        }
        with self._lock:
            self.users[user_id] = user
        return _copy(user)

    def add_channel(
        self,
        channel_id: str,
        *,
        name: str,
        is_private: bool = False,
        is_member: bool = True,
        members: list[str] | None = None,
    ) -> dict:
        """Add a channel (C... public, or private with is_private). is_member=False makes
        posting answer not_in_channel, as for a channel the bot was never invited to."""
        channel = {
            "id": channel_id,
            "name": name,
            "is_channel": not is_private,
            "is_group": is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": is_private,
            "created": 1700000000,
            "is_archived": False,
            "is_general": name == "general",
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "creator": self.bot_user_id,
            "name_normalized": name,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
            "members": list(members or []),
        }
        with self._lock:
            self.channels[channel_id] = channel
            if is_member:
                self.not_in_channel.discard(channel_id)
            else:
                self.not_in_channel.add(channel_id)
        return _copy(channel)

    def add_usergroup(self, usergroup_id: str, users: list[str]) -> None:
        with self._lock:
            self.usergroups[usergroup_id] = list(users)

    def dm_channel(self, user_id: str) -> str:
        """The bot's DM channel id with a user, as conversations.open returns it."""
        return "D" + user_id

    def dm_user(self, channel: Any) -> str | None:
        """Whose DM a `channel` argument names: its D… id, or (chat.postMessage
        takes this too) the person's user id. None for anything else."""
        if not isinstance(channel, str) or not channel:
            return None
        if channel.startswith("D"):
            return channel[1:]
        return channel if channel[0] in "UW" else None

    def is_dm_with(self, channel: Any, user_id: str | None = None) -> bool:
        """Whether a `channel` argument names a DM (with this person, if given)."""
        user = self.dm_user(channel)
        return user is not None and (user_id is None or user == user_id)

    def add_message(
        self,
        channel: str,
        *,
        text: str = "",
        user: str,
        ts: str | None = None,
        blocks: list | None = None,
        thread_ts: str | None = None,
    ) -> dict:
        """Put a message from someone else into a channel (e.g. a person's post)."""
        with self._lock:
            message = {"type": "message", "user": user, "text": text, "ts": ts or self._next_ts(), "team": self.team_id}
            if blocks is not None:
                message["blocks"] = blocks
            if thread_ts is not None:
                message["thread_ts"] = thread_ts
            self._store_message(channel, message)
            return self._present(message)

    def add_reaction(self, channel: str, ts: str, name: str, user: str) -> None:
        """Record `user` reacting with :name: to a message (created empty if unknown)."""
        with self._lock:
            message = self._find_message(channel, ts)
            if message is None:
                message = {"type": "message", "user": self.bot_user_id, "text": "", "ts": ts}
                self._store_message(channel, message)
            self._react(message, name, user)

    def remove_reaction(self, channel: str, ts: str, name: str, user: str) -> None:
        with self._lock:
            message = self._find_message(channel, ts)
            if message is not None:
                self._unreact(message, name, user)

    def messages(self, channel: str) -> list[dict]:
        """Messages in a channel (incl. thread replies and DMs: use dm_channel(user)), oldest first."""
        with self._lock:
            return [self._present(m) for m in self._messages.get(channel, [])]

    def response_url(self) -> str:
        """A response_url to put in a command or interaction payload; what the app posts
        to it (Bolt's respond()) is recorded in `responses` as {"response_url", "body"}."""
        hook_id = uuid.uuid4().hex
        url = f"http://127.0.0.1:{self.port}/response/{hook_id}"
        with self._lock:
            self._response_urls[hook_id] = url
        return url

    def wait_for_response(self, count: int = 1, timeout: float = 5) -> list[dict]:
        """Wait until `count` posts to response URLs have arrived; return them all."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.responses) >= count, timeout=timeout):
                raise AssertionError(f"expected {count} response_url post(s) within {timeout}s, got {self.responses}")
            return list(self.responses)

    def new_trigger_id(self) -> str:
        """A realistic, unique trigger_id (registered in valid_triggers)."""
        with self._lock:
            self._counter += 1
            trigger = f"{1700000000 + self._counter}.{self.team_id[1:]}.{uuid.uuid4().hex}"
            self.valid_triggers.add(trigger)
            return trigger

    # ================================================================== Socket Mode

    def send_envelope(self, kind: str, payload: dict, *, timeout: float = 5, **kwargs: Any) -> dict:
        """Send a Socket Mode envelope to the connected app; returns its ack. See socket_mode.py."""
        return self.socket_mode.send_envelope(kind, payload, timeout=timeout, **kwargs)

    def wait_for_connection(self, timeout: float = 10, *, count: int = 1) -> None:
        """Wait until the app is connected over Socket Mode (count=2: reconnected once)."""
        self.socket_mode.wait_for_connection(timeout=timeout, count=count)

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        self.socket_mode.send_disconnect(reason)

    # ================================================================== request handling

    def _answer(self, request: _Handler) -> None:
        url = urlsplit(request.path)
        if url.path.startswith("/upload/"):
            self._answer_upload(request, url.path[len("/upload/") :])
            return
        if url.path.startswith("/response/"):
            self._answer_response_url(request, url.path[len("/response/") :])
            return
        if not url.path.startswith("/api/"):
            request.reply(404, b"not found\n", "text/plain; charset=utf-8")
            return
        method = url.path[len("/api/") :]
        status, body, headers = self._answer_api(method, request, url.query)
        request.reply(status, json.dumps(body).encode("utf-8"), "application/json; charset=utf-8", headers)

    def _answer_api(self, method: str, request: _Handler, query: str) -> tuple[int, dict, dict]:
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            args, json_body = _parse_args(request, query)
        except ValueError as e:
            return self._reject(method, SlackError(str(e), violation=True))

        # Order follows Slack: method, then authentication, then arguments.
        if method in RETIRED_METHODS:
            return self._reject(
                method, SlackError(RETIRED_METHODS[method], violation=True, messages=[f"{method} has been retired"])
            )
        spec = self.spec.get(method)
        if spec is None:
            body = SlackError("unknown_method", violation=True).body()
            body["req_method"] = method
            with self._lock:
                self.violations.append(f"{method}: unknown method")
            log.warning("fake Slack: unknown method %s", method)
            return 200, body, {}

        token = _bearer(headers.get("authorization"))
        body_token = args.pop("token", None)
        if token is None and body_token is not None:
            if json_body:
                # Slack ignores `token` inside a JSON body: JSON requests must authenticate
                # with the Authorization header.
                return self._reject(
                    method,
                    SlackError(
                        "not_authed",
                        messages=["token in a JSON body is ignored: send it as Authorization: Bearer"],
                        violation=True,
                    ),
                )
            token = body_token
        if not token:
            return self._reject(method, SlackError("not_authed"))
        if token not in self.tokens:
            return self._reject(method, SlackError("invalid_auth"))
        # App-level tokens only open Socket Mode connections; bot tokens cannot.
        is_app_token = token.startswith("xapp-")
        if (is_app_token and method not in APP_TOKEN_METHODS) or (
            not is_app_token and method == "apps.connections.open"
        ):
            return self._reject(method, SlackError("not_allowed_token_type"))

        try:
            self._check_arg_names(method, spec, args)
            _decode_json_args(args)
        except SlackError as e:
            return self._reject(method, e)

        call = Call(method=method, args=args, headers=headers, token=token)
        extra_headers = {"x-oauth-scopes": "connections:write" if is_app_token else ",".join(self.scopes)}

        fault = self._take_fault(method)
        if fault is not None:
            call.status = fault.status
            call.response = {"ok": False, "error": fault.error}
            if fault.retry_after is not None:
                extra_headers["Retry-After"] = str(fault.retry_after)
            with self._cond:
                self.failures.append(call)
                self._cond.notify_all()
            return fault.status, call.response, extra_headers

        handler = self._handlers().get(method)
        with self._cond:
            try:
                # Handlers get a copy so what they store never aliases the recorded args.
                call.response = {"ok": True, **(handler(_copy(args), call) if handler else {})}
            except SlackError as e:
                if e.violation:
                    self.violations.append(f"{method}: {e.error}: {'; '.join(e.messages or [])}")
                    log.warning("fake Slack: %s rejected: %s %s", method, e.error, e.messages)
                call.response = e.body()
            self.calls.append(call)
            self._cond.notify_all()
        return 200, call.response, extra_headers

    def _reject(self, method: str, error: SlackError) -> tuple[int, dict, dict]:
        if error.violation:
            detail = "; ".join(error.messages or []) or error.error
            with self._lock:
                self.violations.append(f"{method}: {detail}")
            log.warning("fake Slack: %s rejected: %s", method, detail)
        return 200, error.body(), {}

    def _check_arg_names(self, method: str, spec: dict, args: dict) -> None:
        allowed = set(spec["args"]) | GLOBAL_ARGS
        unknown = [name for name in args if name not in allowed]
        if unknown:
            raise SlackError(
                "invalid_arguments", violation=True, messages=[f"unknown argument: {name}" for name in unknown]
            )
        missing = [name for name in spec["required"] if args.get(name) in (None, "")]
        for group in spec.get("required_one_of", []):
            if all(args.get(name) in (None, "") for name in group):
                missing.append(" or ".join(group))
        if missing:
            raise SlackError(
                "invalid_arguments", violation=True, messages=[f"missing required argument: {name}" for name in missing]
            )

    def outage(self, seconds: float, *, methods: list[str] | None = None, status: int = 500) -> None:
        """Answer every call (or every call to `methods`) with HTTP `status`
        for the next `seconds`, as Slack does when it is down; end_outage()
        ends it early. Failed calls are recorded in `failures`."""
        with self._lock:
            self._outage_until = time.monotonic() + seconds
            self._outage_methods = frozenset(methods) if methods else None
            self._outage_status = status

    def end_outage(self) -> None:
        with self._lock:
            self._outage_until = 0.0

    def _take_fault(self, method: str) -> _Fault | None:
        with self._lock:
            if time.monotonic() < self._outage_until and (
                self._outage_methods is None or method in self._outage_methods
            ):
                return _Fault(status=self._outage_status, retry_after=None, error="internal_error", remaining=1)
            faults = self._faults.get(method)
            if not faults:
                return None
            fault = faults[0]
            fault.remaining -= 1
            if fault.remaining <= 0:
                faults.pop(0)
            return fault

    def _answer_upload(self, request: _Handler, file_id: str) -> None:
        """The upload URL from files.getUploadURLExternal: the raw bytes are POSTed here."""
        length = int(request.headers.get("Content-Length") or 0)
        data = request.rfile.read(length) if length else b""
        with self._lock:
            known = file_id in self.files
            if known:
                self.uploads[file_id] = data
        if not known:
            request.reply(404, b"unknown upload\n", "text/plain; charset=utf-8")
        else:
            # files.slack.com answers 200 with a short text body.
            request.reply(200, f"OK - {len(data)}".encode(), "text/plain; charset=utf-8")

    def _answer_response_url(self, request: _Handler, hook_id: str) -> None:
        """A response_url from response_url(): what Bolt's respond() posts lands in `responses`."""
        length = int(request.headers.get("Content-Length") or 0)
        raw = request.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            request.reply(400, b"invalid_payload", "text/plain; charset=utf-8")
            return
        # Like chat.postMessage, a response_url refuses blocks over Slack's limits
        # (hooks.slack.com answers 400 with the error as text).
        errors = blockkit.check_message_blocks(body["blocks"]) if isinstance(body, dict) and "blocks" in body else []
        if errors:
            with self._cond:
                self.violations.append(f"response_url: invalid_blocks {errors}")
            request.reply(400, b"invalid_blocks", "text/plain; charset=utf-8")
            return
        with self._cond:
            known = hook_id in self._response_urls
            if known:
                self.responses.append({"response_url": self._response_urls[hook_id], "body": body})
                self._cond.notify_all()
        if known:
            request.reply(200, b"ok", "text/plain; charset=utf-8")  # hooks.slack.com answers "ok"
        else:
            request.reply(404, b"no_active_hooks", "text/plain; charset=utf-8")

    # ================================================================== method handlers
    # Each takes (args, call) and returns the response body without "ok", or raises
    # SlackError. They run with the lock held.

    def _handlers(self) -> dict[str, Callable[[dict, Call], dict]]:
        return {
            "api.test": lambda args, call: {"args": args},
            "auth.test": self._auth_test,
            "bots.info": self._bots_info,
            "apps.connections.open": lambda args, call: {"url": self.socket_mode.issue_url()},
            "users.info": self._users_info,
            "users.list": lambda args, call: {
                "members": [_copy(u) for u in self.users.values()],
                "response_metadata": {"next_cursor": ""},
            },
            "users.lookupByEmail": self._users_lookup_by_email,
            "users.profile.get": self._users_profile_get,
            "team.info": lambda args, call: {
                "team": {"id": self.team_id, "name": self.team_name, "domain": self.team_domain}
            },
            "conversations.open": self._conversations_open,
            "conversations.info": self._conversations_info,
            "conversations.members": self._conversations_members,
            "conversations.join": self._conversations_join,
            "conversations.history": self._conversations_history,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "views.open": self._views_open,
            "views.push": self._views_push,
            "views.update": self._views_update,
            "views.publish": self._views_publish,
            "usergroups.users.list": self._usergroups_users_list,
            "reactions.add": self._reactions_add,
            "reactions.remove": self._reactions_remove,
            "reactions.get": self._reactions_get,
            "files.getUploadURLExternal": self._files_get_upload_url_external,
            "files.completeUploadExternal": self._files_complete_upload_external,
            "files.delete": self._files_delete,
        }

    def _auth_test(self, args: dict, call: Call) -> dict:
        body = {"url": f"https://{self.team_domain}.slack.com/", "team": self.team_name, "team_id": self.team_id}
        if call.token and call.token.startswith("xapp-"):
            return {**body, "app_id": self.app_id}
        return {
            **body,
            "user": self.bot_name,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _bots_info(self, args: dict, call: Call) -> dict:
        if args.get("bot") != self.bot_id:
            raise SlackError("bot_not_found")
        bot = {"id": self.bot_id, "deleted": False, "name": self.bot_name, "updated": 1700000000}
        return {"bot": {**bot, "app_id": self.app_id, "user_id": self.bot_user_id, "icons": {}}}

    # --- users

    def _user(self, user_id: Any, error: str = "user_not_found") -> dict:
        user = self.users.get(user_id) if isinstance(user_id, str) else None
        if user is None:
            raise SlackError(error)
        return user

    def _users_info(self, args: dict, call: Call) -> dict:
        user = _copy(self._user(args.get("user")))
        if _truthy(args.get("include_locale")):
            user["locale"] = "en-GB"
        return {"user": user}

    def _users_lookup_by_email(self, args: dict, call: Call) -> dict:
        email = str(args["email"]).lower()
        for user in self.users.values():
            if user["profile"].get("email", "").lower() == email:
                return {"user": _copy(user)}
        raise SlackError("users_not_found")

    def _users_profile_get(self, args: dict, call: Call) -> dict:
        user = self._user(args.get("user") or self.bot_user_id)
        return {"profile": _copy(user["profile"])}

    # --- conversations

    def _conversation_id(self, channel: Any, *, allow_user: bool = False, post: bool = False) -> str:
        """Resolve a channel argument as Slack does; raise channel_not_found/not_in_channel.

        D... ids are DMs (always reachable by the bot); with allow_user, a user id means
        the DM with that user (chat.postMessage accepts that); "#name" or "name" finds a
        channel by name.
        """
        if not isinstance(channel, str) or not channel:
            raise SlackError("channel_not_found")
        if channel.startswith("D"):
            return channel
        if allow_user and channel[0] in "UW":
            self._user(channel, error="channel_not_found")
            return self.dm_channel(channel)
        channel_id = channel
        if channel_id not in self.channels:
            name = channel.lstrip("#")
            channel_id = next((cid for cid, c in self.channels.items() if c["name"] == name), "")
            if not channel_id:
                raise SlackError("channel_not_found")
        if post and channel_id in self.not_in_channel:
            raise SlackError("not_in_channel")
        return channel_id

    def _conversations_open(self, args: dict, call: Call) -> dict:
        if args.get("channel"):
            channel_id = self._conversation_id(args["channel"])
            return {
                "channel": self._conversation_object(channel_id)
                if _truthy(args.get("return_im"))
                else {"id": channel_id}
            }
        users = [u for u in str(args.get("users") or "").split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied")
        for user in users:
            self._user(user)
        if len(users) == 1:
            channel_id = self.dm_channel(users[0])
        else:
            # A group DM with the bot and these people; stable for the same set.
            channel_id = "G" + uuid.uuid5(uuid.NAMESPACE_OID, ",".join(sorted(users))).hex[:10].upper()
            if channel_id not in self.channels:
                self.add_channel(
                    channel_id,
                    name="mpdm-" + "--".join(sorted(users)),
                    is_private=True,
                    members=[self.bot_user_id, *users],
                )
                self.channels[channel_id].update({"is_mpim": True, "is_group": False})
        already = channel_id in self._open_dms
        self._open_dms.add(channel_id)
        channel = self._conversation_object(channel_id) if _truthy(args.get("return_im")) else {"id": channel_id}
        return {"no_op": already, "already_open": already, "channel": channel}

    def _conversation_object(self, channel_id: str) -> dict:
        if channel_id.startswith("D"):
            return {
                "id": channel_id,
                "created": 1700000000,
                "is_im": True,
                "is_org_shared": False,
                "user": channel_id[1:],
                "is_user_deleted": False,
                "priority": 0,
            }
        channel = _copy(self.channels[channel_id])
        channel.pop("members", None)
        channel["is_member"] = channel_id not in self.not_in_channel
        channel["num_members"] = len(self.channels[channel_id]["members"])
        return channel

    def _conversations_info(self, args: dict, call: Call) -> dict:
        return {"channel": self._conversation_object(self._conversation_id(args.get("channel")))}

    def _conversations_members(self, args: dict, call: Call) -> dict:
        channel_id = self._conversation_id(args.get("channel"))
        members = (
            [channel_id[1:], self.bot_user_id]
            if channel_id.startswith("D")
            else list(self.channels[channel_id]["members"])
        )
        return {"members": members, "response_metadata": {"next_cursor": ""}}

    def _conversations_join(self, args: dict, call: Call) -> dict:
        channel_id = self._conversation_id(args.get("channel"))
        if channel_id.startswith("D") or self.channels[channel_id]["is_private"]:
            raise SlackError("method_not_supported_for_channel_type")
        already = channel_id not in self.not_in_channel
        self.not_in_channel.discard(channel_id)
        members = self.channels[channel_id]["members"]
        if self.bot_user_id not in members:
            members.append(self.bot_user_id)
        body: dict[str, Any] = {"channel": self._conversation_object(channel_id)}
        if already:
            body["warning"] = "already_in_channel"
        return body

    def _conversations_history(self, args: dict, call: Call) -> dict:
        channel_id = self._conversation_id(args.get("channel"), post=True)
        top_level = [
            self._present(m) for m in self._messages.get(channel_id, []) if m.get("thread_ts") in (None, m["ts"])
        ]
        return {
            "messages": list(reversed(top_level)),
            "has_more": False,
            "pin_count": 0,
            "response_metadata": {"next_cursor": ""},
        }

    # --- chat

    def _next_ts(self) -> str:
        # Unique and increasing, like Slack's "seconds.microseconds" message ids.
        self._ts_counter += 1
        micros = 1700000000_000000 + self._ts_counter * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _store_message(self, channel: str, message: dict) -> None:
        messages = self._messages.setdefault(channel, [])
        messages.append(message)
        messages.sort(key=lambda m: m["ts"])

    def _find_message(self, channel: str, ts: Any) -> dict | None:
        return next((m for m in self._messages.get(channel, []) if m["ts"] == ts), None)

    def _present(self, message: dict) -> dict:
        """A stored message as the API shows it: reactions with counts, only if any."""
        shown = _copy(message)
        reactions = shown.pop("reactions", [])
        if reactions:
            shown["reactions"] = [{"name": r["name"], "users": r["users"], "count": len(r["users"])} for r in reactions]
        return shown

    def _check_message_content(self, args: dict, *, require_content: bool = True) -> None:
        if require_content and not any(args.get(k) for k in ("text", "blocks", "attachments", "markdown_text")):
            raise SlackError("no_text")
        if args.get("markdown_text") and (args.get("text") or args.get("blocks")):
            raise SlackError(
                "markdown_text_conflict", violation=True, messages=["markdown_text cannot be used with text or blocks"]
            )
        if "blocks" in args:
            errors = blockkit.check_message_blocks(args["blocks"])
            if errors:
                raise SlackError("invalid_blocks", messages=errors, violation=True)

    def _bot_message(self, args: dict, ts: str) -> dict:
        message: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "team": self.team_id,
            "text": args.get("text", args.get("markdown_text", "")),
            "ts": ts,
            "bot_profile": {
                "id": self.bot_id,
                "app_id": self.app_id,
                "name": self.bot_name,
                "deleted": False,
                "team_id": self.team_id,
            },
        }
        for key in ("blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        if args.get("thread_ts"):
            message["thread_ts"] = args["thread_ts"]
        return message

    def _chat_post_message(self, args: dict, call: Call) -> dict:
        channel_id = self._conversation_id(args["channel"], allow_user=True, post=True)
        self._check_message_content(args)
        message = self._bot_message(args, self._next_ts())
        self._store_message(channel_id, message)
        shown = self._present(message)
        shown.pop("metadata", None)  # Slack echoes metadata only to include_all_metadata reads
        return {"channel": channel_id, "ts": message["ts"], "message": shown}

    def _chat_post_ephemeral(self, args: dict, call: Call) -> dict:
        channel_id = self._conversation_id(args["channel"], post=True)
        self._user(args["user"])
        self._check_message_content(args)
        ts = self._next_ts()
        self.ephemeral.append(
            {
                "channel": channel_id,
                "user": args["user"],
                "ts": ts,
                "text": args.get("text", ""),
                **({"blocks": args["blocks"]} if "blocks" in args else {}),
            }
        )
        return {"message_ts": ts}

    def _chat_update(self, args: dict, call: Call) -> dict:
        channel_id = self._conversation_id(args["channel"])
        message = self._find_message(channel_id, args["ts"])
        if message is None:
            raise SlackError("message_not_found")
        if message.get("user") != self.bot_user_id:
            raise SlackError("cant_update_message")
        self._check_message_content(args, require_content=False)
        for key in ("text", "blocks", "attachments", "metadata"):
            if key in args:
                message[key] = args[key]
        message["edited"] = {"user": self.bot_user_id, "ts": self._next_ts()}
        shown = self._present(message)
        shown.pop("metadata", None)
        return {"channel": channel_id, "ts": message["ts"], "text": message.get("text", ""), "message": shown}

    def _chat_delete(self, args: dict, call: Call) -> dict:
        channel_id = self._conversation_id(args.get("channel"))
        message = self._find_message(channel_id, args.get("ts"))
        if message is None:
            raise SlackError("message_not_found")
        if message.get("user") != self.bot_user_id:
            raise SlackError("cant_delete_message")
        self._messages[channel_id].remove(message)
        return {"channel": channel_id, "ts": message["ts"]}

    def _chat_get_permalink(self, args: dict, call: Call) -> dict:
        channel_id = self._conversation_id(args["channel"])
        if self._find_message(channel_id, args["message_ts"]) is None:
            raise SlackError("message_not_found")
        return {
            "channel": channel_id,
            "permalink": f"https://{self.team_domain}.slack.com/archives/"
            f"{channel_id}/p{str(args['message_ts']).replace('.', '')}",
        }

    # --- views

    def _use_trigger(self, args: dict) -> None:
        trigger = args.get("trigger_id") or args.get("interactivity_pointer")
        if trigger in self.expired_triggers:
            raise SlackError("expired_trigger_id")
        if self.single_use_triggers and trigger in self._used_triggers:
            raise SlackError("exchanged_trigger_id")
        if not (self.accept_any_trigger or trigger in self.valid_triggers):
            raise SlackError("invalid_trigger_id")
        self._used_triggers.add(trigger)

    def _check_view(self, view: Any, expect_type: str | None = None) -> None:
        errors = blockkit.check_view(view, expect_type=expect_type)
        if errors:
            raise SlackError("invalid_arguments", messages=errors, violation=True)

    def _new_view(self, view: dict, *, root_view_id: str | None = None, previous_view_id: str | None = None) -> dict:
        self._counter += 1
        view_id = f"V0FAKE{self._counter:05d}"
        stored = {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type"),
            "blocks": view.get("blocks", []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "external_id": view.get("external_id", ""),
            "state": {"values": {}},
            "hash": self._view_hash(),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "root_view_id": root_view_id or view_id,
            "previous_view_id": previous_view_id,
            "app_id": self.app_id,
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }
        for key in ("title", "submit", "close"):
            if key in view:
                stored[key] = view[key]
        return stored

    def _view_hash(self) -> str:
        self._counter += 1
        return f"{int(time.time())}.{self._counter:08d}"

    def _check_external_id(self, view: dict, exclude: str | None = None) -> None:
        external_id = view.get("external_id")
        if external_id and any(v["external_id"] == external_id and v["id"] != exclude for v in self.views.values()):
            raise SlackError("duplicate_external_id")

    def _views_open(self, args: dict, call: Call) -> dict:
        self._use_trigger(args)
        self._check_view(args["view"], expect_type="modal")
        self._check_external_id(args["view"])
        view = self._new_view(args["view"])
        self.views[view["id"]] = view
        return {"view": _copy(view)}

    def _views_push(self, args: dict, call: Call) -> dict:
        self._use_trigger(args)
        self._check_view(args["view"], expect_type="modal")
        self._check_external_id(args["view"])
        view = self._new_view(args["view"])
        self.views[view["id"]] = view
        return {"view": _copy(view)}

    def _views_update(self, args: dict, call: Call) -> dict:
        view_id, external_id = args.get("view_id"), args.get("external_id")
        if not view_id and not external_id:
            raise SlackError("invalid_arguments", violation=True, messages=["view_id or external_id is required"])
        if "view" not in args:
            raise SlackError("invalid_arguments", violation=True, messages=["missing required argument: view"])
        current = (
            self.views.get(view_id)
            if view_id
            else next((v for v in self.views.values() if v["external_id"] == external_id), None)
        )
        if current is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        self._check_view(args["view"], expect_type=current["type"])
        self._check_external_id(args["view"], exclude=current["id"])
        updated = self._new_view(
            args["view"], root_view_id=current["root_view_id"], previous_view_id=current["previous_view_id"]
        )
        updated["id"] = current["id"]
        if current["root_view_id"] == current["id"]:
            updated["root_view_id"] = current["id"]
        self.views[current["id"]] = updated
        return {"view": _copy(updated)}

    def _views_publish(self, args: dict, call: Call) -> dict:
        user_id = args["user_id"]
        self._user(user_id)
        current = self.home_views.get(user_id)
        if args.get("hash") and current is not None and args["hash"] != current["hash"]:
            raise SlackError("hash_conflict")
        self._check_view(args["view"], expect_type="home")
        view = self._new_view(args["view"])
        if current is not None:
            view["id"] = view["root_view_id"] = current["id"]
        self.home_views[user_id] = view
        return {"view": _copy(view)}

    # --- user groups

    def _usergroups_users_list(self, args: dict, call: Call) -> dict:
        users = self.usergroups.get(args["usergroup"])
        if users is None:
            raise SlackError("no_such_subteam")
        return {"users": list(users)}

    # --- reactions

    def _reaction_target(self, args: dict, *, post: bool = False) -> tuple[str, dict]:
        channel_id = self._conversation_id(args.get("channel"), post=post)
        message = self._find_message(channel_id, args.get("timestamp"))
        if message is None:
            raise SlackError("message_not_found")
        return channel_id, message

    @staticmethod
    def _react(message: dict, name: str, user: str) -> bool:
        reactions = message.setdefault("reactions", [])
        entry = next((r for r in reactions if r["name"] == name), None)
        if entry is None:
            entry = {"name": name, "users": []}
            reactions.append(entry)
        if user in entry["users"]:
            return False
        entry["users"].append(user)
        return True

    @staticmethod
    def _unreact(message: dict, name: str, user: str) -> bool:
        reactions = message.get("reactions", [])
        entry = next((r for r in reactions if r["name"] == name), None)
        if entry is None or user not in entry["users"]:
            return False
        entry["users"].remove(user)
        if not entry["users"]:
            reactions.remove(entry)
        return True

    def _reactions_add(self, args: dict, call: Call) -> dict:
        name = str(args["name"])
        if ":" in name:
            raise SlackError("invalid_name")  # pass "thumbsup", not ":thumbsup:"
        _, message = self._reaction_target(args)
        if not self._react(message, name, self.bot_user_id):
            raise SlackError("already_reacted")
        return {}

    def _reactions_remove(self, args: dict, call: Call) -> dict:
        _, message = self._reaction_target(args)
        if not self._unreact(message, str(args.get("name")), self.bot_user_id):
            raise SlackError("no_reaction")
        return {}

    def _reactions_get(self, args: dict, call: Call) -> dict:
        channel_id, message = self._reaction_target(args)
        return {"type": "message", "channel": channel_id, "message": self._present(message)}

    # --- files (upload v2: getUploadURLExternal, POST the bytes, completeUploadExternal)

    def _files_delete(self, args: dict, call: Call) -> dict:
        """The file goes, and with it from every message that showed it. A bot
        may delete only what it uploaded (cant_delete_file otherwise)."""
        file = self.files.get(args.get("file"))
        if file is None:
            raise SlackError("file_not_found")
        if file.get("user") != self.bot_user_id:
            raise SlackError("cant_delete_file")
        del self.files[file["id"]]
        for messages in self._messages.values():
            for message in messages:
                if message.get("files"):
                    message["files"] = [f for f in message["files"] if f.get("id") != file["id"]]
        return {}

    def _files_get_upload_url_external(self, args: dict, call: Call) -> dict:
        try:
            length = int(args["length"])
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments", violation=True, messages=["length must be an integer"]) from None
        self._counter += 1
        file_id = f"F0FAKE{self._counter:05d}"
        self.files[file_id] = {
            "id": file_id,
            "name": args["filename"],
            "title": args["filename"],
            "size": length,
            "user": self.bot_user_id,
            "alt_txt": args.get("alt_txt"),
        }
        return {"upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}", "file_id": file_id}

    def _files_complete_upload_external(self, args: dict, call: Call) -> dict:
        entries = args["files"]
        if (
            not isinstance(entries, list)
            or not entries
            or not all(isinstance(f, dict) and f.get("id") for f in entries)
        ):
            raise SlackError(
                "invalid_arguments", violation=True, messages=["files must be a JSON array of {id, title}"]
            )
        for entry in entries:
            if entry["id"] not in self.files or entry["id"] not in self.uploads:
                raise SlackError("file_not_found")
            if len(self.uploads[entry["id"]]) != self.files[entry["id"]]["size"]:
                raise SlackError("file_upload_size_mismatch")
        channels = [c for c in str(args.get("channels") or "").split(",") if c]
        if args.get("channel_id"):
            channels.insert(0, args["channel_id"])
        channel_ids = [self._conversation_id(c, post=True) for c in channels]

        shown_files = []
        for entry in entries:
            f = self.files[entry["id"]]
            if entry.get("title"):
                f["title"] = entry["title"]
            f.update(
                {
                    "created": 1700000000,
                    "timestamp": 1700000000,
                    "mimetype": _mimetype(f["name"]),
                    "filetype": f["name"].rsplit(".", 1)[-1] if "." in f["name"] else "text",
                    "is_public": bool(channel_ids),
                    "channels": channel_ids,
                    "url_private": f"https://files.slack.com/files-pri/{self.team_id}-{f['id']}/{f['name']}",
                    "permalink": f"https://{self.team_domain}.slack.com/files/{self.bot_user_id}/{f['id']}/{f['name']}",
                }
            )
            shown_files.append({k: v for k, v in f.items() if v is not None})
        file_ids = [f["id"] for f in shown_files]
        for channel_id in channel_ids:
            self.file_shares.append(
                {
                    "channel": channel_id,
                    "file_ids": file_ids,
                    "initial_comment": args.get("initial_comment"),
                    "thread_ts": args.get("thread_ts"),
                }
            )
            # Sharing posts a message carrying the files, with the comment as its text.
            message = self._bot_message(
                {"text": args.get("initial_comment", ""), "thread_ts": args.get("thread_ts")}, self._next_ts()
            )
            message["files"] = _copy(shown_files)
            message["upload"] = True
            self._store_message(channel_id, message)
        return {"files": [{"id": f["id"], "title": f["title"]} for f in shown_files]}


# ====================================================================== HTTP plumbing


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSlack  # set on the per-instance subclass
    server_version = "FakeSlack/1"
    # Keep-alive, as slack.com: a client may send many calls on one connection.
    protocol_version = "HTTP/1.1"
    # The headers and the body go out in two writes; without this, the body
    # waits for the client's delayed ACK (40 ms) on a kept connection.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        try:
            self.fake._answer(self)
        except ConnectionError:
            # The client went away mid-request (a server killed in a test):
            # there is no one to answer, and the cut-off body is no mistake
            # of the app's, so it is not a violation.
            log.debug("fake Slack: client left during %s", self.path)
        except Exception:  # a bug in the fake must show up, not hang the client
            log.exception("fake Slack failed on %s", self.path)
            self.reply(500, b'{"ok": false, "error": "fake_slack_crashed"}', "application/json; charset=utf-8")

    do_GET = do_POST

    def reply(self, status: int, body: bytes, content_type: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if status in (404, 500):
            # The request's body may be unread: the connection cannot carry another.
            self.send_header("Connection", "close")
            self.close_connection = True
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), format % args)


def _parse_args(request: BaseHTTPRequestHandler, query: str) -> tuple[dict, bool]:
    """Merge query-string and body arguments. Returns (args, body_was_json)."""
    args: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    length = int(request.headers.get("Content-Length") or 0)
    raw = request.rfile.read(length) if length else b""
    if len(raw) < length:
        raise ConnectionAbortedError("the client closed the connection before sending the whole body")
    content_type = (request.headers.get("Content-Type") or "").lower()
    if not raw:
        return args, False
    if content_type.startswith("application/json"):
        try:
            body = json.loads(raw)
        except ValueError:
            raise ValueError("invalid_json") from None
        if not isinstance(body, dict):
            raise ValueError("invalid_json")
        args.update(body)
        return args, True
    if content_type.startswith("multipart/form-data"):
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + request.headers["Content-Type"].encode() + b"\r\n\r\n" + raw
        )
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name:
                payload = part.get_payload(decode=True) or b""
                args[name] = payload if part.get_filename() else payload.decode("utf-8")
        return args, False
    if content_type.startswith("application/x-www-form-urlencoded") or not content_type:
        args.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        return args, False
    raise ValueError("invalid_post_type")


def _decode_json_args(args: dict) -> None:
    for name in JSON_ARGS & args.keys():
        value = args[name]
        if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
            try:
                args[name] = json.loads(value)
            except ValueError:
                raise SlackError(
                    "invalid_arguments", violation=True, messages=[f"invalid JSON in argument: {name}"]
                ) from None


def _bearer(value: str | None) -> str | None:
    if value and value.lower().startswith("bearer "):
        return value[7:].strip() or None
    return None


def _truthy(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def _tz_offset(tz: str) -> int:
    try:
        from datetime import datetime
        from zoneinfo import ZoneInfo

        offset = datetime.now(ZoneInfo(tz)).utcoffset()
        return int(offset.total_seconds()) if offset else 0
    except Exception:  # no tz database: the offset is cosmetic here
        return 0


def _mimetype(filename: str) -> str:
    import mimetypes

    return mimetypes.guess_type(filename)[0] or "application/octet-stream"
