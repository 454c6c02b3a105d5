"""Serving: HTTP (waitress, multi-threaded, in one process or several) or Socket Mode."""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import signal
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from typing import NoReturn

from slack_bolt import App

from bot.runtime.payloads import read_request
from storage.db import Database

log = logging.getLogger(__name__)


MAX_BODY = 1_000_000  # Slack's payloads are far smaller; refuse anything bigger.


def _reply(start_response, status: int, body: bytes, headers: Mapping[str, Sequence[str]] | None = None):
    header_list = [(name, value) for name, values in (headers or {}).items() for value in values]
    if not any(name.lower() == "content-type" for name, _ in header_list):
        header_list.append(("Content-Type", "text/plain; charset=utf-8"))
    header_list.append(("Content-Length", str(len(body))))
    start_response(f"{status} {HTTPStatus(status).phrase}", header_list)
    return [body]


def make_wsgi_app(app: App | None, db: Database, pages: Callable | None = None, *, slack_events: bool = True):
    """POST /slack/events goes to Bolt; GET /healthz says whether the
    database answers, for load balancers and container health checks; any
    other path goes to the public pages (bot/runtime/web.py), when they are on.
    Without `slack_events` (Socket Mode, where events arrive over the
    WebSocket and no signature is checked) there is no /slack/events.

    The Slack route is written out here rather than through Bolt's WSGI
    adapter so that malformed bodies (not UTF-8, too large) get a 400, not a 500.
    """

    def wsgi(environ, start_response):
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD")
        if path == "/healthz" and method in ("GET", "HEAD"):
            try:
                db.ping()
                status, body = 200, {"status": "ok", "database": "ok"}
            except Exception as error:  # any database failure means "not ready"
                log.warning("Health check failed: %s", type(error).__name__)
                status, body = 503, {"status": "unavailable", "database": "error"}
            return _reply(start_response, status, json.dumps(body).encode(), {"Content-Type": ["application/json"]})
        if path != "/slack/events" or not slack_events:
            if pages is not None:
                return pages(environ, start_response)
            return _reply(start_response, 404, b"Not found\n")
        if method != "POST":
            return _reply(start_response, 405, b"Use POST\n", {"Allow": ["POST"]})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        # Decided on the header alone, before wsgi.input is touched.
        if length > MAX_BODY:
            return _reply(start_response, 413, b"Request body too large\n")
        if length < 0:
            return _reply(start_response, 400, b"Bad request body\n")
        try:
            body = environ["wsgi.input"].read(length).decode("utf-8")
        except UnicodeDecodeError:
            return _reply(start_response, 400, b"Request body must be UTF-8\n")
        content_type = environ.get("CONTENT_TYPE", "")
        headers = {
            key[5:].replace("_", "-").lower(): [value] for key, value in environ.items() if key.startswith("HTTP_")
        }
        headers["content-type"] = [content_type]
        request = read_request(body, headers=headers, query=environ.get("QUERY_STRING", ""))
        if request is None:
            return _reply(start_response, 400, b"Not a Slack request\n")
        assert app is not None  # only Socket Mode's server has none, and it has no /slack/events
        response = app.dispatch(request)
        return _reply(start_response, response.status, response.body.encode("utf-8"), response.headers)

    return wsgi


def make_http_server(
    app: App | None,
    db: Database,
    *,
    pages: Callable | None = None,
    slack_events: bool = True,
    port: int = 0,
    host: str = "0.0.0.0",
    threads: int = 16,
    sock: socket.socket | None = None,
):
    """waitress: a production WSGI server in pure Python, multi-threaded, with
    no extra process manager to configure. Tests run this same server. With
    `sock`, it accepts on that listening socket (shared by several processes)
    instead of opening its own."""
    # waitress re-exports it from waitress.server; its stubs know only the latter.
    from waitress.server import create_server

    where = {"sockets": [sock]} if sock is not None else {"host": host, "port": port}
    # waitress reads a whole body before the app sees it, spooling anything
    # over inbuf_overflow (512 KB) to disk, and by default accepts 1 GiB. With
    # this limit it answers 413 as soon as it reads a Content-Length over
    # MAX_BODY (or a chunked body passes it), without reading the rest; its
    # check is ">=", hence the + 1. Bodies within the limit stay in memory.
    return create_server(
        make_wsgi_app(app, db, pages, slack_events=slack_events),
        threads=threads,
        ident="meetup-bot",
        clear_untrusted_proxy_headers=True,
        max_request_body_size=MAX_BODY + 1,
        inbuf_overflow=MAX_BODY + 1,
        **where,
    )


def freeze_start_up() -> None:
    """Leave what start-up made out of Python's garbage collection, before
    serving. Most objects a server holds are its modules, the app and the
    domain tables, which last as long as the process, and a full collection
    walks every object: 100 to 160 ms in a server process, during which none
    of its threads answers (docs/performance.md). Frozen, they are no longer
    walked; what requests make is collected as before."""
    gc.collect()
    gc.freeze()


def serve_http(
    app: App, db: Database, *, port: int, sock: socket.socket | None = None, pages: Callable | None = None
) -> None:
    server = make_http_server(app, db, port=port, sock=sock, pages=pages)
    log.info("Listening on http://%s:%s/slack/events", server.effective_host, server.effective_port)
    server.run()


def listen(port: int, host: str = "0.0.0.0") -> socket.socket:
    """The listening socket that every server process accepts on: the kernel
    hands each new connection to one of them, and a connection waiting in its
    queue is not lost when one process stops."""
    return socket.create_server((host, port), backlog=1024)


# A process that cannot start (exit status 2: settings, or Slack refusing the
# token) will not start next time either; nor will one that keeps dying.
_CANNOT_START = 2
_MOST_RESTARTS, _RESTART_WINDOW = 5, 60.0


def _stop_with_parent(parent: int) -> None:
    """In a child: get SIGTERM if the parent dies, even by SIGKILL, so no
    server process is left holding the port (Linux; elsewhere SIGTERM to the
    parent still stops them all)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # it died before prctl took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _run_child(run_one: Callable[[int], int], slot: int, parent: int) -> NoReturn:
    """The child: serve until stopped, never return into the parent's code."""
    code = 1
    try:
        _stop_with_parent(parent)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        code = run_one(slot)
    except KeyboardInterrupt:
        code = 0
    except BaseException:
        log.exception("Server process %d stopped with an error", os.getpid())
    finally:
        logging.shutdown()
        os._exit(code)


def _keeps_stopping(restarts: deque[float]) -> bool:
    """Count one more restart; true when there have been too many in the window."""
    now = time.monotonic()
    restarts.append(now)
    while restarts and restarts[0] < now - _RESTART_WINDOW:
        restarts.popleft()
    return len(restarts) > _MOST_RESTARTS


def serve_forked(run_one: Callable[[int], int], *, processes: int) -> int:
    """Run `run_one(slot)` in `processes` child processes, for `meetup-bot
    serve` with WEB_CONCURRENCY: one Python process uses one core at a time
    (the GIL), and an announcement's rush needs them all. Each child has its
    own database pool; everything they share is in the database, which keeps
    capacity exact across processes.

    Call it before starting any thread or opening any connection: fork copies
    only the calling thread. A child that dies is replaced. SIGTERM or SIGINT
    stops them all, then this returns 0."""
    children: dict[int, int] = {}  # pid -> slot
    parent = os.getpid()
    stopping = False
    restarts: deque[float] = deque()
    exit_code = 0

    def start(slot: int) -> None:
        pid = os.fork()
        if pid == 0:
            _run_child(run_one, slot, parent)
        children[pid] = slot

    def stop_all(*_args) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop_all)
    signal.signal(signal.SIGINT, stop_all)
    for first in range(processes):  # not `slot`: that one may be None below
        start(first)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        slot = children.pop(pid, None)
        if slot is None or stopping:
            continue
        code = os.waitstatus_to_exitcode(status)
        if code == _CANNOT_START:
            exit_code = code
            stop_all()
            continue
        if _keeps_stopping(restarts):
            log.error("Server processes keep stopping (%d in a minute): stopping the rest", len(restarts))
            exit_code = 1
            stop_all()
            continue
        log.error("Server process %d stopped (exit status %s); starting another", pid, code)
        start(slot)
    return exit_code


def serve_socket_mode(app: App, app_token: str, *, http=None) -> None:
    """Slack's events over the WebSocket; with `http` (a server from
    make_http_server without /slack/events), /healthz and the public pages on
    PORT beside it."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token=app_token)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    handler.connect()
    log.info("Connected to Slack in Socket Mode")
    if http is not None:
        threading.Thread(target=http.run, name="http", daemon=True).start()
        log.info(
            "Listening on http://%s:%s/ for the public pages and /healthz", http.effective_host, http.effective_port
        )
    stop.wait()
    handler.close()
    if http is not None:
        http.close()


def start_housekeeping(db: Database, settings, *, every_seconds: int = 3600) -> threading.Event:
    """Hourly, in the background: remove personal data that has reached its
    end (in Slack too), and forget Slack event ids too old to be retried.
    Returns an event that stops it."""
    from bot.runtime.app import make_client
    from bot.runtime.purge import purge
    from bot.topics.votes import forget_old_events
    from storage.models import utcnow

    stop = threading.Event()
    client = make_client(settings)

    def loop() -> None:
        while not stop.is_set():
            try:
                report = purge(db, client, settings, now=utcnow())
                for meetup, count in report.purged:
                    log.info("Removed personal data of %d sign-ups for meetup %d", count, meetup.id)
                if report.files_deleted:
                    log.info("Deleted %d exported visitor lists from Slack", report.files_deleted)
                forget_old_events(db, utcnow())
            except Exception:  # keep serving; the next run tries again
                log.exception("Housekeeping failed")
            stop.wait(every_seconds)

    threading.Thread(target=loop, name="housekeeping", daemon=True).start()
    return stop
