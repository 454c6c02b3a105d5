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
from slack_sdk.web.file_upload_v2_result import FileUploadV2Result


class _Stale(Exception):
    """The kept connection had been closed by the server while idle: the
    request was not sent, or the server closed without a word, as it does to
    a connection it dropped before reading the request. Sending it once more
    on a new connection is safe."""

    def __init__(self, error: BaseException):
        super().__init__(error)
        self.error = error  # what the connection raised, for when it was not stale after all


_per_thread = threading.local()

# A thread needs two kept connections (the API host and the host files are
# uploaded to). A few more are allowed, and the oldest is closed beyond that,
# so a long-lived thread that meets many hosts or timeouts (the tests' fake
# Slacks) does not hold a socket for each of them.
KEPT_PER_THREAD = 4


class KeepAliveWebClient(WebClient):
    def _perform_urllib_http_request_internal(self, url: str, req: Request) -> dict[str, Any]:
        if self.proxy is not None or urlsplit(url).scheme not in ("http", "https"):
            return super()._perform_urllib_http_request_internal(url, req)
        return self._over_kept_connection(url, req)

    def _upload_file(self, *, url: str, data: bytes, logger, timeout: int, proxy, ssl) -> FileUploadV2Result:
        """A file's bytes, for files_upload_v2, to the address Slack gave:
        slack_sdk sends them with urlopen, a new connection (and handshake)
        for every calendar file."""
        if proxy is not None or urlsplit(url).scheme not in ("http", "https"):
            return super()._upload_file(url=url, data=data, logger=logger, timeout=timeout, proxy=proxy, ssl=ssl)
        # The header urlopen adds for slack_sdk, so Slack sees the same request.
        upload = Request(url, data=data, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"})
        answer = self._over_kept_connection(url, upload)
        return FileUploadV2Result(status=answer["status"], body=answer["body"])

    def _over_kept_connection(self, url: str, req: Request) -> dict[str, Any]:
        parts = urlsplit(url)
        connections = _per_thread.__dict__.setdefault("connections", {})
        key = (parts.scheme, parts.netloc, self.timeout, id(self.ssl))
        reused = key in connections
        while True:
            if key not in connections:
                while len(connections) >= KEPT_PER_THREAD:
                    connections.pop(next(iter(connections))).close()
                connections[key] = self._connect(parts.scheme, parts.netloc)
            try:
                status, reason, headers, body = self._send(connections[key], req)
                break
            except _Stale as stale:
                connections.pop(key).close()
                if not reused:  # a new connection failing is no stale one: tell slack_sdk
                    raise stale.error from None
                reused = False  # once more, on a new connection
            except BaseException:
                connections.pop(key).close()  # in an unknown state: never reuse it
                raise
        if status >= 400:
            # As urllib reports it, so slack_sdk's retry handlers see what they expect.
            raise HTTPError(url, status, reason, headers, io.BytesIO(body))
        if headers.get_content_type() == "application/gzip":  # admin.analytics.getFile
            return {"status": status, "headers": headers, "body": body}
        return {"status": status, "headers": headers, "body": body.decode(headers.get_content_charset() or "utf-8")}

    def _connect(self, scheme: str, netloc: str) -> HTTPConnection:
        if scheme == "https":
            return HTTPSConnection(netloc, timeout=self.timeout, context=self.ssl)
        return HTTPConnection(netloc, timeout=self.timeout)

    @staticmethod
    def _send(connection: HTTPConnection, req: Request):
        try:
            connection.request(req.get_method(), req.selector, body=req.data, headers=dict(req.header_items()))
        except (ConnectionResetError, BrokenPipeError) as error:
            raise _Stale(error) from error
        try:
            response = connection.getresponse()
        except RemoteDisconnected as error:
            raise _Stale(error) from error
        # A reset or a timeout from here on may come after Slack acted on the
        # request: it goes to the caller, never sent again here.
        body = response.read()  # all of it, so the connection can carry the next call
        if response.will_close:
            connection.close()
        return response.status, response.reason, response.headers, body
