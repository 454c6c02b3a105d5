"""The `meetup-bot` command as an operator runs it: real processes, each
on a free loopback port, and a sign-up sent to one of them."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BIN = Path(sys.executable).parent / "meetup-bot"

ANSWERS = {"full_name": "Person", "organisation": "Home Office", "role": "civil_servant"}


def run(args, env, cwd, timeout=60):
    return subprocess.run(
        [str(BIN), *args],
        env={"PATH": os.environ["PATH"], **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_for_health(url, process, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as reply:
                return json.loads(reply.read())
        except OSError:
            time.sleep(0.1)
    raise AssertionError("server never answered /healthz")


def free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(process, sig=signal.SIGTERM):
    process.send_signal(sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def signup_view(fake, sender, meetup_id):
    fake.add_user("U0FIRST", real_name="First", email="first@homeoffice.gov.uk")
    assert sender.command("signup", user_id="U0FIRST").status == 200
    return fake.wait_for("views.open")[0].args["view"]
