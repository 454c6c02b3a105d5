"""Page views of the public website beside a load: GET requests on a fixed
clock (open loop), to 127.0.0.1 only, over keep-alive connections.

`PageViews(url, paths, rate=200).run_while(work)` runs `work()` with the page
views going on, and stops them when it returns; the views stop by themselves
too, after `most` requests or `seconds` seconds, whichever is first.
"""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlsplit

T = TypeVar("T")


class PageViews:
    def __init__(
        self,
        url: str,
        paths: list[str],
        *,
        rate: float = 200,
        threads: int = 8,
        most: int = 200_000,
        seconds: float = 900,
    ):
        where = urlsplit(url)
        if where.hostname != "127.0.0.1":
            raise ValueError(f"page views go to 127.0.0.1 only, not {where.hostname}")
        self.host, self.port = where.hostname, where.port or 80
        self.paths = paths
        self.rate, self.threads, self.most, self.seconds = rate, threads, most, seconds
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def run_while(self, work: Callable[[], T]) -> T:
        start = time.perf_counter()
        workers = [threading.Thread(target=self._view, args=(i, start), daemon=True) for i in range(self.threads)]
        for worker in workers:
            worker.start()
        try:
            return work()
        finally:
            self._stop.set()
            for worker in workers:
                worker.join(timeout=15)

    def _view(self, index: int, start: float) -> None:
        """Every `threads`-th request, each due at start + n / rate; latency
        counts from when it was due, so a slow answer is charged for the views
        that queued behind it."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        n = index
        while not self._stop.is_set() and n < self.most:
            due = start + n / self.rate
            if due - start > self.seconds:
                break
            wait = due - time.perf_counter()
            if wait > 0 and self._stop.wait(wait):
                break
            status = self._get(connection, self.paths[n % len(self.paths)])
            with self._lock:
                self.latencies.append(time.perf_counter() - due)
                self.statuses[status] += 1
            n += self.threads
        connection.close()

    def _get(self, connection: http.client.HTTPConnection, path: str) -> str:
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            return str(response.status)
        except (OSError, http.client.HTTPException) as error:
            connection.close()  # reconnects on the next request
            return type(error).__name__

    @property
    def served(self) -> int:
        return self.statuses.get("200", 0)

    @property
    def failed(self) -> int:
        return sum(self.statuses.values()) - self.served
