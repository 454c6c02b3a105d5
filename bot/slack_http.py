"""Web API calls over connections that stay open.

slack_sdk's WebClient opens a new connection for every call (urllib), which
against slack.com means a new TCP connection and TLS handshake each time:
tens of milliseconds before a modal can open, and CPU that a rush of sign-ups
needs for acknowledging people (docs/performance.md). KeepAliveWebClient keeps
one connection per thread and host, and hands everything else (retries, 429s,
parsing, errors) back to slack_sdk unchanged.

The connections belong to the thread, not to the client: Bolt makes a new
client for every request, and its listener threads live on.
"""

from __future__ import annotations

import io
import threading
from http.client import HTTPConnection, HTTPSConnection, RemoteDisconnected
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlsplit
from urllib.request import Request

from slack_sdk import WebClient

# Raised when a connection kept from an earlier call turns out to have been
# closed by the server while idle; the request never reached it, so sending
# it once more on a new connection is safe.
_STALE = (RemoteDisconnected, ConnectionResetError, BrokenPipeError)

_per_thread = threading.local()


class KeepAliveWebClient(WebClient):
    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        parts = urlsplit(url)
        if self.proxy is not None or parts.scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        connections = _per_thread.__dict__.setdefault("connections", {})
        key = (parts.scheme, parts.netloc, self.timeout, id(self.ssl))
        reused = key in connections
        if not reused:
            connections[key] = self._connect(parts.scheme, parts.netloc)
        try:
            response = self._send(connections[key], req)
        except _STALE:
            connections.pop(key).close()
            if not reused:
                raise
            connections[key] = self._connect(parts.scheme, parts.netloc)
            response = self._send(connections[key], req)
        except BaseException:
            connections.pop(key).close()  # in an unknown state: never reuse it
            raise
        status, headers, body = response
        if status >= 400:
            # As urllib reports it, so slack_sdk's retry handlers see what they expect.
            raise HTTPError(url, status, headers.get("Status", ""), headers, io.BytesIO(body))
        if headers.get_content_type() == "application/gzip":  # admin.analytics.getFile
            return {"status": status, "headers": headers, "body": body}
        return {"status": status, "headers": headers, "body": body.decode(headers.get_content_charset() or "utf-8")}

    def _connect(self, scheme: str, netloc: str) -> HTTPConnection:
        if scheme == "https":
            return HTTPSConnection(netloc, timeout=self.timeout, context=self.ssl)
        return HTTPConnection(netloc, timeout=self.timeout)

    @staticmethod
    def _send(connection: HTTPConnection, req: Request):
        connection.request(req.get_method(), req.selector, body=req.data, headers=dict(req.header_items()))
        response = connection.getresponse()
        body = response.read()  # all of it, so the connection can carry the next call
        if response.will_close:
            connection.close()
        return response.status, response.headers, body
