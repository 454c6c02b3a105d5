"""A body over the limit gets a 413 before any of it is read (issue 16, item 3),
against the real server."""

import socket
import time
import urllib.parse

import pytest

from bot.runtime.server import MAX_BODY, make_wsgi_app


def _raw_post(url: str, length: int, *, send: bytes = b"", chunked: bool = False) -> tuple[str, float]:
    """POST with this Content-Length (or chunked), sending only `send` of the
    body, and return the status line and how long it took to come."""
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        length_header = b"Transfer-Encoding: chunked\r\n" if chunked else b"Content-Length: %d\r\n" % length
        started = time.perf_counter()
        conn.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + length_header
            + b"\r\n"
            + send
        )
        reply = b""
        while b"\r\n" not in reply:
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
        return reply.split(b"\r\n", 1)[0].decode(), time.perf_counter() - started


def test_a_2_mb_body_gets_a_413_before_it_is_sent(sqlite_bot):
    # Only the headers go: the answer cannot have waited to read the body.
    status, elapsed = _raw_post(sqlite_bot.url, 2_000_000)
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert elapsed < 4  # a server waiting for the body would answer at the socket's 5-second timeout


def test_a_2_mb_body_sent_in_full_gets_a_413_quickly(sqlite_bot):
    body = b"{" + b" " * (2_000_000 - 2) + b"}"
    status, elapsed = _raw_post(sqlite_bot.url, len(body), send=body[:200_000])
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert elapsed < 4  # as above: it did not wait for the rest of the body


def test_a_chunked_body_over_the_limit_gets_a_413(sqlite_bot):
    chunk = b" " * 65536
    chunks = b"".join(b"%x\r\n" % len(chunk) + chunk + b"\r\n" for _ in range(MAX_BODY // len(chunk) + 2))
    status, _ = _raw_post(sqlite_bot.url, 0, send=chunks, chunked=True)
    assert status == "HTTP/1.1 413 Request Entity Too Large"


def test_a_body_within_the_limit_still_reaches_the_app(sqlite_bot):
    body = b'{"type": "url_verification", "challenge": "abc", "pad": "' + b" " * (MAX_BODY - 100) + b'"}'
    assert len(body) <= MAX_BODY
    reply = sqlite_bot.slack.post(body, "application/json", timestamp=int(time.time()))
    assert reply.status == 200 and "abc" in reply.body


class _Unread:
    def read(self, *_args):
        raise AssertionError("the body was read")


@pytest.mark.parametrize("length", [str(MAX_BODY + 1), "2000000", str(2**40)])
def test_the_app_answers_413_on_the_header_alone(length):
    """Behind another server (or if waitress's limit were lost), the app
    itself refuses the body without touching wsgi.input."""
    replies = []
    wsgi = make_wsgi_app(app=None, db=None)
    wsgi(
        {"PATH_INFO": "/slack/events", "REQUEST_METHOD": "POST", "CONTENT_LENGTH": length, "wsgi.input": _Unread()},
        lambda status, headers: replies.append(status),
    )
    assert replies == ["413 Request Entity Too Large"]
