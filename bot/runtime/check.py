"""`meetup-bot check`: is this set-up ready? One line per check, each failure
with how to fix it, and a non-zero exit status when anything fails.

It asks Slack only harmless questions (auth.test, conversations.info,
users.info, usergroups.users.list, apps.connections.open) and posts nothing,
so it is safe to run against a live workspace at any time.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.settings import Settings, SettingsError, load_settings

# A symlink to the repository's manifest.yml, which the wheel packs as a real
# file, so an installed copy (the container) checks against the same manifest.
MANIFEST = Path(__file__).with_name("manifest.yml")

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"
# Works, but not as it should in the long run: the exit status stays 0.
WARN = "WARN"


@dataclass(frozen=True)
class Line:
    status: str
    check: str
    detail: str
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.status} {self.check}: {self.detail}"
        return f"{text} — {self.fix}" if self.fix else text


def manifest_scopes(path: Path = MANIFEST) -> list[str]:
    """The bot scopes manifest.yml asks for."""
    import yaml

    manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
    return list(manifest["oauth_config"]["scopes"]["bot"])


def _slack_error(error) -> str:
    from slack_sdk.errors import SlackApiError

    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or f"HTTP {error.response.status_code}")
    reason = getattr(error, "reason", None) or error
    return f"{type(error).__name__}: {reason}"


class Checker:
    def __init__(self, settings: Settings):
        from slack_sdk import WebClient

        self.settings = settings
        # No retry handlers: an operator waiting at a terminal wants the answer now.
        self.client = WebClient(token=settings.bot_token, base_url=settings.api_url, timeout=10)
        self.bot_name = "meetup"

    def run(self) -> Iterator[Line]:
        token_ok = False
        for line in self.token():
            token_ok = line.status == PASS
            yield line
        yield from self.mode()
        yield self.pseudonym_key()
        if token_ok:
            yield from self.scopes()
            yield from self.channel("meetup channel", "MEETUP_CHANNEL_ID", self.settings.channel_id)
            if self.settings.organiser_channel_id:
                yield from self.channel("organiser channel", "ORGANISER_CHANNEL_ID", self.settings.organiser_channel_id)
            yield from self.organisers()
        else:
            yield Line(
                SKIP, "scopes, channel and organisers", "they need a working SLACK_BOT_TOKEN", "fix the token first"
            )
        yield from self.database()

    # --- Slack

    def token(self) -> Iterator[Line]:
        from slack_sdk.errors import SlackApiError

        try:
            self.auth = self.client.auth_test()
        except SlackApiError as error:
            code = _slack_error(error)
            if code in ("account_inactive", "token_revoked", "token_expired"):
                fix = (
                    "the app was uninstalled or the token revoked: reinstall the app (OAuth & Permissions, "
                    "Install to Workspace) and copy the new Bot User OAuth Token into SLACK_BOT_TOKEN"
                )
            else:
                fix = (
                    "copy the Bot User OAuth Token (starts xoxb-) again from OAuth & Permissions in your "
                    "app's settings into SLACK_BOT_TOKEN"
                )
            yield Line(FAIL, "token", f"Slack refused SLACK_BOT_TOKEN ({code})", fix)
            return
        except OSError as error:
            yield Line(
                FAIL,
                "token",
                f"could not reach Slack at {self.settings.api_url} ({_slack_error(error)})",
                "check the network and any proxy (HTTPS_PROXY), or SLACK_API_URL if you set it",
            )
            return
        self.bot_name = self.auth.get("user") or self.bot_name
        yield Line(
            PASS,
            "token",
            f"SLACK_BOT_TOKEN works: @{self.bot_name} in {self.auth.get('team')} ({self.auth.get('team_id')})",
        )

    def pseudonym_key(self) -> Line:
        if self.settings.pseudonym_key:
            return Line(PASS, "pseudonym key", "PSEUDONYM_KEY is set: the series figures count people after the purge")
        fallback = "SLACK_SIGNING_SECRET" if self.settings.signing_secret else "SLACK_BOT_TOKEN"
        return Line(
            WARN,
            "pseudonym key",
            f"PSEUDONYM_KEY is not set, so the series figures count people by a hash keyed with {fallback}: "
            "if that changes, everyone who signs up after the change counts as a new person",
            "set PSEUDONYM_KEY to a long random value (for example from `openssl rand -hex 32`) and never change it",
        )

    def mode(self) -> Iterator[Line]:
        from slack_sdk import WebClient
        from slack_sdk.errors import SlackApiError

        if not self.settings.socket_mode:
            yield Line(
                PASS,
                "mode",
                f"HTTP on port {self.settings.port}; in the app's settings the Request URLs "
                "must be https://YOUR-HOST/slack/events (docs/slack-app.md)",
            )
            return
        assert self.settings.app_token is not None  # socket_mode is bool(app_token), and Settings is frozen
        app_client = WebClient(base_url=self.settings.api_url, timeout=10)
        try:
            app_client.apps_connections_open(app_token=self.settings.app_token)
        except (SlackApiError, OSError) as error:
            yield Line(
                FAIL,
                "mode",
                f"Socket Mode: Slack refused SLACK_APP_TOKEN ({_slack_error(error)})",
                "generate an app-level token with the connections:write scope (Basic Information, "
                "App-Level Tokens) and turn Socket Mode on, or unset SLACK_APP_TOKEN for HTTP mode",
            )
            return
        yield Line(PASS, "mode", "Socket Mode: SLACK_APP_TOKEN opens a connection")

    def scopes(self) -> Iterator[Line]:
        headers = {k.lower(): v for k, v in (self.auth.headers or {}).items()}
        header = headers.get("x-oauth-scopes")
        wanted = manifest_scopes()
        if header is None:
            yield Line(
                FAIL,
                "scopes",
                "Slack did not say which scopes the token has",
                "check that SLACK_API_URL is Slack's (https://slack.com/api/)",
            )
            return
        granted = {s.strip() for s in header.split(",") if s.strip()}
        missing = [s for s in wanted if s not in granted]
        if missing:
            yield Line(
                FAIL,
                "scopes",
                f"SLACK_BOT_TOKEN lacks {', '.join(missing)}, which manifest.yml asks for",
                "add the missing scopes under OAuth & Permissions, Scopes (or update the app from manifest.yml), "
                "then reinstall the app to the workspace and copy the Bot User OAuth Token again",
            )
            return
        yield Line(PASS, "scopes", f"the token has all {len(wanted)} bot scopes manifest.yml asks for")

    def channel(self, check: str, setting: str, channel_id: str) -> Iterator[Line]:
        from slack_sdk.errors import SlackApiError

        invite = f"/invite @{self.bot_name}"
        try:
            channel = self.client.conversations_info(channel=channel_id)["channel"]
        except SlackApiError as error:
            code = _slack_error(error)
            if code == "channel_not_found":
                yield Line(
                    FAIL,
                    check,
                    f"{setting} {channel_id} was not found",
                    "copy the channel ID from the channel's details (at the bottom); for a private "
                    f"channel, first invite the bot there ({invite})",
                )
            else:
                yield Line(
                    FAIL,
                    check,
                    f"Slack would not describe {setting} {channel_id} ({code})",
                    "run this check again; if it persists, see docs/slack-app.md",
                )
            return
        except OSError as error:
            yield Line(FAIL, check, f"could not reach Slack ({_slack_error(error)})", "check the network")
            return
        name = f"#{channel.get('name', channel_id)}"
        if channel.get("is_archived"):
            yield Line(FAIL, check, f"{setting} {name} is archived", "unarchive it or choose another channel")
        elif not channel.get("is_member"):
            yield Line(
                FAIL,
                check,
                f"the bot is not in {name} ({setting}), so it cannot post there",
                f"in {name}, type {invite}",
            )
        else:
            yield Line(PASS, check, f"the bot is in {name} ({setting}) and can post there")

    def organisers(self) -> Iterator[Line]:
        settings = self.settings
        if not settings.organiser_user_ids and not settings.organiser_usergroup_id:
            yield Line(
                FAIL,
                "organisers",
                "nobody is an organiser, so nobody can approve sign-ups or see the list",
                "set ORGANISER_USER_IDS to Slack member IDs (profile, More, Copy member ID) "
                "or ORGANISER_USERGROUP_ID to a user group",
            )
            return
        # Each organiser setting gives a name to list, or a problem to fix.
        found = [self._organiser(user_id) for user_id in sorted(settings.organiser_user_ids)]
        if settings.organiser_usergroup_id:
            found.append(self._organiser_group(settings.organiser_usergroup_id))
        problems = [line for line in found if isinstance(line, Line)]
        yield from problems
        if not problems:
            yield Line(PASS, "organisers", ", ".join(name for name in found if isinstance(name, str)))

    def _organiser(self, user_id: str) -> str | Line:
        from slack_sdk.errors import SlackApiError

        try:
            user = self.client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            return Line(
                FAIL,
                "organisers",
                f"ORGANISER_USER_IDS has {user_id}, which is not a person in this workspace ({_slack_error(error)})",
                "copy the member ID from their profile (More, Copy member ID)",
            )
        name = user.get("real_name") or user.get("name") or user_id
        if user.get("deleted"):
            return Line(
                FAIL,
                "organisers",
                f"ORGANISER_USER_IDS has {user_id} ({name}), whose account is deactivated",
                "remove them or replace them",
            )
        if user.get("is_bot"):
            return Line(
                FAIL, "organisers", f"ORGANISER_USER_IDS has {user_id} ({name}), a bot", "use people's member IDs"
            )
        return name

    def _organiser_group(self, group: str) -> str | Line:
        from slack_sdk.errors import SlackApiError

        try:
            members = self.client.usergroups_users_list(usergroup=group).get("users") or []
        except SlackApiError as error:
            return Line(
                FAIL,
                "organisers",
                f"ORGANISER_USERGROUP_ID {group} could not be read ({_slack_error(error)})",
                "use the user group's ID (starts S), from its page in Slack",
            )
        if not members:
            return Line(
                FAIL,
                "organisers",
                f"ORGANISER_USERGROUP_ID {group} has no members",
                "add the organisers to the user group",
            )
        return f"{len(members)} in user group {group}"

    # --- database

    def database(self) -> Iterator[Line]:
        from sqlalchemy.engine import make_url

        from storage.db import Database
        from storage.migrate import is_known, revisions

        url = make_url(self.settings.database_url)
        is_file = url.drivername.startswith("sqlite") and url.database and url.database != ":memory:"
        # Connecting would create an empty file and hide the real problem.
        if is_file and not Path(str(url.database)).exists():
            yield Line(
                FAIL,
                "database",
                f"the SQLite file {url.database} does not exist",
                "run `meetup-bot db upgrade` to create it, or check DATABASE_URL",
            )
            return
        if url.drivername.startswith("postgresql") and "connect_timeout" not in url.query:
            # An unreachable host should fail in seconds, not after TCP gives up.
            url = url.update_query_dict({"connect_timeout": "10"})
        db = Database(url.render_as_string(hide_password=False))
        try:
            try:
                db.ping()
                current, head = revisions(db.engine)
            except Exception as error:  # any driver's connection error
                yield Line(
                    FAIL,
                    "database",
                    f"DATABASE_URL did not answer ({_db_error(error)})",
                    "check the host, port, database name, user and password in DATABASE_URL, "
                    "and that the database server accepts connections from here",
                )
                return
            kind = "PostgreSQL" if db.is_postgres else "SQLite"
            if current is not None and not is_known(current):
                yield Line(
                    FAIL,
                    "database",
                    f"{kind} is at revision {current}, which this version does not "
                    "know: a newer version of the bot migrated it",
                    "run that newer version, or restore a backup taken before it",
                )
                return
            if current != head:
                yield Line(
                    FAIL,
                    "database",
                    f"{kind} answers but is at revision {current or 'none'}, and this version needs {head}",
                    "run `meetup-bot db upgrade`",
                )
                return
            yield Line(PASS, "database", f"{kind} answers and is migrated (revision {head})")
            yield from self.domain_list(db)
        finally:
            db.dispose()

    def domain_list(self, db) -> Iterator[Line]:
        from bot.domains.imports import describe

        lines = describe(db, self.settings.tz)
        unused = [line for line in lines if line.startswith("Not used: ")]
        if unused:
            detail, _, fix = unused[0].removeprefix("Not used: ").partition(". ")
            yield Line(FAIL, "domain list", f"{detail}, so it is not used", fix[:1].lower() + fix[1:])
        else:
            yield Line(PASS, "domain list", lines[0].removeprefix("In use: "))


def _db_error(error: Exception) -> str:
    from bot.runtime.logs import redact

    original = getattr(error, "orig", None) or error
    first = (str(original).strip().splitlines() or [""])[0]
    # Never echo a password that a driver quoted back.
    first = re.sub(r"://[^@/\s]+@", "://…@", first)
    return redact(f"{type(original).__name__}: {first}"[:300])


def run(env: Mapping[str, str] | None = None, out=None) -> int:
    """Print one line per check; 0 when everything passes (with warnings, perhaps), 1 otherwise."""
    out = out or sys.stdout
    try:
        settings = load_settings(env, need_slack=True)
    except SettingsError as error:
        for problem in error.problems:
            print(Line(FAIL, "settings", problem), file=out)
        print(Line(SKIP, "Slack and database", "they need the settings above", "fix those first"), file=out)
        return 1
    print(Line(PASS, "settings", "all present and well-formed"), file=out)
    failed = False
    for line in Checker(settings).run():
        print(line, file=out, flush=True)
        failed = failed or line.status not in (PASS, WARN)
    return 1 if failed else 0
