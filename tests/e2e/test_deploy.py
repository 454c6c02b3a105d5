"""Ready to deploy: the docs are true, the Dockerfile matches them, and a fresh
clone set up as the README says starts in Socket Mode from `.env`.

Docker cannot run here, so the Dockerfile is checked by reading it: the same
entry points, routes and port as the code and the README."""

import argparse
import fnmatch
import json
import os
import re
import shlex
import signal
import subprocess
from pathlib import Path

import pytest

from bot.runtime.check import manifest_scopes
from bot.runtime.cli import build_parser
from tests.support.app import CHANNEL, ORGANISER
from tests.support.processes import BIN, run

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DOCKERFILE = ROOT / "Dockerfile"


# -- commands shown in the docs exist -----------------------------------------------


def code_in(path: Path) -> list[str]:
    """The code in a Markdown file: fenced blocks line by line, and `inline` spans."""
    text = path.read_text(encoding="utf-8")
    fence = r"^ *```[^\n]*\n(.*?)^ *```"  # indented too: blocks inside list items
    blocks = re.findall(fence, text, flags=re.S | re.M)
    prose = re.sub(fence, "", text, flags=re.S | re.M)
    # A command continued with a backslash is one line.
    lines = [line for block in blocks for line in re.sub(r"\\\n\s*", " ", block).splitlines()]
    return lines + re.findall(r"`([^`\n]+)`", prose)


def cli_commands(lines: list[str]) -> list[list[str]]:
    """Every `meetup-bot WORD …` (or `.venv/bin/meetup-bot WORD …`), as words.

    In `docker run … meetup-bot meetup-bot db upgrade` the first is the image.
    """
    found = []
    for line in lines:
        line = line.split("#", 1)[0]  # shell comments
        try:
            words = shlex.split(line)
        except ValueError:
            words = line.split()
        for i, word in enumerate(words[:-1]):
            following = words[i + 1]
            if word.endswith("meetup-bot") and re.fullmatch(r"[a-z][a-z-]*", following) and following != "meetup-bot":
                found.append(words[i + 1 :])
    return found


def _subparsers(parser: argparse.ArgumentParser):
    return next((a for a in parser._actions if isinstance(a, argparse._SubParsersAction)), None)


def check_command(words: list[str]) -> str | None:
    """None if `meetup-bot WORDS` names real subcommands and options, else why not."""
    parser = build_parser()
    rest = list(words)
    path = []
    while (subparsers := _subparsers(parser)) is not None:
        if not rest or rest[0] not in subparsers.choices:
            return f"`meetup-bot {' '.join(path + rest[:1])}`: no such command"
        path.append(rest.pop(0))
        parser = subparsers.choices[path[-1]]
    known = {option for action in parser._actions for option in action.option_strings}
    for option in re.findall(r"--[a-z][a-z-]*", " ".join(rest)):
        if option not in known:
            return f"`meetup-bot {' '.join(path)}` has no option {option}"
    return None


def documented_commands():
    return [(path.relative_to(ROOT), words) for path in DOCS for words in cli_commands(code_in(path))]


def test_the_docs_show_meetup_bot_commands():
    shown = {" ".join(words[:2]) for _, words in documented_commands()}
    for command in ("serve", "check", "db upgrade", "domains import", "domains info", "domains reset", "event create"):
        assert any(s.startswith(command) for s in shown), f"`meetup-bot {command}` is not in the docs"


@pytest.mark.parametrize(
    "where, words", documented_commands(), ids=lambda v: str(v) if isinstance(v, Path) else " ".join(v[:2])
)
def test_every_meetup_bot_command_in_the_docs_exists(where, words):
    assert check_command(words) is None, f"{where}: {check_command(words)}"


def test_the_command_check_catches_made_up_commands():
    assert check_command(["remind", "now"]) == "`meetup-bot remind`: no such command"
    assert check_command(["domains", "export"]) == "`meetup-bot domains export`: no such command"
    assert check_command(["event", "create", "--colour", "red"]) == "`meetup-bot event create` has no option --colour"
    assert check_command(["domains", "import", "a.json", "b.yml"]) is None


def test_every_slash_command_in_the_docs_exists(sqlite_bot):
    subcommands = sqlite_bot.deps.subcommands
    for path in DOCS:
        for line in code_in(path):
            for name in re.findall(r"/meetup +([a-z][a-z-]*)", line):
                assert name in subcommands, f"{path.relative_to(ROOT)}: `/meetup {name}` is not a command"


def test_every_link_between_the_docs_leads_somewhere():
    for path in DOCS:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            assert (path.parent / target).exists(), f"{path.relative_to(ROOT)} links to missing {target}"


def test_the_scopes_in_the_slack_guide_are_the_manifests():
    text = (ROOT / "docs" / "slack-app.md").read_text(encoding="utf-8")
    table = text.split("## What each permission is for", 1)[1]
    documented = {
        s for pair in re.findall(r"^\| `([a-z:._]+)`(?:, `([a-z:._]+)`)? \|", table, flags=re.M) for s in pair if s
    }
    wanted = set(manifest_scopes())
    assert not wanted - documented, f"say why the bot needs {sorted(wanted - documented)} in docs/slack-app.md"
    assert not documented - wanted, f"docs/slack-app.md explains {sorted(documented - wanted)}, not in manifest.yml"


def test_every_setting_in_the_docs_is_a_real_one():
    names = set(re.findall(r"^#? ?([A-Z][A-Z_]+)=", (ROOT / ".env.example").read_text(encoding="utf-8"), flags=re.M))
    for path in DOCS:
        for name in re.findall(r"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)`", path.read_text(encoding="utf-8")):
            if name in ("PYTEST_ARGS", "SOURCE_DATE_EPOCH", "DATABASE_URL_FOR_PG_DUMP"):
                continue  # for make, the domain list build and pg_dump: not the bot's settings
            assert name in names, f"{path.relative_to(ROOT)} mentions {name}, which .env.example does not"


# -- the Dockerfile --------------------------------------------------------------------


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines]


def instruction(name: str) -> list[str]:
    return [args for kind, args in dockerfile() if kind == name]


def test_the_image_runs_the_entry_point_the_readme_names():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    [cmd] = instruction("CMD")
    command = json.loads(cmd)  # exec form, so SIGTERM reaches the bot
    assert command == ["meetup-bot", "serve"]
    assert f"`{' '.join(command)}`" in readme
    assert 'meetup-bot = "bot.runtime.cli:main"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    # Migrations are their own step, run with the same image, as the README and the guide say.
    comments = DOCKERFILE.read_text(encoding="utf-8")
    assert "meetup-bot db upgrade" in comments
    for doc in (readme, (ROOT / "docs" / "deploying.md").read_text(encoding="utf-8")):
        assert "docker run --rm --env-file prod.env meetup-bot meetup-bot db upgrade" in doc


def test_the_health_check_asks_the_route_the_server_serves():
    [healthcheck] = instruction("HEALTHCHECK")
    assert "/healthz" in healthcheck and "urllib.request" in healthcheck  # slim has no curl
    assert "PORT" in healthcheck
    assert 'path == "/healthz"' in (ROOT / "bot" / "runtime" / "server.py").read_text(encoding="utf-8")
    assert "| `GET /healthz` |" in (ROOT / "README.md").read_text(encoding="utf-8")
    python = re.search(r'"-c", "(.*)"\]', healthcheck).group(1)
    compile(python, "HEALTHCHECK", "exec")


def test_the_image_is_slim_python_runs_as_a_user_and_exposes_the_default_port():
    [base] = instruction("FROM")
    assert base == "python:3.11-slim"
    assert 'requires-python = ">=3.11"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    [user] = instruction("USER")
    assert user not in ("root", "0")
    assert dockerfile().index(("USER", user)) < dockerfile().index(("CMD", instruction("CMD")[0]))
    assert instruction("EXPOSE") == ["3000"] and "ENV PORT=3000" in DOCKERFILE.read_text(encoding="utf-8")
    assert "| `PORT` | HTTP port | `3000` |" in (ROOT / "README.md").read_text(encoding="utf-8")


def dockerignored(path: str) -> bool:
    ignored = False
    for pattern in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines():
        pattern = pattern.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").removeprefix("**/")
        if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path.split("/")[0], pattern):
            ignored = not negate
    return ignored


def test_what_the_image_copies_exists_and_secrets_stay_out():
    for copy in instruction("COPY"):
        *sources, _destination = copy.split()
        for source in sources:
            assert (ROOT / source).exists(), f"COPY {source}: no such file"
            assert not dockerignored(source), f"COPY {source}, but .dockerignore leaves it out"
    for secret in (".env", "meetup.db", ".git", ".venv"):
        assert dockerignored(secret), f".dockerignore should leave out {secret}"
    # The wheel carries manifest.yml (for `meetup-bot check`) through a link in bot/runtime/.
    assert (ROOT / "bot" / "runtime" / "manifest.yml").resolve() == (ROOT / "manifest.yml").resolve()


# -- a fresh clone, as the README says -------------------------------------------------


@pytest.mark.slow
def test_a_fresh_clone_starts_in_socket_mode_with_settings_from_dot_env(fake_slack, tmp_path):
    """cp .env.example .env, fill in the tokens, channel and organiser: the bot
    connects over Socket Mode and answers `/meetup help`; `check` agrees."""
    values = {
        "SLACK_BOT_TOKEN": fake_slack.bot_token,
        "SLACK_APP_TOKEN": fake_slack.app_token,
        "MEETUP_CHANNEL_ID": CHANNEL,
        "ORGANISER_USER_IDS": ORGANISER,
    }
    lines = []
    for line in (ROOT / ".env.example").read_text(encoding="utf-8").splitlines():
        name = line.split("=", 1)[0]
        lines.append(f"{name}={values[name]}" if name in values else line)
    # Only a test points the bot at a fake Slack.
    lines.append(f"SLACK_API_URL={fake_slack.api_url}")
    (tmp_path / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")

    checked = run(["check"], {}, tmp_path)
    assert checked.returncode == 1  # the database does not exist yet...
    assert "FAIL database: the SQLite file meetup.db does not exist — run `meetup-bot db upgrade`" in checked.stdout
    assert run(["db", "upgrade"], {}, tmp_path).returncode == 0
    checked = run(["check"], {}, tmp_path)
    assert checked.returncode == 0, checked.stdout  # ...and then everything passes
    assert "PASS mode: Socket Mode: SLACK_APP_TOKEN opens a connection" in checked.stdout

    process = subprocess.Popen(
        [str(BIN), "serve"],
        env={"PATH": os.environ["PATH"]},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        fake_slack.wait_for_connection(timeout=30)
        ack = fake_slack.send_envelope(
            "slash_commands",
            {
                "team_id": fake_slack.team_id,
                "channel_id": CHANNEL,
                "user_id": ORGANISER,
                "user_name": "olu",
                "command": "/meetup",
                "text": "help",
                "api_app_id": fake_slack.app_id,
                "response_url": fake_slack.response_url(),
                "trigger_id": fake_slack.new_trigger_id(),
            },
        )
        assert "What you can do with `/meetup`" in json.dumps(ack["payload"])
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=15)
    assert "Connected to Slack in Socket Mode" in stderr
    assert "request mode=socket_mode kind=command name=/meetup help status=200 outcome=ok" in stderr
    assert (tmp_path / "meetup.db").exists()
