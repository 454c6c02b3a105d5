"""Serving: HTTP (waitress, multi-threaded) or Socket Mode."""

from __future__ import annotations

import json
import logging
import signal
import threading

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from storage.db import Database

log = logging.getLogger(__name__)


def make_wsgi_app(app: App, db: Database):
    """POST /slack/events goes to Bolt; GET /healthz says whether the
    database answers, for load balancers and container health checks."""
    slack = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            try:
                db.ping()
                status, body = "200 OK", {"status": "ok", "database": "ok"}
            except Exception as error:  # any database failure means "not ready"
                log.warning("Health check failed: %s", type(error).__name__)
                status, body = "503 Service Unavailable", {"status": "unavailable", "database": "error"}
            payload = json.dumps(body).encode()
            start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
            return [payload]
        return slack(environ, start_response)

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
