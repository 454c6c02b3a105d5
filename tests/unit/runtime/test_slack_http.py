"""bot/runtime/slack_http.py: Web API calls over kept connections, against a real
HTTP server on loopback that counts connections and can misbehave."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.runtime.slack_http import KEPT_PER_THREAD, KeepAliveWebClient, _per_thread


class Server:
    """Answers every Web API call with ok; records each request and the
    connection it came on. `script` holds (status, headers, close) answers to
    give first."""

    def __init__(self):
        self.requests: list[tuple[int, str]] = []  # (client port, path)
        self.bodies: list[bytes] = []
        self.script: list[tuple[int, dict, bool]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self):  # noqa: N802
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append((self.client_address[1], self.path))
                outer.bodies.append(data)
                status, headers, close = outer.script.pop(0) if outer.script else (200, {}, False)
                # A file upload's three requests: the address for the bytes, the bytes, the finish.
                more = {
                    "files.getUploadURLExternal": {
                        "upload_url": outer.url.replace("/api/", "/upload/F1"),
                        "file_id": "F1",
                    },
                    "files.completeUploadExternal": {"files": [{"id": "F1"}]},
                }.get(self.path.rsplit("/", 1)[-1], {})
                body = json.dumps({"ok": status == 200, **(more if status == 200 else {"error": "busy"})}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
                # Like a server dropping an idle connection: the client is not told.
                self.close_connection = close

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/api/"

    def connections(self) -> int:
        return len({port for port, _ in self.requests})


@pytest.fixture
def server():
    running = Server()
    yield running
    running.http.shutdown()
    running.http.server_close()


def client(server, **kwargs):
    return KeepAliveWebClient(token="xoxb-1", base_url=server.url, **kwargs)


def test_calls_from_one_thread_share_one_connection_even_across_clients(server):
    for _ in range(3):
        client(server).auth_test()
        client(server).api_call("users.info", params={"user": "U1"})
    assert len(server.requests) == 6 and server.connections() == 1


def test_a_files_bytes_go_over_the_kept_connection_too(server):
    for _ in range(2):
        client(server).files_upload_v2(channel="D1", content="BEGIN:VCALENDAR", filename="meetup.ics")
    assert [path for _, path in server.requests] == [
        "/api/files.getUploadURLExternal",
        "/upload/F1",
        "/api/files.completeUploadExternal",
    ] * 2
    assert server.bodies[1] == b"BEGIN:VCALENDAR" and server.connections() == 1


def test_a_thread_keeps_a_few_connections_and_closes_the_oldest():
    servers = [Server() for _ in range(KEPT_PER_THREAD + 2)]
    try:
        for each in servers:
            client(each).auth_test()
        connections = _per_thread.connections
        assert len(connections) == KEPT_PER_THREAD
        kept = {netloc for _, netloc, _, _ in connections}
        assert kept == {each.url.split("/")[2] for each in servers[-KEPT_PER_THREAD:]}
        assert all(c.sock is not None for c in connections.values())
    finally:
        for each in servers:
            each.http.shutdown()
            each.http.server_close()


def test_threads_never_share_a_connection(server):
    together = threading.Barrier(4)

    def calls():
        together.wait()  # four threads alive at once, each with its own connection
        for _ in range(5):
            client(server).auth_test()

    threads = [threading.Thread(target=calls) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(server.requests) == 20 and server.connections() == 4


def test_a_connection_the_server_dropped_is_replaced_and_the_call_goes_once(server):
    server.script = [(200, {}, True)]  # answer, then drop the connection without saying so
    client(server).auth_test()
    client(server).auth_test()
    assert [path for _, path in server.requests] == ["/api/auth.test", "/api/auth.test"]
    assert server.connections() == 2


def test_rate_limits_and_errors_reach_slack_sdk_as_from_urllib(server):
    server.script = [(429, {"Retry-After": "0"}, False), (500, {}, False)]
    web = client(server, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    with pytest.raises(SlackApiError) as error:
        web.auth_test()  # 429, waited out and tried again: then 500
    assert error.value.response.status_code == 500
    assert len(server.requests) == 2
    assert web.auth_test()["ok"] and server.connections() == 1
