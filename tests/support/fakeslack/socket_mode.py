"""The Socket Mode side of the fake Slack: a WebSocket server speaking Slack's protocol.

The protocol (docs.slack.dev "Using Socket Mode"):

1. The app calls `apps.connections.open` with its app-level token (xapp-...) and gets a
   one-off URL, `wss://.../link/?ticket=...&app_id=...`. FakeSlack's Web API answers it
   with `SocketModeServer.issue_url()`.
2. The app connects; Slack sends `{"type": "hello", ...}`.
3. Slack sends envelopes `{"envelope_id", "type", "payload", "accepts_response_payload",
   "retry_attempt", "retry_reason"}`; the app acks each with `{"envelope_id", "payload"?}`
   within 3 seconds. For slash commands and interactivity the ack's payload is the
   response (e.g. a message text or `response_action: errors`).
4. Slack may send `{"type": "disconnect", "reason": ...}`; the app then calls
   `apps.connections.open` again and reconnects.

Quirks of slack_sdk's builtin client (slack_sdk/socket_mode/builtin/), which Bolt's
`SocketModeHandler` uses, that this server accommodates:

- it speaks plain `ws://` to any port other than 443, so a local URL works without TLS;
- it does not negotiate permessage-deflate and cannot read fragmented frames, so
  compression is off and every message goes out as one frame (websockets does that for
  a str);
- it pings right after connecting and every `ping_interval` seconds and treats a
  connection without pongs for 4 intervals as stale: websockets answers pings itself;
- its receive loop holds a lock while blocked in recv() (3 s socket timeout), and
  close()/reconnect wait for that lock: the server pings every PING_INTERVAL so they
  finish quickly;
- Bolt acks only requests a listener handled: an unhandled event or action gets no ack
  at all (send_envelope then times out), as with real Slack, which would retry it;
- its handshake sends `Host` without the port and no `Origin`, so neither is checked;
- `close()` closes the TCP socket without a close frame, so an abrupt end is normal.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import uuid
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Request, Server, ServerConnection, serve

log = logging.getLogger("fakeslack.socket_mode")

ENVELOPE_KINDS = ("slash_commands", "interactive", "events_api")
PING_INTERVAL = 0.2  # seconds


class SocketModeServer:
    """Local WebSocket server; FakeSlack owns one and starts it in `start()`."""

    def __init__(self, *, app_id: str = "A123", host: str = "127.0.0.1") -> None:
        self.app_id = app_id
        self.host = host
        self.port: int | None = None
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._cond = threading.Condition()
        self._tickets: set[str] = set()
        self._connections: list[ServerConnection] = []  # open, hello sent; newest last
        self._acks: dict[str, dict] = {}
        #: Number of WebSocket connections accepted so far (reconnections count).
        self.connections_opened = 0
        #: Every envelope sent and every message the app sent back, in order.
        self.sent: list[dict] = []
        self.received: list[dict] = []

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        if self._server is not None:
            return
        self._server = serve(
            self._handle,
            self.host,
            0,
            process_request=self._check_ticket,
            compression=None,  # the builtin client cannot inflate
            # Slack pings its clients too. Frequent pings matter here: the builtin client
            # blocks in recv() (3 s timeout) holding a lock that close() and reconnecting
            # need, so without traffic each close or reconnect stalls for up to 3 s.
            ping_interval=PING_INTERVAL,
            close_timeout=1,
            logger=log,
        )
        self.port = self._server.socket.getsockname()[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="fakeslack-socket-mode", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None
        with self._cond:
            self._connections.clear()
            self._cond.notify_all()

    # ------------------------------------------------------------------ Web API side

    def issue_url(self) -> str:
        """A fresh single-use URL, as apps.connections.open returns."""
        if self._server is None:
            self.start()
        ticket = str(uuid.uuid4())
        with self._cond:
            self._tickets.add(ticket)
        return f"ws://{self.host}:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    # ------------------------------------------------------------------ test API

    @property
    def is_connected(self) -> bool:
        with self._cond:
            return bool(self._connections)

    def wait_for_connection(self, timeout: float = 10, *, count: int = 1) -> None:
        """Block until an app is connected (and has been sent hello) and at least `count`
        connections have been opened in all (count=2: wait for a reconnection)."""
        with self._cond:
            if not self._cond.wait_for(
                lambda: bool(self._connections) and self.connections_opened >= count, timeout=timeout
            ):
                raise AssertionError(
                    f"no Socket Mode connection within {timeout}s (connections so far: {self.connections_opened})"
                )

    def send_envelope(
        self,
        kind: str,
        payload: dict,
        *,
        timeout: float = 5,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> dict:
        """Send an envelope to the connected app and return its ack.

        The ack is the app's message, e.g. {"envelope_id": "...", "payload": {"text": "..."}};
        "payload" is absent when the app acked without one. Raises AssertionError when no
        app is connected or it does not ack within `timeout` seconds (Slack gives 3).
        """
        if kind not in ENVELOPE_KINDS:
            raise ValueError(f"kind must be one of {ENVELOPE_KINDS}, not {kind!r}")
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        self.wait_for_connection(timeout=timeout)
        with self._cond:
            connection = self._connections[-1]
            self.sent.append(envelope)
        connection.send(json.dumps(envelope))
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self._acks, timeout=timeout):
                raise AssertionError(
                    f"the app did not ack the {kind} envelope within {timeout}s (messages received: {self.received!r})"
                )
            return self._acks.pop(envelope_id)

    def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask connected apps to reconnect, as Slack does every few hours.

        slack_sdk's client answers by calling apps.connections.open and connecting to the
        new URL; the old connection is then closed by the client (or by us on stop()).
        """
        message = json.dumps({"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake"}})
        with self._cond:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(ConnectionClosed):
                connection.send(message)

    # ------------------------------------------------------------------ server internals

    def _check_ticket(self, connection: ServerConnection, request: Request):
        """Refuse connections without a ticket from apps.connections.open (single use)."""
        url = urlsplit(request.path)
        ticket = parse_qs(url.query).get("ticket", [""])[0]
        with self._cond:
            valid = url.path == "/link/" and ticket in self._tickets
            self._tickets.discard(ticket)
        if not valid:
            log.warning("refused Socket Mode connection to %s", request.path)
            return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid or used ticket\n")
        return None

    def _handle(self, connection: ServerConnection) -> None:
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {
                "host": "applink-fake",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }
        with self._cond:
            hello["num_connections"] = len(self._connections) + 1
        try:
            connection.send(json.dumps(hello))
            with self._cond:
                self.connections_opened += 1
                self._connections.append(connection)
                self._cond.notify_all()
            for raw in connection:
                try:
                    message = json.loads(raw)
                except (TypeError, ValueError):
                    log.warning("non-JSON message from the app: %r", raw)
                    continue
                with self._cond:
                    self.received.append(message)
                    if isinstance(message, dict) and "envelope_id" in message:
                        self._acks[message["envelope_id"]] = message
                    self._cond.notify_all()
        except ConnectionClosed:
            pass  # the builtin client drops the socket without a close frame
        finally:
            with self._cond:
                if connection in self._connections:
                    self._connections.remove(connection)
                self._cond.notify_all()


def close_quickly(handler_or_client) -> None:
    """Close a Bolt SocketModeHandler or slack_sdk SocketModeClient without its 1 s stall.

    The builtin client's message processor waits in `message_queue.get(timeout=1)` and
    `close()` joins it, so every close takes up to a second. Marking the client closed and
    waking the queue first (None is skipped by the processor) lets close() return at once.
    Falls back to a plain close() if slack_sdk's internals change.
    """
    client = getattr(handler_or_client, "client", handler_or_client)
    queue = getattr(client, "message_queue", None)
    if queue is not None and hasattr(client, "closed"):
        client.closed = True
        queue.put(None)
    handler_or_client.close()
