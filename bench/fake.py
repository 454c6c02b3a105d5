"""The fake Slack for the benchmark, in a process of its own.

It is tests/support/fakeslack's FakeSlack with three additions:

- anyone whose id looks like a member id is a member of the workspace, with a
  government email address, so a load of thousands of people needs no set-up;
- a delay on every Web API call, as slack.com answers in tens of milliseconds,
  not the microseconds of loopback: work an app does after its ack holds a
  thread for that long, as it does in production;
- an optional rate limit, like Slack's for posting: at most one message a
  second into each channel, and HTTP 429 with Retry-After beyond that;
- control routes under /bench/ that the benchmark (another process) uses to
  read what happened: the modal a trigger_id opened, the messages in a
  channel, the direct messages, counts of calls.

It runs in its own process because a benchmark answering the server's Web API
calls from its own busy interpreter would slow those calls, and so the server.

It must answer in steady time for the whole run, as Slack does. What it keeps
(every modal and message, for the benchmark to read) only grows, and a full
garbage collection walking it held every answer, so every server's, for half
a second to three seconds by the third round of a scenario. So it keeps counts
of the calls, not the calls, and leaves what it keeps out of the collector.
"""

from __future__ import annotations

import gc
import io
import json
import math
import re
import sys
import threading
import time
from collections import Counter
from http.server import ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl, urlsplit

from tests.support.fakeslack import FakeSlack
from tests.support.fakeslack.server import _Handler

MEMBER_ID = re.compile(r"^[UW][0-9A-Z]{2,20}$")

# Methods that post a message into a channel: those Slack limits per channel.
POSTING_METHODS = {"chat.postMessage", "files.completeUploadExternal"}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The server under test opens a connection per Web API call, many at once;
    # http.server's default listen backlog of 5 would drop some into SYN retries.
    request_queue_size = 512


class BenchFakeSlack(FakeSlack):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.latency = 0.0  # seconds added to every Web API call
        self.rate_limit_interval: float | None = None  # seconds between posts into one channel
        self._last_post: dict[str, float] = {}
        self.rate_limited = 0
        self._views_by_trigger: dict[str, dict] = {}
        # Web API tiers: calls a second per method, each with a bucket of
        # `burst` calls (method -> [rate, burst, tokens, last refill]).
        self._method_limits: dict[str, list[float]] = {}
        self.calls = _CallCounts()

    def start(self) -> BenchFakeSlack:
        handler = type("_BoundHandler", (_Handler,), {"fake": self})
        self._http = _Server(("127.0.0.1", 0), handler)
        self._http_thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.05}, name="fakeslack-http", daemon=True
        )
        self._http_thread.start()
        return self

    def stop(self) -> None:
        # Only the Web API was started: the benchmark uses HTTP mode, not Socket Mode.
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None

    # ---------------------------------------------------------------- members

    def _user(self, user_id, error: str = "user_not_found") -> dict:
        if isinstance(user_id, str) and user_id not in self.users and MEMBER_ID.match(user_id):
            self.add_user(user_id, real_name=f"Person {user_id}", email=f"{user_id.lower()}@homeoffice.gov.uk")
        return super()._user(user_id, error)

    # ---------------------------------------------------------------- requests

    def _answer(self, request) -> None:
        url = urlsplit(request.path)
        if url.path.startswith("/bench/"):
            self._answer_control(request, url.path[len("/bench/") :], parse_qs(url.query))
            return
        super()._answer(request)

    def _answer_api(self, method, request, query):
        if self.latency:
            time.sleep(self.latency)  # outside the fake's lock: calls wait side by side, as at Slack
        tier_wait = self._tier_wait(method)
        if tier_wait:
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(math.ceil(tier_wait))}
        if self.rate_limit_interval and method in POSTING_METHODS:
            length = int(request.headers.get("Content-Length") or 0)
            raw = request.rfile.read(length) if length else b""
            request.rfile = io.BytesIO(raw)  # the fake's own parser reads it again
            wait = self._rate_limit_wait(_channel_of(raw, request.headers.get("Content-Type") or "", query))
            if wait:
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(math.ceil(wait))}
        return super()._answer_api(method, request, query)

    def _views_open(self, args, call):
        answer = super()._views_open(args, call)
        # Runs with the lock held; the benchmark asks for the modal by trigger_id.
        self._views_by_trigger[str(args.get("trigger_id"))] = args["view"]
        return answer

    def _rate_limit_wait(self, channel: str | None) -> float:
        """Seconds until this channel may take another post; 0 means now (and counts it)."""
        if not channel:
            return 0
        now = time.monotonic()
        with self._lock:
            last = self._last_post.get(channel)
            if last is not None and now - last < self.rate_limit_interval:
                self.rate_limited += 1
                return self.rate_limit_interval - (now - last)
            self._last_post[channel] = now
            return 0

    def _tier_wait(self, method: str) -> float:
        """Seconds until this method may be called again under its tier; 0 means now (and counts it)."""
        with self._lock:
            limit = self._method_limits.get(method)
            if limit is None:
                return 0
            rate, burst, tokens, last = limit
            now = time.monotonic()
            tokens = min(burst, tokens + (now - last) * rate)
            if tokens >= 1:
                limit[2:] = [tokens - 1, now]
                return 0
            limit[2:] = [tokens, now]
            self.rate_limited += 1
            return (1 - tokens) / rate

    # ---------------------------------------------------------------- control

    def _answer_control(self, request, name: str, query: dict) -> None:
        length = int(request.headers.get("Content-Length") or 0)
        body = json.loads(request.rfile.read(length) or b"{}") if length else {}
        with self._lock:
            found, answer = True, None
            if name == "config":
                if "rate_limit_interval" in body:
                    interval = body["rate_limit_interval"]
                    self.rate_limit_interval = float(interval) if interval else None
                    self._last_post.clear()
                if "method_limits" in body:  # {method: [calls a second, burst]}, or null for none
                    self._method_limits = {
                        m: [float(rate), float(burst), float(burst), time.monotonic()]
                        for m, (rate, burst) in (body["method_limits"] or {}).items()
                    }
                if "latency" in body:
                    self.latency = float(body["latency"] or 0)
                answer = {"ok": True}
            elif name == "reset":
                self.reset()
                self.views.clear()
                self._views_by_trigger.clear()
                self._used_triggers.clear()
                self._open_dms.clear()
                self._last_post.clear()
                self._messages = {}
                self.rate_limited = 0
                answer = {"ok": True}
            elif name == "view":
                view = self._views_by_trigger.get(query.get("trigger_id", [""])[0])
                found, answer = view is not None, {"view": view}
            elif name == "messages":
                answer = {"messages": [self._present(m) for m in self._messages.get(query["channel"][0], [])]}
            elif name == "dms":
                # Per direct-message channel, each message as text plus the files it carries.
                answer = {
                    "dms": {
                        channel: [_message_key(m) for m in messages]
                        for channel, messages in self._messages.items()
                        if channel.startswith("D")
                    }
                }
            elif name == "stats":
                answer = {
                    "calls": self.calls.counts,
                    "failures": Counter(c.method for c in self.failures),
                    "violations": self.violations[-20:],
                    "violation_count": len(self.violations),
                    "rate_limited": self.rate_limited,
                }
            else:
                found = False
        if not found:
            request.reply(404, b'{"ok": false}', "application/json")
        else:
            request.reply(200, json.dumps(answer).encode(), "application/json")


class _CallCounts(list):
    """Where FakeSlack records each call: here only counted by method."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: Counter = Counter()

    def append(self, call) -> None:
        self.counts[call.method] += 1

    def clear(self) -> None:
        self.counts.clear()


def _freeze_what_is_kept(stop: threading.Event) -> None:
    # What is alive now is nearly all kept until the end, so no collection
    # need walk it again; reference counting still frees what is dropped.
    while not stop.wait(0.5):
        gc.freeze()


def _message_key(message: dict) -> str:
    files = ",".join(sorted(f.get("name", "") for f in message.get("files", [])))
    return f"{message.get('text', '')}|{files}"


def _channel_of(raw: bytes, content_type: str, query: str) -> str | None:
    args = dict(parse_qsl(query))
    try:
        if content_type.startswith("application/json"):
            args.update(json.loads(raw or b"{}"))
        elif not content_type.startswith("multipart/"):
            args.update(parse_qsl(raw.decode("utf-8")))
    except ValueError:
        return None
    channel = args.get("channel") or args.get("channel_id") or args.get("channels")
    if not channel:
        return None
    channel = str(channel).split(",")[0]
    # A user id posts into the DM with that person: the same conversation.
    return "D" + channel if channel[:1] in ("U", "W") else channel


def main() -> int:
    """Start, print {"port": N} on one line, serve until standard input closes."""
    fake = BenchFakeSlack().start()
    channel = sys.argv[1] if len(sys.argv) > 1 else "C0MEETUP"
    fake.add_channel(channel, name="open-source-meetups")
    print(json.dumps({"port": fake.port}), flush=True)
    stop = threading.Event()
    threading.Thread(target=_freeze_what_is_kept, args=(stop,), name="freeze", daemon=True).start()
    # The benchmark holds our standard input: when it goes, so do we, even
    # if the benchmark was killed.
    sys.stdin.read()
    stop.set()
    fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
