"""Serving: HTTP (waitress, multi-threaded) or Socket Mode."""

from __future__ import annotations

import json
import logging
import signal
import threading

from http import HTTPStatus

from slack_bolt import App, BoltRequest

from bot.payloads import is_well_formed
from storage.db import Database

log = logging.getLogger(__name__)


MAX_BODY = 1_000_000  # Slack's payloads are far smaller; refuse anything bigger.


def _reply(start_response, status: int, body: bytes, headers: dict[str, list[str]] | None = None):
    header_list = [(name, value) for name, values in (headers or {}).items() for value in values]
    if not any(name.lower() == "content-type" for name, _ in header_list):
        header_list.append(("Content-Type", "text/plain; charset=utf-8"))
    header_list.append(("Content-Length", str(len(body))))
    start_response(f"{status} {HTTPStatus(status).phrase}", header_list)
    return [body]


def make_wsgi_app(app: App, db: Database):
    """POST /slack/events goes to Bolt; GET /healthz says whether the
    database answers, for load balancers and container health checks.

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
            return _reply(start_response, status, json.dumps(body).encode(),
                          {"Content-Type": ["application/json"]})
        if path != "/slack/events":
            return _reply(start_response, 404, b"Not found\n")
        if method != "POST":
            return _reply(start_response, 405, b"Use POST\n", {"Allow": ["POST"]})
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY:
            return _reply(start_response, 400, b"Bad request body\n")
        try:
            body = environ["wsgi.input"].read(length).decode("utf-8")
        except UnicodeDecodeError:
            return _reply(start_response, 400, b"Request body must be UTF-8\n")
        content_type = environ.get("CONTENT_TYPE", "")
        if not is_well_formed(body, content_type):
            return _reply(start_response, 400, b"Not a Slack request\n")
        headers = {
            key[5:].replace("_", "-").lower(): [value]
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        headers["content-type"] = [content_type]
        response = app.dispatch(BoltRequest(body=body, query=environ.get("QUERY_STRING", ""), headers=headers))
        return _reply(start_response, response.status, response.body.encode("utf-8"), response.headers)

    return wsgi


def make_http_server(app: App, db: Database, *, port: int, host: str = "0.0.0.0", threads: int = 16):
    """waitress: a production WSGI server in pure Python, multi-threaded, with
    no extra process manager to configure. Tests run this same server."""
    from waitress import create_server

    return create_server(make_wsgi_app(app, db), host=host, port=port, threads=threads,
                         ident="meetup-bot", clear_untrusted_proxy_headers=True)


def serve_http(app: App, db: Database, *, port: int) -> None:
    server = make_http_server(app, db, port=port)
    log.info("Listening on http://%s:%s/slack/events", server.effective_host, server.effective_port)
    server.run()


def serve_socket_mode(app: App, app_token: str) -> None:
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(app, app_token=app_token)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    handler.connect()
    log.info("Connected to Slack in Socket Mode")
    stop.wait()
    handler.close()


def start_housekeeping(db: Database, settings, *, every_seconds: int = 3600) -> threading.Event:
    """Hourly, in the background: remove personal data that has reached its
    end, and forget Slack event ids too old to be retried. Returns an event
    that stops it."""
    from bot.privacy import purge_due
    from bot.votes import forget_old_events
    from storage.models import utcnow

    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                for meetup, count in purge_due(db, utcnow(), settings.purge_after_days):
                    log.info("Removed personal data of %d sign-ups for meetup %d", count, meetup.id)
                forget_old_events(db, utcnow())
            except Exception:  # keep serving; the next run tries again
                log.exception("Housekeeping failed")
            stop.wait(every_seconds)

    threading.Thread(target=loop, name="housekeeping", daemon=True).start()
    return stop
