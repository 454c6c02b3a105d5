"""The load generator: signed requests over keep-alive HTTP connections, one
per client thread, to 127.0.0.1 only.

Two ways to load a server:

- open loop: requests are due on a fixed clock (`rate` a second), whether or
  not earlier ones have been answered, as people pressing a button do not wait
  for each other. Latency runs from when a request was due, not from when it
  went, so a stalled server is charged for the requests that queued behind
  the stall (no "coordinated omission").
- closed loop: `clients` threads each send a request, wait for the answer and
  send the next: the throughput the server sustains.

Every run stops by itself: after `count` requests, or `duration` seconds, or
both, and each request gives up after `timeout` seconds.

Run `python -m bench.load` with the spec as JSON on standard input; it prints
the result as JSON. `run_load(spec)` does the same in-process.
"""

from __future__ import annotations

import gc
import http.client
import itertools
import json
import sys
import threading
import time
from collections import Counter
from contextlib import closing
from urllib.parse import urlsplit

from bench import payloads
from tests.support.slack_requests import sign

SLACK_DEADLINE = 3.0  # seconds: Slack drops a request not acknowledged in time
SLOW = 0.05  # seconds: the open loop's p99 target; slower answers are listed with their times
_WALL_OFFSET = time.time() - time.perf_counter()


class _Source:
    """Hands out request number i."""

    def __init__(self, spec: dict):
        self.spec = spec
        kind = spec["type"]
        if kind == "requests":
            self.fixed = spec["requests"]
            self.limit = len(self.fixed)
        else:
            self.fixed = None
            self.limit = None

    def request(self, i: int) -> dict:
        spec = self.spec
        if self.fixed is not None:
            return self.fixed[i]
        user_id = f"{spec['user_prefix']}{spec.get('start', 0) + i:06d}"
        if spec["type"] == "command":
            return payloads.command(
                spec["text"], user_id=user_id, channel_id=spec["channel_id"], response_url=spec["response_url"]
            )
        if spec["type"] == "submission":
            values = {**spec["values"], "full_name": f"Person {user_id}"}
            return payloads.submission(spec["view"], values, user_id=user_id)
        raise ValueError(f"unknown source {spec['type']}")


class _Client:
    """One keep-alive connection; reopened after any failure."""

    def __init__(self, host: str, port: int, secret: str, timeout: float):
        self.host, self.port, self.secret, self.timeout = host, port, secret, timeout
        self.connection: http.client.HTTPConnection | None = None

    def send(self, request: dict) -> tuple[int, str]:
        """(HTTP status, "") or (0, name of the error)."""
        body = request["body"].encode("utf-8")
        headers = dict(request.get("headers") or {})
        # A retry of an Events API delivery is signed afresh, a second or more
        # after the first try, so the two never share a signature.
        timestamp = str(int(time.time()) + int(headers.get("X-Slack-Retry-Num", 0)))
        headers.update(
            {
                "Content-Type": request["content_type"],
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": sign(self.secret, timestamp, body),
            }
        )
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.connection.request("POST", "/slack/events", body=body, headers=headers)
            response = self.connection.getresponse()
            response.read()
            if response.will_close:
                self.close()
            return response.status, ""
        except (OSError, http.client.HTTPException) as error:
            self.close()
            return 0, type(error).__name__

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


class _Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        # (latency, when it was due, how late it went): whether a slow answer
        # waited in the server or in this process before it was sent.
        self.slowest: list[tuple[float, float, float]] = []
        self.statuses: Counter = Counter()
        self.errors: Counter = Counter()
        self.first_start: float | None = None
        self.last_end: float | None = None

    def record(self, started: float, due: float, ended: float, status: int, error: str) -> None:
        with self.lock:
            self.latencies.append(ended - due)
            if ended - due > SLOW:
                self.slowest.append((ended - due, due + _WALL_OFFSET, started - due))
            if status:
                self.statuses[str(status)] += 1
            else:
                self.errors[error] += 1
            self.first_start = started if self.first_start is None else min(self.first_start, started)
            self.last_end = ended if self.last_end is None else max(self.last_end, ended)

    def result(self, mode: str) -> dict:
        elapsed = (self.last_end - self.first_start) if self.latencies else 0.0
        return {
            "mode": mode,
            # Wall-clock times, comparable with other processes' clocks.
            "started_at": self.first_start + _WALL_OFFSET if self.latencies else None,
            "ended_at": self.last_end + _WALL_OFFSET if self.latencies else None,
            "count": len(self.latencies),
            "latencies": self.latencies,
            "slowest": sorted(self.slowest, reverse=True)[:50],
            "statuses": dict(self.statuses),
            "errors": dict(self.errors),
            "elapsed": elapsed,
            "throughput": len(self.latencies) / elapsed if elapsed > 0 else 0.0,
            "late": sum(1 for x in self.latencies if x > SLACK_DEADLINE),
        }


def run_load(spec: dict) -> dict:
    url = urlsplit(spec["url"])
    if url.hostname != "127.0.0.1":
        raise ValueError("the benchmark only sends to 127.0.0.1")
    timeout = float(spec.get("timeout", 10))
    recorder = _Recorder()
    mode = spec["mode"]

    def client() -> _Client:
        return _Client(url.hostname, url.port, spec["secret"], timeout)

    if mode == "open":
        _open_loop(spec, _Source(spec["source"]), client, recorder)
    elif mode == "closed":
        _closed_loop(spec, client, recorder)
    else:
        raise ValueError(f"unknown mode {mode}")
    return recorder.result(mode)


def _open_loop(spec: dict, source: _Source, client, recorder: _Recorder) -> None:
    rate, count = float(spec["rate"]), int(spec["count"])
    # Enough senders that a request is never late for want of one, unless the
    # server holds them all (and then the lateness is the server's).
    workers = int(spec.get("workers", 64))
    numbers = itertools.count()
    lock = threading.Lock()
    start = time.perf_counter() + 0.2
    give_up = start + count / rate + float(spec.get("timeout", 10)) + 5

    def sender() -> None:
        with closing(client()) as connection:
            while True:
                with lock:
                    i = next(numbers)
                if i >= count:
                    return
                request = source.request(i)  # built before it is due, so not timed
                due = start + i / rate
                pause = due - time.perf_counter()
                if pause > 0:
                    time.sleep(pause)
                if time.perf_counter() > give_up:
                    return
                _send(connection, request, recorder, due=due)

    _run_threads(sender, workers)


def _closed_loop(spec: dict, client, recorder: _Recorder) -> None:
    clients = int(spec["clients"])
    duration = float(spec.get("duration", 3600))
    source_spec = spec["source"]
    if source_spec["type"] == "per_client":
        # Each client sends its own list in order: events about one reaction
        # stay in the order Slack sent them.
        lists = source_spec["lists"]
        queues = [iter(lists[k]) if k < len(lists) else iter(()) for k in range(clients)]

        def next_request(k: int):
            return next(queues[k], None)
    else:
        source = _Source(source_spec)
        limit = (
            min(x for x in (spec.get("max_count"), source.limit) if x is not None)
            if (spec.get("max_count") is not None or source.limit is not None)
            else None
        )
        numbers = itertools.count()
        lock = threading.Lock()

        def next_request(k: int):
            with lock:
                i = next(numbers)
            if limit is not None and i >= limit:
                return None
            return source.request(i)

    end = time.perf_counter() + duration

    def sender(k: int) -> None:
        with closing(client()) as connection:
            while time.perf_counter() < end:
                request = next_request(k)
                if request is None:
                    return
                _send(connection, request, recorder)

    _run_threads(sender, clients, numbered=True)


def _send(connection, request, recorder: _Recorder, *, due: float | None = None) -> None:
    """Send one request and record its latency: from when it was due (open
    loop), or else from when it went."""
    began = time.perf_counter()
    status, error = connection.send(request)
    recorder.record(began, began if due is None else due, time.perf_counter(), status, error)


def _run_threads(target, n: int, *, numbered: bool = False) -> None:
    threads = [threading.Thread(target=target, args=((k,) if numbered else ()), daemon=True) for k in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main() -> int:
    spec = json.load(sys.stdin)
    # A full collection here during the run (20 to 46 ms, timed) would hold
    # every sender and count as the server's time; start-up's objects are
    # all this process keeps, so leave them out of the collector.
    gc.collect()
    gc.freeze()
    json.dump(run_load(spec), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
