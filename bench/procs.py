"""The benchmark's processes: the fake Slack, the server under test (started
as production starts it, `meetup-bot serve` in HTTP mode), the floor app, a
throwaway PostgreSQL, and the load generator. Everything listens on
127.0.0.1 and is stopped at the end, even on failure."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from tests.support.pg import PostgresCluster

BIN = Path(sys.executable).parent / "meetup-bot"
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    """In a child, before exec: on Linux, get SIGTERM when the benchmark dies,
    even by SIGKILL, so no server outlives it."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: stop() still ends them when the benchmark ends normally


def _python_env(extra: dict[str, str]) -> dict[str, str]:
    # Only what the processes need: no .env or settings from the caller leak in.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "LANG": "C.UTF-8"}
    env.update(extra)
    return env


class FakeSlackProcess:
    """bench/fake.py in its own process; `control` talks to its /bench/ routes."""

    def __init__(self, channel: str, log_path: Path):
        self.log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.fake", channel],
            cwd=ROOT,
            env=_python_env({}),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
        )
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the fake Slack did not start; see {log_path}")
        self.port = json.loads(line)["port"]
        self.api_url = f"http://127.0.0.1:{self.port}/api/"
        self.response_url = f"http://127.0.0.1:{self.port}/response/bench"

    def control(self, name: str, body: dict | None = None, **query) -> dict | None:
        url = f"http://127.0.0.1:{self.port}/bench/{name}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return json.loads(reply.read())
        except urllib.error.HTTPError as error:
            if error.code == 404:
                return None
            raise

    def stop(self) -> None:
        try:
            self.process.stdin.close()  # the fake stops when its standard input closes
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class ServerProcess:
    """A server under test: the real one (`meetup-bot serve`) or the floor."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], workdir: Path):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / f"{name}.log"
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            command,
            cwd=workdir,
            env=_python_env({**env, "PORT": str(self.port)}),
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        self._wait_until_healthy()

    def _wait_until_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} stopped at start: {self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.name} did not answer /healthz within {timeout:.0f} s: {self.log_tail()}")

    def log_tail(self, lines: int = 15) -> str:
        self.log.flush()
        text = self.log_path.read_text(errors="replace").strip().splitlines()
        return "\n".join(text[-lines:])

    def pids(self) -> list[int]:
        """The server and the processes it started (WEB_CONCURRENCY)."""
        return process_tree(self.process.pid)

    def peak_rss(self) -> tuple[int | None, int | None]:
        """Bytes: the kernel's high-water marks of resident memory, of the
        largest of the server's processes and of all of them added up."""
        peaks = [p for p in map(peak_rss, self.pids()) if p is not None]
        return (max(peaks), sum(peaks)) if peaks else (None, None)

    def cpu_seconds(self) -> float:
        """CPU time (user and system) used so far by the server's processes."""
        return sum(cpu_seconds(pid) for pid in self.pids())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def process_tree(pid: int) -> list[int]:
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return [pid]
    return [pid] + [p for child in children for p in process_tree(int(child))]


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime


def peak_rss(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def server_env(
    *,
    fake: FakeSlackProcess,
    database_url: str,
    secret: str,
    token: str,
    channel: str,
    organiser: str,
    web_concurrency: int = 1,
) -> dict[str, str]:
    return {
        "SLACK_BOT_TOKEN": token,
        "SLACK_SIGNING_SECRET": secret,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": database_url,
        "MEETUP_CHANNEL_ID": channel,
        "ORGANISER_USER_IDS": organiser,
        "LOG_FORMAT": "text",
        "WEB_CONCURRENCY": str(web_concurrency),
    }


def start_real_server(name: str, env: dict[str, str], workdir: Path) -> ServerProcess:
    # As production runs it: the installed command, HTTP mode, its own process.
    return ServerProcess(name, [str(BIN), "serve"], env, workdir)


def start_floor(env: dict[str, str], workdir: Path) -> ServerProcess:
    return ServerProcess("floor", [sys.executable, "-m", "bench.floor"], env, workdir)


class DurablePostgres(PostgresCluster):
    """tests/support/pg.py's throwaway cluster, but durable as production runs it
    (fsync and synchronous commit on): the tests trade that for speed, a
    benchmark must not."""

    settings = "-c max_connections=300"


def run_load_process(spec: dict, *, timeout: float) -> dict:
    """bench/load.py in its own process, so its threads do not share an
    interpreter (and its lock) with the benchmark's."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.load"],
        cwd=ROOT,
        env=_python_env({}),
        input=json.dumps(spec).encode(),
        capture_output=True,
        timeout=timeout,
        preexec_fn=_die_with_parent,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the load generator failed: {done.stderr.decode(errors='replace')[-2000:]}")
    return json.loads(done.stdout)


class Profiler:
    """py-spy sampling a server process for the whole run (the `bench` extra),
    written as a flame graph when stopped. Sampling without pausing the
    process costs it little, but record figures from a run without it."""

    def __init__(self, pid: int, output: Path):
        # raw: collapsed stacks, one a line, to add up by function; flamegraph: an SVG to look at.
        kind = "raw" if output.suffix == ".txt" else "flamegraph"
        py_spy = Path(sys.executable).parent / "py-spy"
        if not py_spy.exists():
            raise RuntimeError("py-spy is not installed: `make bench` installs it (the bench extra)")
        output.parent.mkdir(parents=True, exist_ok=True)
        self.output = output
        self.process = subprocess.Popen(
            [
                str(py_spy),
                "record",
                "--pid",
                str(pid),
                "--rate",
                "100",
                "--nonblocking",
                "--subprocesses",
                "--gil",  # only the thread running Python: CPU, not waiting
                "--format",
                kind,
                "--output",
                str(output),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
